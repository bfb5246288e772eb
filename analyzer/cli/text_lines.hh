// Lines of a file or standard input, gzip-compressed or plain (zlib reads
// both). Bounded: a line longer than the cap is cut off and flagged, the rest
// of it skipped, so a file without newlines cannot take all memory.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hh"

namespace hopscope {

class TextLines {
  public:
    // "-" is standard input.
    static Result<TextLines> open(const std::string& path, std::size_t max_line);

    struct Line {
        std::string_view text;  // without the newline; valid until the next call
        bool cut = false;       // longer than max_line: text is its start
    };
    // The next line, or nullopt at the end; an error when the file cannot be read on.
    Result<std::optional<Line>> next();

  private:
    struct Close {
        void operator()(gzFile f) const { (void)gzclose(f); }
    };
    TextLines(gzFile f, std::size_t max_line) : file_(f), max_line_(max_line) {}
    std::unique_ptr<gzFile_s, Close> file_;
    std::size_t max_line_;
    std::string buf_;
    std::size_t pos_ = 0;  // start of the unread part of buf_
    std::string line_;
    bool eof_ = false;
};

}  // namespace hopscope
