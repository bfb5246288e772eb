#include "cli/pst_file.hh"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace hopscope {
namespace {

constexpr unsigned kMaxReaders = 16;  // handles on one file

// Several handles walk the same file; handle k reads the items whose index
// is k modulo their number, and the calling thread hands the items on in
// index order. A reader waits while it is kAhead items past the one handed
// on last, which bounds memory.
class OrderedReaders {
  public:
    OrderedReaders(const PstWalk& how, std::size_t readers)
        : how_(how), readers_(readers), next_(how.from), counted_(readers) {}

    // Reader k's walk over its own handle.
    void read(std::size_t k, PstReader& reader) {
        std::function<PstWant(std::uint64_t)> want = [&](std::uint64_t index) {
            if (index >= how_.to) return PstWant::stop;
            std::lock_guard lock(mutex_);
            if (stop_) return PstWant::stop;
            return !draining_ && index >= how_.from && index % readers_ == k ? PstWant::read : PstWant::skip;
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
        PstTally tally;
        try {
            (void)reader.walk(want, emit, tally);
        } catch (const std::exception&) {  // out of memory in one reader: the items it did not read are missing
        }
        std::lock_guard lock(mutex_);
        counted_[k] = tally;
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
    std::uint64_t next_;                            // the next index to hand on
    std::vector<std::optional<PstTally>> counted_;  // each reader's, once its walk is over
    bool stop_ = false;                             // on_item said stop: every reader stops
    bool draining_ = false;                         // handing on is over: readers only count
};

}  // namespace

Result<PstFile> PstFile::open(const std::string& path) {
    auto reader = PstReader::open(path);
    if (!reader) return make_error(reader.error().message);
    return PstFile(std::move(*reader), path);
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
    std::string path = "/proc/self/fd/" + std::to_string(raw);
    auto reader = PstReader::open(path);
    if (!reader) {
        // The error names the descriptor's path; the user knows the upload's name.
        const std::string& why = reader.error().message;
        auto colon = why.find(": ");
        return make_error(name + (colon == std::string::npos ? ": " + why : why.substr(colon)));
    }
    return PstFile(std::move(fd), std::move(*reader), std::move(path));
}

bool PstFile::walk(const PstWalk& how, const std::function<bool(PstItem)>& on_item) {
    if (how.from >= how.to) return true;
    std::vector<PstReader> more;
    for (unsigned k = 1; k < std::min(how.readers, kMaxReaders); ++k) {
        auto reader = PstReader::open(path_);
        if (!reader) break;  // gone or changed since: fewer readers
        more.push_back(std::move(*reader));
    }
    if (more.empty()) {
        std::function<PstWant(std::uint64_t)> want = [&](std::uint64_t index) {
            if (index >= how.to) return PstWant::stop;
            return index >= how.from ? PstWant::read : PstWant::skip;
        };
        bool refused = false;
        std::function<bool(PstItem)> emit = [&](PstItem item) {
            refused = !on_item(std::move(item));
            return !refused;
        };
        PstTally tally;
        first_.walk(want, emit, tally);
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
    threads.emplace_back([&] { readers.read(0, first_); });
    for (std::size_t k = 0; k < more.size(); ++k) threads.emplace_back([&, k] { readers.read(k + 1, more[k]); });
    return readers.hand_on(on_item);
}

}  // namespace hopscope
