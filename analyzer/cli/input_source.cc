#include "cli/input_source.hh"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/limits.hh"
#include "cli/file_kind.hh"
#include "input/outlook_msg.hh"

namespace hopscope {
namespace {

constexpr std::size_t kReadLimit = limits::max_header_block_bytes + 1;

Result<std::string> read_fd(int fd, const std::string& name) {
    std::string out;
    std::size_t chunk = std::size_t{64} * 1024;
    std::size_t limit = kReadLimit;
    while (out.size() < limit) {
        // An Outlook file is read whole: its headers are not at its start.
        if (limit == kReadLimit && out.size() >= 8 && is_compound_file(out)) limit = limits::max_outlook_file_bytes;
        std::size_t old = out.size();
        std::size_t want = std::min(chunk, limit - old);
        out.resize(old + want);
        ssize_t n = ::read(fd, out.data() + old, want);
        if (n < 0) {
            if (errno == EINTR) {
                out.resize(old);
                continue;
            }
            return make_error(name + ": cannot read: " + std::strerror(errno));
        }
        out.resize(old + static_cast<std::size_t>(n));
        if (n == 0) break;
    }
    return out;
}

}  // namespace

Result<InputText> read_input(const std::string& path) {
    if (path.empty() || path == "-") {
        auto bytes = read_fd(STDIN_FILENO, "<stdin>");
        if (!bytes) return bytes.error();
        return InputText{"<stdin>", std::move(*bytes)};
    }
    // O_NONBLOCK: a FIFO with no writer must not hang the open. A pipe (as
    // `trace <(cmd)` passes) is then read blocking, as stdin is.
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return make_error(path + ": cannot open: " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        int e = errno;
        ::close(fd);
        return make_error(path + ": cannot stat: " + std::strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(fd);
        return make_error(path + ": is a directory (use audit for a folder of messages)");
    }
    if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode)) {
        ::close(fd);
        return make_error(path + ": not a regular file (" + file_kind(st.st_mode) + ")");
    }
    (void)::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    auto bytes = read_fd(fd, path);
    // A file that shrank while it was read gave a message cut short.
    struct stat after {};
    bool shrank = bytes && S_ISREG(st.st_mode) && ::fstat(fd, &after) == 0 &&
                  bytes->size() < std::min(static_cast<std::size_t>(st.st_size),
                                           is_compound_file(*bytes) ? limits::max_outlook_file_bytes : kReadLimit);
    ::close(fd);
    if (!bytes) return bytes.error();
    if (shrank)
        return make_error("input changed while reading: " + path + " shrank from " + std::to_string(st.st_size) +
                          " to " + std::to_string(after.st_size) + " bytes");
    return InputText{path, std::move(*bytes)};
}

}  // namespace hopscope
