#include "cli/pst_file.hh"

#include <set>
#include <vector>

#include "base/limits.hh"
#include "base/utf8.hh"

namespace hopscope {
namespace {

constexpr int kMaxFolderDepth = 64;  // deeper is a damaged file, not a mailbox

// libpff's error and item handles, owned.
struct ErrorFree {
    void operator()(libpff_error_t* e) const { libpff_error_free(&e); }
};
using Error = std::unique_ptr<libpff_error_t, ErrorFree>;

struct ItemFree {
    void operator()(libpff_item_t* i) const { libpff_item_free(&i, nullptr); }
};
using Item = std::unique_ptr<libpff_item_t, ItemFree>;

// libpff_error_t** for a call, taken over afterwards.
class ErrorOut {
  public:
    ~ErrorOut() { Error owned(raw_); }
    ErrorOut() = default;
    ErrorOut(const ErrorOut&) = delete;
    ErrorOut& operator=(const ErrorOut&) = delete;
    libpff_error_t** operator&() { return &raw_; }  // NOLINT(google-runtime-operator): the C API's out parameter
    [[nodiscard]] std::string text() const {
        if (raw_ == nullptr) return "unknown error";
        std::vector<char> buf(512, '\0');
        libpff_error_sprint(raw_, buf.data(), buf.size());
        std::string s(buf.data());
        while (!s.empty() && (s.back() == '\n' || s.back() == '.')) s.pop_back();
        auto nl = s.rfind('\n');  // the innermost cause is the last line
        return make_valid_utf8(nl == std::string::npos ? s : s.substr(nl + 1));
    }

  private:
    libpff_error_t* raw_ = nullptr;
};

std::optional<std::string> folder_name(libpff_item_t* folder) {
    size_t size = 0;
    if (libpff_folder_get_utf8_name_size(folder, &size, nullptr) != 1 || size == 0 || size > 4096) return std::nullopt;
    std::string name(size, '\0');
    if (libpff_folder_get_utf8_name(folder, reinterpret_cast<uint8_t*>(name.data()), size, nullptr) != 1)
        return std::nullopt;
    while (!name.empty() && name.back() == '\0') name.pop_back();
    return make_valid_utf8(std::move(name));
}

std::optional<std::string> message_string(libpff_item_t* message, uint32_t entry, std::size_t cap) {
    size_t size = 0;
    if (libpff_message_get_entry_value_utf8_string_size(message, entry, &size, nullptr) != 1 || size == 0)
        return std::nullopt;
    if (size > cap) size = cap;
    std::string value(size, '\0');
    if (libpff_message_get_entry_value_utf8_string(message, entry, reinterpret_cast<uint8_t*>(value.data()), size,
                                                   nullptr) != 1)
        return std::nullopt;
    while (!value.empty() && value.back() == '\0') value.pop_back();
    if (value.starts_with("\xEF\xBB\xBF")) value.erase(0, 3);
    return make_valid_utf8(std::move(value));
}

class Walker {
  public:
    explicit Walker(const std::function<bool(PstItem)>& on_item) : on_item_(on_item) {}

    bool folder(libpff_item_t* f, const std::string& path, int depth) {
        uint32_t id = 0;
        if (libpff_item_get_identifier(f, &id, nullptr) == 1 && !seen_.insert(id).second) return true;  // a cycle
        if (depth > kMaxFolderDepth) return report_error(path, id, "folders nested too deep (a damaged file)");
        int messages = 0;
        {
            ErrorOut error;
            if (libpff_folder_get_number_of_sub_messages(f, &messages, &error) != 1)
                return report_error(path, id, "unreadable folder: " + error.text());
        }
        for (int i = 0; i < messages; ++i) {
            PstItem item;
            item.folder = path;
            libpff_item_t* raw = nullptr;
            ErrorOut error;
            if (libpff_folder_get_sub_message(f, i, &raw, &error) != 1) {
                item.error = "unreadable item " + std::to_string(i) + " of the folder: " + error.text();
            } else {
                Item message(raw);
                (void)libpff_item_get_identifier(message.get(), &item.id, nullptr);
                item.headers = message_string(message.get(), LIBPFF_ENTRY_TYPE_MESSAGE_TRANSPORT_HEADERS,
                                              limits::max_header_block_bytes);
                item.message_class = message_string(message.get(), LIBPFF_ENTRY_TYPE_MESSAGE_CLASS, 256);
            }
            if (!on_item_(std::move(item))) return false;
        }
        int folders = 0;
        {
            ErrorOut error;
            if (libpff_folder_get_number_of_sub_folders(f, &folders, &error) != 1)
                return report_error(path, id, "unreadable sub-folders: " + error.text());
        }
        for (int i = 0; i < folders; ++i) {
            libpff_item_t* raw = nullptr;
            ErrorOut error;
            if (libpff_folder_get_sub_folder(f, i, &raw, &error) != 1) {
                if (!report_error(path, 0, "unreadable sub-folder " + std::to_string(i) + ": " + error.text()))
                    return false;
                continue;
            }
            Item sub(raw);
            std::string name = folder_name(sub.get()).value_or("(no name)");
            for (char& c : name)
                if (c == '/') c = '_';  // the separator of our paths
            std::string child = path;
            if (!child.empty()) child += '/';
            child += name;
            if (!folder(sub.get(), child, depth + 1)) return false;
        }
        return true;
    }

  private:
    bool report_error(const std::string& path, uint32_t id, std::string why) {
        PstItem item;
        item.folder = path;
        item.id = id;
        item.error = std::move(why);
        return on_item_(std::move(item));
    }

    const std::function<bool(PstItem)>& on_item_;
    std::set<uint32_t> seen_;
};

}  // namespace

bool is_pst(std::string_view bytes) {
    return bytes.size() >= 4 && bytes.substr(0, 4) == "!BDN";
}

void PstFile::Close::operator()(libpff_file_t* f) const {
    (void)libpff_file_close(f, nullptr);
    libpff_file_free(&f, nullptr);
}

Result<PstFile> PstFile::open(const std::string& path) {
    libpff_file_t* raw = nullptr;
    ErrorOut error;
    if (libpff_file_initialize(&raw, &error) != 1) return make_error(path + ": cannot read PST files: " + error.text());
    if (libpff_file_open(raw, path.c_str(), LIBPFF_OPEN_READ, &error) != 1) {
        libpff_file_free(&raw, nullptr);
        return make_error(path + ": not a readable PST/OST file: " + error.text());
    }
    return PstFile(raw);
}

bool PstFile::walk(const std::function<bool(PstItem)>& on_item) {
    Walker w(on_item);
    libpff_item_t* raw = nullptr;
    ErrorOut error;
    if (libpff_file_get_root_folder(file_.get(), &raw, &error) != 1) {
        PstItem item;
        item.error = "no readable root folder: " + error.text();
        return on_item(std::move(item));
    }
    Item root(raw);
    return w.folder(root.get(), "", 0);
}

}  // namespace hopscope
