// What a file that is not a regular file is, for error messages:
// "not a regular file (FIFO)".
#pragma once

#include <sys/stat.h>

#include <string>

namespace hopscope {

inline std::string file_kind(mode_t mode) {
    if (S_ISDIR(mode)) return "directory";
    if (S_ISFIFO(mode)) return "FIFO";
    if (S_ISSOCK(mode)) return "socket";
    if (S_ISCHR(mode)) return "character device";
    if (S_ISBLK(mode)) return "block device";
    if (S_ISLNK(mode)) return "symbolic link";
    return "special file";
}

}  // namespace hopscope
