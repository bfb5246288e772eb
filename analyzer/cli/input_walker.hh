// Expands audit PATHs into the files to read, in a stable order: a file as
// given, a directory recursively (Maildir cur/ and new/, never tmp/; files
// starting with '.' are markers, not messages). "-" stands for standard
// input. Every entry that is not a directory is listed: what cannot be read
// (a FIFO, a socket, a dangling or looping link) is said when it is opened.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hopscope {

struct InputFile {
    std::string path;
    std::uint64_t size = 0;
};

struct WalkResult {
    std::vector<InputFile> files;
    std::vector<std::string> errors;  // "PATH: why", one per input that could not be opened
};

WalkResult walk_inputs(const std::vector<std::string>& paths);

}  // namespace hopscope
