// What GMime cannot know about pastes: where the header fields really start
// (after a BOM, blank lines, an mbox "From " line, the summary table of
// Gmail's "Show original" page or a stray preamble) and how far pasted lines
// are indented.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/anomaly.hh"

namespace hopscope {

struct PasteStart {
    std::size_t offset = 0;  // first byte of the first header field line
    std::size_t indent = 0;  // white space the paste put before every field name
    std::string kind;        // message-like input kind, see HeaderBlock
    std::vector<Anomaly> anomalies;
};

PasteStart find_paste_start(std::string_view bytes);

// A paste whose lines a copy changed, restored: a blank line after every
// line (as ticket systems and some web pages copy text: the first four lines
// from the first field on each followed by one blank line, two of them
// fields, one a Received stamp), or lines ended by CR alone (classic Mac OS text, no LF anywhere).
// The text as it was and an anomaly saying what was undone, or nullopt when
// the bytes need no repair (every message that starts as mail does).
struct RepairedPaste {
    std::string text;
    Anomaly anomaly;
};
std::optional<RepairedPaste> repair_paste_lines(std::string_view bytes);

// True when `line` (no line break) starts a header field, allowing the
// lenient forms seen in pastes: a name of letters, digits, '-', '_' or '.',
// starting with a letter, optional white space, then ':' not followed by "//".
bool is_field_start(std::string_view line);
// The same, saying where: the offset of the field's ':' in `line`, or npos.
std::size_t field_colon(std::string_view line);

}  // namespace hopscope
