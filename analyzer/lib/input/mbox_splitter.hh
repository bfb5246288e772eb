// Splits an mbox (mboxo/mboxrd, LF or CRLF, Netscape "From - ", Google
// Takeout "From 123@xxx", Content-Length mboxes) into message spans without
// copying. Pure: works on a byte view (usually an mmap).
//
// A separator is decided by its own line, never by what follows it (a
// message whose first line is no header field still gets its record): "From
// SENDER" alone (Netscape's "From - ", Google Takeout's "From 123@xxx"), or
// "From SENDER DATE" with the asctime() date as mutt's is_from() reads it
// ("Day Mon DD HH:MM[:SS] [ZONE [ZONE]] YYYY"). So an unquoted "From Russia
// with love" in an mboxo body does not split. Where a message carries
// Content-Length and it lands on a separator (or the end), it is trusted, so
// unquoted "From " lines in such bodies do not split either.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace hopscope {

struct MessageSpan {
    std::size_t offset = 0;  // of the "From " line (or of the message, for a lone message)
    std::size_t length = 0;
};

// True when `bytes` starts (after a BOM) with a separator line.
bool looks_like_mbox(std::string_view bytes);

// Offset of the next "\nFrom " at or after `from`, or npos (the line break's offset).
// Uses AVX2 where the CPU has it.
std::size_t find_line_start_from(std::string_view data, std::size_t from);
// The same without AVX2, as machines that lack it run it (tests check both).
std::size_t find_line_start_from_sse2(std::string_view data, std::size_t from);

// True when `line` (without its line break) is a From_ separator line.
bool is_from_line(std::string_view line);

// Offset of the first separator line that starts after a line break at or
// after `from`, or npos.
std::size_t find_separator(std::string_view data, std::size_t from);

class MboxSplitter {
  public:
    explicit MboxSplitter(std::string_view data);
    std::optional<MessageSpan> next();
    [[nodiscard]] std::size_t position() const { return pos_; }

  private:
    [[nodiscard]] bool separator_at(std::size_t pos) const;
    // Where a message whose body starts at `body` ends by its Content-Length,
    // if a separator (or the end) is really there.
    [[nodiscard]] std::optional<std::size_t> by_content_length(std::size_t body, std::size_t length) const;
    std::string_view data_;
    std::size_t pos_ = 0;
};

}  // namespace hopscope
