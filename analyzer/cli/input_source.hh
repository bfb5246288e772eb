// Reading one message from a file or standard input, bounded: only the
// header block matters to trace, so at most limits::max_header_block_bytes
// (plus one byte, to see whether a body follows) is kept in memory.
#pragma once

#include <string>

#include "base/result.hh"

namespace hopscope {

struct InputText {
    std::string name;  // for messages: the path, or "<stdin>"
    std::string bytes;
};

Result<InputText> read_input(const std::string& path);

}  // namespace hopscope
