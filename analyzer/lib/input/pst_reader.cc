#include "input/pst_reader.hh"

#include <set>
#include <vector>

#include "base/limits.hh"
#include "base/utf8.hh"
#include "input/outlook_msg.hh"

namespace hopscope {
namespace {

constexpr int kMaxFolderDepth = 64;              // deeper is a damaged file, not a mailbox
constexpr std::size_t kMaxFolderName = 4096;     // bytes of a folder's name, with its NUL
constexpr std::size_t kMaxReportBody = 1 << 20;  // a report's prose (outlook_msg's limit for a text)

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
        // The backtrace, innermost cause first ("libpff_io_handle_read_file_header:
        // mismatch in file header checksum ..."), then each caller up to
        // "libpff_file_open: unable to open file": the cause and the call.
        std::vector<char> buf(4096, '\0');
        if (libpff_error_backtrace_sprint(raw_, buf.data(), buf.size()) < 0)
            libpff_error_sprint(raw_, buf.data(), buf.size());
        std::string s(buf.data());
        while (!s.empty() && (s.back() == '\n' || s.back() == '.')) s.pop_back();
        auto line = [](std::string l) {
            while (!l.empty() && (l.back() == '.' || l.back() == ' ')) l.pop_back();
            return l;
        };
        const auto first_nl = s.find('\n');
        std::string cause = line(s.substr(0, first_nl));
        if (first_nl == std::string::npos) return make_valid_utf8(cause);
        std::string top = line(s.substr(s.rfind('\n') + 1));
        // The call's own line names the file: the caller names it already.
        if (auto colon = top.find(": unable to "); colon != std::string::npos)
            top = top.substr(0, top.find(": ", colon + 2));  // npos: all of it
        return make_valid_utf8(top + " (" + cause + ")");
    }

  private:
    libpff_error_t* raw_ = nullptr;
};

struct RecordSetFree {
    void operator()(libpff_record_set_t* s) const { libpff_record_set_free(&s, nullptr); }
};
using RecordSet = std::unique_ptr<libpff_record_set_t, RecordSetFree>;

struct RecordEntryFree {
    void operator()(libpff_record_entry_t* e) const { libpff_record_entry_free(&e, nullptr); }
};
using RecordEntry = std::unique_ptr<libpff_record_entry_t, RecordEntryFree>;

// An item's properties: its first record set (libpff reads the item's
// property table at the first look). Every entry is found by its own tag,
// never through the named-property (name-to-id) map: the properties read
// here are all tags below 0x8000, and a named property whose mapped id
// happens to equal one of them is not that property.
class Properties {
  public:
    // The file's code page (`ascii_codepage`) is what libpff decodes 8-bit
    // strings with.
    Properties(libpff_item_t* item, int ascii_codepage) : item_(item), ascii_codepage_(ascii_codepage) {
        libpff_record_set_t* raw = nullptr;
        if (libpff_item_get_record_set_by_index(item, 0, &raw, nullptr) == 1) set_.reset(raw);
    }

    // A string property (PT_UNICODE or PT_STRING8) as UTF-8, at most `cap`
    // bytes with its terminating NUL (a longer value is not read), without a
    // byte-order mark, made valid UTF-8.
    std::optional<std::string> string(std::uint32_t tag, std::size_t cap) {
        RecordEntry e = entry(tag, 0);
        if (!e) return std::nullopt;
        std::uint32_t value_type = 0;
        if (libpff_record_entry_get_value_type(e.get(), &value_type, nullptr) != 1) return std::nullopt;
        if (value_type == LIBPFF_VALUE_TYPE_STRING_ASCII && !in_file_codepage()) {
            // In the message's own code page, which only libpff's message
            // functions decode with (the record entry knows the file's).
            return message_string(tag, cap);
        }
        if (value_type != LIBPFF_VALUE_TYPE_STRING_ASCII && value_type != LIBPFF_VALUE_TYPE_STRING_UNICODE)
            return std::nullopt;
        size_t size = 0;
        if (libpff_record_entry_get_data_as_utf8_string_size(e.get(), &size, nullptr) != 1 || size == 0)
            return std::nullopt;
        if (size > cap) return std::nullopt;  // libpff reads all of it or nothing
        std::string value(size, '\0');
        if (libpff_record_entry_get_data_as_utf8_string(e.get(), reinterpret_cast<uint8_t*>(value.data()), size,
                                                        nullptr) != 1)
            return std::nullopt;
        return clean(std::move(value));
    }

  private:
    [[nodiscard]] RecordEntry entry(std::uint32_t tag, std::uint32_t value_type) const {
        if (!set_) return nullptr;
        libpff_record_entry_t* raw = nullptr;
        std::uint8_t flags = LIBPFF_ENTRY_VALUE_FLAG_IGNORE_NAME_TO_ID_MAP;
        if (value_type == 0) flags |= LIBPFF_ENTRY_VALUE_FLAG_MATCH_ANY_VALUE_TYPE;
        if (libpff_record_set_get_entry_by_type(set_.get(), tag, value_type, &raw, flags, nullptr) != 1) return nullptr;
        return RecordEntry(raw);
    }

