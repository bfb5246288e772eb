#include "cli/text_lines.hh"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hopscope {
namespace {

constexpr std::size_t kChunk = 1 << 20;

}  // namespace

Result<TextLines> TextLines::open(const std::string& path, std::size_t max_line) {
    int fd = path == "-" ? ::dup(STDIN_FILENO) : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return make_error(path + ": " + std::strerror(errno));
    gzFile f = gzdopen(fd, "rb");
    if (f == nullptr) {
        ::close(fd);
        return make_error(path + ": cannot read (out of memory)");
    }
    (void)gzbuffer(f, kChunk);
    return TextLines(f, max_line);
}

Result<std::optional<TextLines::Line>> TextLines::next() {
    line_.clear();
    bool cut = false;
    while (true) {
        std::string_view rest(buf_.data() + pos_, buf_.size() - pos_);
        std::size_t nl = rest.find('\n');
        std::string_view piece = nl == std::string_view::npos ? rest : rest.substr(0, nl);
        if (line_.size() < max_line_) {
            std::size_t room = max_line_ - line_.size();
            line_.append(piece.substr(0, room));
            if (piece.size() > room) cut = true;
        } else if (!piece.empty()) {
            cut = true;
        }
        if (nl != std::string_view::npos) {
            pos_ += nl + 1;
            break;
        }
        pos_ = buf_.size();
        if (eof_) {
            if (line_.empty() && !cut) return std::optional<Line>();
            break;  // a last line without its newline
        }
        buf_.resize(kChunk);
        pos_ = 0;
        int n = gzread(file_.get(), buf_.data(), static_cast<unsigned>(buf_.size()));
        if (n < 0) {
            int code = 0;
            const char* why = gzerror(file_.get(), &code);
            return make_error(code == Z_ERRNO ? std::strerror(errno) : why);
        }
        buf_.resize(static_cast<std::size_t>(n));
        if (n == 0) {
            int code = Z_OK;
            const char* why = gzerror(file_.get(), &code);
            // zlib names the stream by its descriptor ("<fd:3>: unexpected end
            // of file"); the caller names the file.
            if (code != Z_OK) {
                std::string_view said = why != nullptr ? why : "";
                if (said.starts_with("<fd:"))
                    if (auto colon = said.find(": "); colon != std::string_view::npos) said.remove_prefix(colon + 2);
                return make_error("the gzip stream is damaged or cut short (" + std::string(said) + ")");
            }
            eof_ = true;
        }
    }
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    return std::optional<Line>(Line{line_, cut});
}

}  // namespace hopscope
