#include "cli/pst_file.hh"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "base/limits.hh"
#include "base/utf8.hh"

namespace hopscope {
namespace {

constexpr int kMaxFolderDepth = 64;   // deeper is a damaged file, not a mailbox
constexpr unsigned kMaxReaders = 16;  // handles on one file

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

// MS-PST node id types (the low five bits of a node id). The item tree
// libpff builds from the node index at open gives a folder's children
// without reading its contents table, which costs a quarter of a walk.
constexpr std::uint32_t kNodeTypeMask = 0x1F;
constexpr std::uint32_t kNormalFolder = 0x02;
constexpr std::uint32_t kNormalMessage = 0x04;

// What a walk does with the item it counts as `index`.
enum class Want { skip, read, stop };

// One handle's depth-first walk. Every handle walking the same file counts
// the same items in the same order, so `want` can share the reading out.
class Walker {
  public:
    Walker(const std::function<Want(std::uint64_t)>& want, const std::function<bool(PstItem)>& emit)
        : want_(want), emit_(emit) {}

    // False when stopped (by `want` or `emit`).
    bool root(libpff_file_t* file) {
        libpff_item_t* raw = nullptr;
        ErrorOut error;
        if (libpff_file_get_root_folder(file, &raw, &error) != 1)
            return report_error("", 0, "no readable root folder: " + error.text());
        Item root(raw);
        return folder(root.get(), "", 0);
    }

    // Items counted so far (read or not).
    [[nodiscard]] std::uint64_t counted() const { return next_; }

    // The node ids of the items counted, in order, hashed (FNV-1a): two
    // handles that saw the same tree agree on it.
    [[nodiscard]] std::uint64_t fingerprint() const { return fingerprint_; }

  private:
    bool folder(libpff_item_t* f, const std::string& path, int depth) {
        uint32_t id = 0;
        if (libpff_item_get_identifier(f, &id, nullptr) == 1 && !seen_.insert(id).second) return true;  // a cycle
        if (depth > kMaxFolderDepth) return report_error(path, id, "folders nested too deep (a damaged file)");
        int children = 0;
        {
            ErrorOut error;
            if (libpff_item_get_number_of_sub_items(f, &children, &error) != 1)
                return report_error(path, id, "unreadable folder: " + error.text());
        }
        // Its messages first, then its folders, each in the file's order.
        std::vector<Item> sub_folders;
        for (int i = 0; i < children; ++i) {
            libpff_item_t* raw = nullptr;
            ErrorOut error;
            if (libpff_item_get_sub_item(f, i, &raw, &error) != 1) {
                if (!report_error(path, 0, "unreadable item " + std::to_string(i) + " of the folder: " + error.text()))
                    return false;
                continue;
            }
            Item child(raw);
            uint32_t child_id = 0;
            if (libpff_item_get_identifier(child.get(), &child_id, nullptr) != 1) continue;
            if ((child_id & kNodeTypeMask) == kNormalFolder) {
                sub_folders.push_back(std::move(child));
            } else if ((child_id & kNodeTypeMask) == kNormalMessage) {
                if (!message(child.get(), path, child_id)) return false;
            }
        }
        for (const Item& child : sub_folders) {
            std::string name = folder_name(child.get()).value_or("(no name)");
            for (char& c : name)
                if (c == '/') c = '_';  // the separator of our paths
            std::string sub = path;
            if (!sub.empty()) sub += '/';
            sub += name;
            if (!folder(child.get(), sub, depth + 1)) return false;
        }
        return true;
    }

    bool message(libpff_item_t* m, const std::string& path, uint32_t id) {
        return take(path, id, [&](PstItem& item) {
            item.headers =
                message_string(m, LIBPFF_ENTRY_TYPE_MESSAGE_TRANSPORT_HEADERS, limits::max_header_block_bytes);
            item.message_class = message_string(m, LIBPFF_ENTRY_TYPE_MESSAGE_CLASS, 256);
        });
    }

    bool report_error(const std::string& path, uint32_t id, std::string why) {
        return take(path, id, [&](PstItem& item) { item.error = std::move(why); });
    }

    // Counts the next item; when this handle reads it, `fill` completes it
    // and it is emitted. False when the walk is to stop.
    template <typename Fill>
    bool take(const std::string& path, uint32_t id, Fill fill) {
        std::uint64_t index = count(id);
        Want want = want_(index);
        if (want != Want::read) return want == Want::skip;
        PstItem item;
        item.index = index;
        item.folder = path;
        item.id = id;
        fill(item);
        return emit_(std::move(item));
    }

    std::uint64_t count(uint32_t id) {
        for (int shift = 0; shift < 32; shift += 8) {
            fingerprint_ ^= (id >> static_cast<unsigned>(shift)) & 0xFFU;
            fingerprint_ *= 0x100000001B3ULL;
        }
        return next_++;
    }

