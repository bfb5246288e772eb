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

#include "input/dash_lines.hh"

namespace hopscope {

struct MessageSpan {
    std::size_t offset = 0;  // of the "From " line (or of the message, for a lone message)
    std::size_t length = 0;
    // The "--" lines of a multipart's body, noted where the split read the
    // body to find the next separator (none where a Content-Length was trusted).
    DashLines dash_lines{};
};

// True when `bytes` starts (after a BOM) with a separator line.
bool looks_like_mbox(std::string_view bytes);

// The widest vector instructions the byte searches below may use: each uses
// the widest the CPU has up to `level`, so tests check every path this CPU can
// take, as machines that lack the wider ones run them.
enum class Simd { sse2, avx2, avx512 };

// Offset of the next "\nFrom " at or after `from`, or npos (the line break's offset).
std::size_t find_line_start_from(std::string_view data, std::size_t from, Simd level = Simd::avx512);
// The same with SSE2 alone.
std::size_t find_line_start_from_sse2(std::string_view data, std::size_t from);

// True when `line` (without its line break) is a From_ separator line.
bool is_from_line(std::string_view line);

// Offset of the first separator line that starts after a line break at or
// after `from`, or npos.
std::size_t find_separator(std::string_view data, std::size_t from);
// The same, noting in `dashes` the line starts after a line break at or after
// `from` and before the separator (the end of the data when none) whose first
// two bytes are "--", as offsets less `origin`, which is at most `from` + 1.
std::size_t find_separator_noting(std::string_view data, std::size_t from, DashLines& dashes, std::size_t origin,
                                  Simd level = Simd::avx512);

// The messages of an mbox whose separators start in [start, end), found
// without reading what comes before `start`, as Hadoop's line reader splits
// a text file: the part begins at the first separator at or after `start`
// (looked for from one byte before it, so a separator starting right at
// `start` is seen) and ends at the first separator at or after `end`, where
// the part of the next range begins. So any cuts give every message to
// exactly one part, and parts that cover a file read it about once: each
// reads its own bytes and, past its end, up to that next separator's line.
// The first message of the file begins after its byte-order mark, whatever
// its first line. Separators are decided by the splitter's rule
// (is_from_line, after a line break); a message whose Content-Length body
// holds an unquoted From_ line is cut at that line when a range boundary
// falls between its separator and that line, where one pass over the whole
// file trusts the length.
struct MboxPart {
    std::size_t begin = 0;      // the first separator at or after `start` (the size when none)
    std::size_t end = 0;        // the first separator at or after `end` (the size when none)
    std::size_t read_from = 0;  // the bytes finding them reads: [read_from, read_to)
    std::size_t read_to = 0;    // ... together with [begin, end), the part's messages
};
MboxPart mbox_part(std::string_view data, std::size_t start, std::size_t end);

class MboxSplitter {
  public:
    explicit MboxSplitter(std::string_view data);
    // Splits from `from`, a separator (or the file's start), on.
    MboxSplitter(std::string_view data, std::size_t from);
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
