// Text meant for a terminal: control characters escaped, widths measured in
// terminal columns (ICU East Asian Width), IDN host names shown in Unicode.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hopscope {

// Valid UTF-8 with C0/C1 controls, DEL and bidi overrides written as \xNN or
// \u{NNNN}, so header bytes can never drive the terminal. A tab (folding
// white space) is shown as a space.
std::string escape_for_terminal(std::string_view s);

// Columns `s` (already escaped) takes on a terminal.
std::size_t display_width(std::string_view s);

// Cuts `s` to at most `width` columns, ending with "…" when cut.
std::string fit_width(std::string_view s, std::size_t width);

// `lead` then `text` (both escaped, no colour codes), broken at spaces into
// lines of at most `width` columns, each later line indented under the
// text's start, with a newline after each; a word longer than a line stays
// whole. `width` 0 (a pipe or a file): one line.
std::string wrapped(std::string_view lead, std::string_view text, std::size_t width);

// Pads with spaces to `width` columns (left-aligned, or right when asked).
std::string pad(std::string_view s, std::size_t width, bool right = false);

// "xn--" labels turned into Unicode for display; the name as given otherwise.
std::string host_for_display(std::string_view host);

}  // namespace hopscope