    const std::function<Want(std::uint64_t)>& want_;
    const std::function<bool(PstItem)>& emit_;
    std::uint64_t next_ = 0;
    std::uint64_t fingerprint_ = 0xCBF29CE484222325ULL;
    std::set<uint32_t> seen_;
};

// Several handles walk the same file; handle k reads the items whose index
// is k modulo their number, and the calling thread hands the items on in
// index order. A reader waits while it is kAhead items past the one handed
// on last, which bounds memory.
class OrderedReaders {
  public:
    OrderedReaders(const PstWalk& how, std::size_t readers)
        : how_(how), readers_(readers), next_(how.from), counted_(readers) {}

    // Reader k's walk over its own handle.
    void read(std::size_t k, libpff_file_t* file) {
        std::function<Want(std::uint64_t)> want = [&](std::uint64_t index) {
            if (index >= how_.to) return Want::stop;
            std::lock_guard lock(mutex_);
            if (stop_) return Want::stop;
            return !draining_ && index >= how_.from && index % readers_ == k ? Want::read : Want::skip;
        };
        std::function<bool(PstItem)> emit = [&](PstItem item) {
            std::unique_lock lock(mutex_);
            room_.wait(lock, [&] { return stop_ || draining_ || item.index < next_ + kAhead; });
            if (stop_) return false;
            if (draining_) return true;  // nobody will hand it on
            std::uint64_t index = item.index;
            ready_.emplace(index, std::move(item));
            if (index == next_) arrived_.notify_one();
            return true;
        };
        Walker w(want, emit);
        try {
            (void)w.root(file);
        } catch (const std::exception&) {  // out of memory in one reader: the items it did not read are missing
        }
        std::lock_guard lock(mutex_);
        counted_[k] = Count{w.counted(), w.fingerprint()};
        arrived_.notify_one();
    }

    // Hands items on in order until every reader is done or `on_item` says stop.
    bool hand_on(const std::function<bool(PstItem)>& on_item) {
        while (true) {
            std::unique_lock lock(mutex_);
            arrived_.wait(lock, [&] { return ready_.contains(next_) || ended(); });
            auto at = ready_.find(next_);
            if (at == ready_.end()) break;
            PstItem item = std::move(at->second);
            ready_.erase(at);
            ++next_;
            room_.notify_all();
            lock.unlock();
            if (!on_item(std::move(item))) {
                stop();
                return false;
            }
        }
        // The others finish counting, reading nothing more. Every handle counts
        // every item: different counts or node ids mean different trees.
        std::unique_lock lock(mutex_);
        draining_ = true;
        room_.notify_all();
        arrived_.wait(lock, [&] {
            return std::all_of(counted_.begin(), counted_.end(), [](const auto& c) { return c.has_value(); });
        });
        auto by_items = [](const auto& a, const auto& b) { return a->items < b->items; };
        auto [fewest, most] = std::minmax_element(counted_.begin(), counted_.end(), by_items);
        bool same = std::all_of(counted_.begin(), counted_.end(), [&](const auto& c) {
            return c->items == counted_.front()->items && c->fingerprint == counted_.front()->fingerprint;
        });
        if (same) return true;
        PstItem changed;
        changed.index = next_;
        changed.error = (*fewest)->items == (*most)->items
                            ? "the file changed while it was read: its readers saw different items; some records may "
                              "come from the new file"
                            : "the file changed while it was read: its readers counted from " +
                                  std::to_string((*fewest)->items) + " to " + std::to_string((*most)->items) +
                                  " items; some may be missing";
        lock.unlock();
        return on_item(std::move(changed));
    }

    void stop() {
        std::lock_guard lock(mutex_);
        stop_ = true;
        room_.notify_all();
    }

  private:
    static constexpr std::uint64_t kAhead = 64;

    // The reader of the next item is done without it (under mutex_).
    [[nodiscard]] bool ended() const {
        if (next_ >= how_.to) return true;
        const auto& counted = counted_[next_ % readers_];
        return counted.has_value() && counted->items <= next_;
    }