    // PR_MESSAGE_CODEPAGE, where the item has one, is the file's code page.
    [[nodiscard]] bool in_file_codepage() const {
        RecordEntry e = entry(LIBPFF_ENTRY_TYPE_MESSAGE_CODEPAGE, LIBPFF_VALUE_TYPE_INTEGER_32BIT_SIGNED);
        std::uint32_t codepage = 0;
        if (!e || libpff_record_entry_get_data_as_32bit_integer(e.get(), &codepage, nullptr) != 1) return true;
        return codepage == static_cast<std::uint32_t>(ascii_codepage_);
    }

    [[nodiscard]] std::optional<std::string> message_string(std::uint32_t tag, std::size_t cap) const {
        size_t size = 0;
        if (libpff_message_get_entry_value_utf8_string_size(item_, tag, &size, nullptr) != 1 || size == 0)
            return std::nullopt;
        if (size > cap) return std::nullopt;  // libpff reads all of it or nothing
        std::string value(size, '\0');
        if (libpff_message_get_entry_value_utf8_string(item_, tag, reinterpret_cast<uint8_t*>(value.data()), size,
                                                       nullptr) != 1)
            return std::nullopt;
        return clean(std::move(value));
    }

    static std::string clean(std::string value) {
        while (!value.empty() && value.back() == '\0') value.pop_back();
        if (value.starts_with("\xEF\xBB\xBF")) value.erase(0, 3);
        return make_valid_utf8(std::move(value));
    }

    libpff_item_t* item_;
    int ascii_codepage_;
    RecordSet set_;
};

// MS-PST node id types (the low five bits of a node id). The item tree
// libpff builds from the node index at open gives a folder's children
// without reading its contents table, which costs a quarter of a walk.
constexpr std::uint32_t kNodeTypeMask = 0x1F;
constexpr std::uint32_t kNormalFolder = 0x02;
constexpr std::uint32_t kNormalMessage = 0x04;

// One handle's depth-first walk. Every handle walking the same file counts
// the same items in the same order, so `want` can share the reading out.
// What an item says of itself: its transport headers and class, and, for a
// report (outlook_report), the prose of PR_BODY, which
// names the recipients and codes an Exchange NDR's headers do not.
void fill(PstItem& item, Properties& properties) {
    item.headers = properties.string(LIBPFF_ENTRY_TYPE_MESSAGE_TRANSPORT_HEADERS, limits::max_header_block_bytes);
    item.message_class = properties.string(LIBPFF_ENTRY_TYPE_MESSAGE_CLASS, 256);
    if (outlook_report(item.message_class, item.headers))
        item.report_body = properties.string(LIBPFF_ENTRY_TYPE_MESSAGE_BODY_PLAIN_TEXT, kMaxReportBody);
}

class Walker {
  public:
    Walker(const std::function<PstWant(std::uint64_t)>& want, const std::function<bool(PstItem)>& emit, PstTally& tally)
        : want_(want), emit_(emit), tally_(tally) {}

    // False when stopped (by `want` or `emit`).
    bool root(libpff_file_t* file) {
        if (libpff_file_get_ascii_codepage(file, &ascii_codepage_, nullptr) != 1) ascii_codepage_ = 1252;
        libpff_item_t* raw = nullptr;
        ErrorOut error;
        Folder top;
        if (libpff_file_get_root_folder(file, &raw, &error) != 1)
            return report_error(top, 0, "no readable root folder: " + error.text());
        Item root(raw);
        top.item = root.get();
        return folder(top, 0);
    }

  private:
    // A folder on the walk's way down. Its path inside the file ("Top of
    // Personal Folders/Inbox") is read, with its parents', only when an item
    // in it is read: most folders of a mailbox (calendar, contacts, search
    // roots; 27 of the 36 in the shared OST) hold no message.
    struct Folder {
        Folder* parent = nullptr;  // none for the root, whose path is ""
        libpff_item_t* item = nullptr;
        std::optional<std::string> path;
    };

    const std::string& path_of(Folder& f) {
        if (f.path) return *f.path;
        if (f.parent == nullptr) return f.path.emplace();
        std::string name = Properties(f.item, ascii_codepage_)
                               .string(LIBPFF_ENTRY_TYPE_DISPLAY_NAME, kMaxFolderName)
                               .value_or("(no name)");
        for (char& c : name)
            if (c == '/') c = '_';  // the separator of our paths
        std::string path = path_of(*f.parent);
        if (!path.empty()) path += '/';
        path += name;
        return f.path.emplace(std::move(path));
    }

