#include "cli/input_walker.hh"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace fs = std::filesystem;

namespace hopscope {
namespace {

bool is_maildir_tmp(const fs::path& dir) {
    if (dir.filename() != "tmp") return false;
    fs::path parent = dir.parent_path();
    std::error_code ec;
    return fs::is_directory(parent / "cur", ec) || fs::is_directory(parent / "new", ec);
}

void walk_directory(const fs::path& root, WalkResult& out) {
    std::vector<InputFile> found;
    std::error_code ec;
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
    if (ec) {
        out.errors.push_back(root.string() + ": cannot read directory: " + ec.message());
        return;
    }
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) {
            out.errors.push_back(root.string() + ": " + ec.message());
            break;
        }
        const fs::directory_entry& e = *it;
        std::string name = e.path().filename().string();
        if (e.is_directory(ec)) {
            if (is_maildir_tmp(e.path()) ||
                (name.starts_with(".") && name.size() > 1 && !fs::exists(e.path() / "cur", ec)))
                it.disable_recursion_pending();
            continue;
        }
        if (name.starts_with(".")) continue;
        // Everything else is an input: what cannot be read as one (a FIFO, a
        // socket, a dangling or looping link, a file gone since the listing)
        // is said by MappedFile::open in its turn, not skipped in silence.
        auto size = e.file_size(ec);
        found.push_back({e.path().string(), ec ? 0 : static_cast<std::uint64_t>(size)});
    }
    std::sort(found.begin(), found.end(), [](const InputFile& a, const InputFile& b) { return a.path < b.path; });
    out.files.insert(out.files.end(), found.begin(), found.end());
}

}  // namespace

WalkResult walk_inputs(const std::vector<std::string>& paths) {
    WalkResult out;
    for (const auto& p : paths) {
        if (p == "-") {  // standard input, read as one stream
            out.files.push_back({p, 0});
            continue;
        }
        std::error_code ec;
        auto st = fs::status(p, ec);
        if (ec || !fs::exists(st)) {
            out.errors.push_back(p +
                                 ": cannot open: " + (ec ? ec.message() : std::string("No such file or directory")));
        } else if (fs::is_directory(st)) {
            walk_directory(p, out);
        } else {
            // Not a regular file: MappedFile::open says so without blocking.
            out.files.push_back({p, fs::is_regular_file(st) ? static_cast<std::uint64_t>(fs::file_size(p, ec)) : 0});
        }
    }
    return out;
}

}  // namespace hopscope