    const PstWalk& how_;
    std::size_t readers_;
    std::mutex mutex_;
    std::condition_variable arrived_;
    std::condition_variable room_;
    std::map<std::uint64_t, PstItem> ready_;
    std::uint64_t next_;  // the next index to hand on
    struct Count {
        std::uint64_t items;
        std::uint64_t fingerprint;
    };
    std::vector<std::optional<Count>> counted_;  // each reader's, once its walk is over
    bool stop_ = false;                          // on_item said stop: every reader stops
    bool draining_ = false;                      // handing on is over: readers only count
};

}  // namespace

bool is_pst(std::string_view bytes) {
    return bytes.size() >= 4 && bytes.substr(0, 4) == "!BDN";
}

void PstFile::Close::operator()(libpff_file_t* f) const {
    (void)libpff_file_close(f, nullptr);
    libpff_file_free(&f, nullptr);
}

namespace {

Result<PstFile::Handle> open_handle(const std::string& path) {
    libpff_file_t* raw = nullptr;
    ErrorOut error;
    if (libpff_file_initialize(&raw, &error) != 1) return make_error(path + ": cannot read PST files: " + error.text());
    PstFile::Handle handle(raw);  // closing a handle that opened nothing is harmless
    if (libpff_file_open(raw, path.c_str(), LIBPFF_OPEN_READ, &error) != 1)
        return make_error(path + ": not a readable PST/OST file: " + error.text());
    return handle;
}

}  // namespace

Result<PstFile> PstFile::open(const std::string& path) {
    auto handle = open_handle(path);
    if (!handle) return make_error(handle.error().message);
    return PstFile(std::move(*handle), path);
}

void PstFile::CloseFd::operator()(const int* fd) const {
    (void)::close(*fd);
    delete fd;  // NOLINT(cppcoreguidelines-owning-memory): the unique_ptr's own
}

// libbfio's memory range would spare the copy, but Debian's reads past the
// end of a range shorter than what libpff asks for; a memfd is read with
// read(2), which stops at the end.
Result<PstFile> PstFile::open_memory(std::string_view bytes, const std::string& name) {
    int raw = ::memfd_create("hopscope-pst", MFD_CLOEXEC);
    if (raw < 0) return make_error(name + ": cannot hold the file in memory: " + std::strerror(errno));
    Fd fd(new int(raw));
    for (std::size_t done = 0; done < bytes.size();) {
        ssize_t n = ::write(raw, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return make_error(name + ": cannot hold the file in memory: " + std::strerror(errno));
        done += static_cast<std::size_t>(n);
    }
    auto handle = open_handle("/proc/self/fd/" + std::to_string(raw));
    if (!handle) {
        // The error names the descriptor's path; the user knows the upload's name.
        const std::string& why = handle.error().message;
        auto colon = why.find(": ");
        return make_error(name + (colon == std::string::npos ? ": " + why : why.substr(colon)));
    }
    return PstFile(std::move(fd), std::move(*handle), "/proc/self/fd/" + std::to_string(raw));
}

Result<PstItem> PstFile::item(std::uint32_t id) {
    if ((id & kNodeTypeMask) != kNormalMessage)
        return make_error("item " + std::to_string(id) +
                          " is no message item (audit writes a message's id as source.item)");
    libpff_item_t* raw = nullptr;
    ErrorOut error;
    int found = libpff_file_get_item_by_identifier(file_.get(), id, &raw, &error);
    if (found != 1)
        return make_error("no item " + std::to_string(id) + (found < 0 ? ": " + error.text() : std::string()));
    Item m(raw);
    PstItem item;
    item.id = id;
    item.headers = message_string(m.get(), LIBPFF_ENTRY_TYPE_MESSAGE_TRANSPORT_HEADERS, limits::max_header_block_bytes);
    item.message_class = message_string(m.get(), LIBPFF_ENTRY_TYPE_MESSAGE_CLASS, 256);
    return item;
}

bool PstFile::walk(const PstWalk& how, const std::function<bool(PstItem)>& on_item) {
    if (how.from >= how.to) return true;
    std::vector<Handle> more;
    for (unsigned k = 1; k < std::min(how.readers, kMaxReaders); ++k) {
        auto handle = open_handle(path_);
        if (!handle) break;  // gone or changed since: fewer readers
        more.push_back(std::move(*handle));
    }
    if (more.empty()) {
        std::function<Want(std::uint64_t)> want = [&](std::uint64_t index) {
            if (index >= how.to) return Want::stop;
            return index >= how.from ? Want::read : Want::skip;
        };
        bool refused = false;
        std::function<bool(PstItem)> emit = [&](PstItem item) {
            refused = !on_item(std::move(item));
            return !refused;
        };
        Walker w(want, emit);
        w.root(file_.get());
        return !refused;
    }
    OrderedReaders readers(how, more.size() + 1);
    std::vector<std::thread> threads;
    // Joined however hand_on ends (on_item may throw).
    struct JoinAll {
        OrderedReaders& readers;
        std::vector<std::thread>& threads;
        JoinAll(OrderedReaders& r, std::vector<std::thread>& t) : readers(r), threads(t) {}
        ~JoinAll() {
            readers.stop();
            for (auto& t : threads) t.join();
        }
        JoinAll(const JoinAll&) = delete;
        JoinAll& operator=(const JoinAll&) = delete;
    } join(readers, threads);
    threads.emplace_back([&] { readers.read(0, file_.get()); });
    for (std::size_t k = 0; k < more.size(); ++k) threads.emplace_back([&, k] { readers.read(k + 1, more[k].get()); });
    return readers.hand_on(on_item);
}

}  // namespace hopscope