    bool folder(Folder& f, int depth) {
        uint32_t id = 0;
        if (libpff_item_get_identifier(f.item, &id, nullptr) == 1 && !seen_.insert(id).second) return true;  // a cycle
        if (depth > kMaxFolderDepth) return report_error(f, id, "folders nested too deep (a damaged file)");
        int children = 0;
        {
            ErrorOut error;
            if (libpff_item_get_number_of_sub_items(f.item, &children, &error) != 1)
                return report_error(f, id, "unreadable folder: " + error.text());
        }
        // Its messages first, then its folders, each in the file's order.
        std::vector<Item> sub_folders;
        for (int i = 0; i < children; ++i) {
            libpff_item_t* raw = nullptr;
            ErrorOut error;
            if (libpff_item_get_sub_item(f.item, i, &raw, &error) != 1) {
                if (!report_error(f, 0, "unreadable item " + std::to_string(i) + " of the folder: " + error.text()))
                    return false;
                continue;
            }
            Item child(raw);
            uint32_t child_id = 0;
            if (libpff_item_get_identifier(child.get(), &child_id, nullptr) != 1) continue;
            if ((child_id & kNodeTypeMask) == kNormalFolder) {
                sub_folders.push_back(std::move(child));
            } else if ((child_id & kNodeTypeMask) == kNormalMessage) {
                if (!message(f, child.get(), child_id)) return false;
            }
        }
        for (const Item& child : sub_folders) {
            Folder sub{&f, child.get(), std::nullopt};
            if (!folder(sub, depth + 1)) return false;
        }
        return true;
    }

    bool message(Folder& f, libpff_item_t* m, uint32_t id) {
        return take(f, id, [&](PstItem& item) {
            Properties properties(m, ascii_codepage_);
            fill(item, properties);
        });
    }

    bool report_error(Folder& f, uint32_t id, std::string why) {
        return take(f, id, [&](PstItem& item) { item.error = std::move(why); });
    }

    // Counts the next item; when this handle reads it, `fill` completes it
    // and it is emitted. False when the walk is to stop.
    template <typename Fill>
    bool take(Folder& f, uint32_t id, Fill fill) {
        std::uint64_t index = count(id);
        PstWant want = want_(index);
        if (want != PstWant::read) return want == PstWant::skip;
        PstItem item;
        item.index = index;
        item.folder = path_of(f);
        item.id = id;
        fill(item);
        return emit_(std::move(item));
    }

    std::uint64_t count(uint32_t id) {
        for (int shift = 0; shift < 32; shift += 8) {
            tally_.fingerprint ^= (id >> static_cast<unsigned>(shift)) & 0xFFU;
            tally_.fingerprint *= 0x100000001B3ULL;
        }
        return tally_.items++;
    }

    const std::function<PstWant(std::uint64_t)>& want_;
    const std::function<bool(PstItem)>& emit_;
    PstTally& tally_;
    int ascii_codepage_ = 1252;
    std::set<uint32_t> seen_;
};

}  // namespace

bool is_pst(std::string_view bytes) {
    return bytes.size() >= 4 && bytes.substr(0, 4) == "!BDN";
}

void PstReader::Close::operator()(libpff_file_t* f) const {
    (void)libpff_file_close(f, nullptr);
    libpff_file_free(&f, nullptr);
}

Result<PstReader> PstReader::open(const std::string& path) {
    libpff_file_t* raw = nullptr;
    ErrorOut error;
    if (libpff_file_initialize(&raw, &error) != 1) return make_error(path + ": cannot read PST files: " + error.text());
    Handle handle(raw);  // closing a handle that opened nothing is harmless
    if (libpff_file_open(raw, path.c_str(), LIBPFF_OPEN_READ, &error) != 1) {
        // libpff ends its words with the path again ("unable to open file: PATH").
        std::string why = error.text();
        if (why.ends_with(": " + path)) why.resize(why.size() - path.size() - 2);
        return make_error(path + ": not a readable PST/OST file: " + why);
    }
    return PstReader(std::move(handle));
}

Result<PstItem> PstReader::item(std::uint32_t id) {
    if ((id & kNodeTypeMask) != kNormalMessage)
        return make_error("item " + std::to_string(id) +
                          " is no message item (audit writes a message's id as source.item)");
    int ascii_codepage = 1252;
    if (libpff_file_get_ascii_codepage(file_.get(), &ascii_codepage, nullptr) != 1) ascii_codepage = 1252;
    libpff_item_t* raw = nullptr;
    ErrorOut error;
    int found = libpff_file_get_item_by_identifier(file_.get(), id, &raw, &error);
    if (found != 1)
        return make_error("no item " + std::to_string(id) + (found < 0 ? ": " + error.text() : std::string()));
    Item m(raw);
    Properties properties(m.get(), ascii_codepage);
    PstItem item;
    item.id = id;
    fill(item, properties);
    return item;
}

bool PstReader::walk(const std::function<PstWant(std::uint64_t)>& want, const std::function<bool(PstItem)>& emit,
                     PstTally& tally) {
    Walker w(want, emit, tally);
    return w.root(file_.get());
}

}  // namespace hopscope
