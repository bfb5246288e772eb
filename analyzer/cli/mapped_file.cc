#include "cli/mapped_file.hh"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "cli/file_kind.hh"
#include "cli/sigbus_guard.hh"

namespace hopscope {

Result<std::shared_ptr<MappedFile>> MappedFile::open(const std::string& path) {
    // O_NONBLOCK: opening a FIFO would otherwise wait for a writer forever.
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return make_error(path + ": cannot open: " + std::strerror(errno));
    std::shared_ptr<MappedFile> f(new MappedFile());
    f->fd_ = fd;  // closed by the destructor from here on
    struct stat st {};
    if (::fstat(fd, &st) != 0) return make_error(path + ": cannot stat: " + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) return make_error(path + ": not a regular file (" + file_kind(st.st_mode) + ")");
    f->size_ = static_cast<std::size_t>(st.st_size);
    if (f->size_ > 0) {
        void* p = ::mmap(nullptr, f->size_, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) return make_error(path + ": cannot map: " + std::strerror(errno));
        ::madvise(p, f->size_, MADV_SEQUENTIAL);
        f->data_ = static_cast<const char*>(p);
        f->guard_ = sigbus_guard::add(f->data_, f->size_);
    }
    return f;
}

std::optional<std::size_t> MappedFile::shrunk_to() const {
    if (!sigbus_guard::faulted(guard_)) return std::nullopt;
    std::call_once(shrunk_once_, [this] {
        struct stat st {};
        auto now = ::fstat(fd_, &st) == 0 ? static_cast<std::size_t>(st.st_size) : 0;
        shrunk_size_ = std::min(now, size_);
    });
    return shrunk_size_;
}

MappedFile::~MappedFile() {
    if (pager_.joinable()) {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        wake_.notify_one();
        pager_.join();
    }
    sigbus_guard::remove(guard_);
    if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);  // NOLINT(cppcoreguidelines-pro-type-const-cast)
    if (fd_ >= 0) ::close(fd_);
}

namespace {
// Each release flushes the TLB of every core running a worker: pages go back
// in steps of 16 MB, not per batch.
constexpr std::size_t kReleaseStep = std::size_t{16} << 20;
// Mapped ahead of the scan; asked for again once the scan is half way in.
constexpr std::size_t kWindow = std::size_t{4} << 20;
// Files this large get a pager thread (a mailbox, not a message).
constexpr std::size_t kPagerFrom = std::size_t{64} << 20;

std::size_t page_size() {
    static const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    return page;
}
}  // namespace

void MappedFile::release(std::size_t end) {
    if (end <= released_) return;
    ::madvise(const_cast<char*>(data_) + released_, end - released_, MADV_DONTNEED);  // NOLINT
    released_ = end;
}

// Maps [from, to) less what is mapped already or given back; a scan that
// jumped ahead (a Content-Length) leaves the pages it skipped alone.
void MappedFile::populate(std::size_t from, std::size_t to, std::size_t released) {
#ifdef MADV_POPULATE_READ
    from = std::max({from, populated_, released});
    // Best effort: on an older kernel (EINVAL) the scan just faults as before.
    if (to > from) (void)::madvise(const_cast<char*>(data_) + from, to - from, MADV_POPULATE_READ);  // NOLINT
#endif
    populated_ = std::max(populated_, to);
}

void MappedFile::pager_loop() {
    std::unique_lock lock(mutex_);
    while (true) {
        wake_.wait(lock, [&] { return stop_ || want_populated_ > populated_; });
        if (stop_) return;
        std::size_t populate_from = want_populate_from_;
        std::size_t populate_to = want_populated_;
        std::size_t released = released_;
        taken_ = true;
        lock.unlock();
        populate(populate_from, populate_to, released);
        lock.lock();
    }
}

void MappedFile::release_before(std::size_t offset) {
    std::size_t end = offset / page_size() * page_size();
    if (data_ == nullptr || end < asked_released_ + kReleaseStep) return;
    asked_released_ = end;
    // Given back here, not by the pager: a release that waited behind a
    // populate let 30-40 MB more stay resident at the peak. The pager never
    // maps below released_ once it has read it, and a page it maps there
    // anyway is only resident again, never wrong.
    std::lock_guard lock(mutex_);
    release(end);
}

void MappedFile::prefetch(std::size_t offset) {
    std::size_t end = std::min(size_, read_end_);
    if (data_ == nullptr || offset + kWindow / 2 < asked_populated_ || asked_populated_ >= end) return;
    std::size_t from = std::max(asked_populated_, offset / page_size() * page_size());
    if (from >= end) return;
    std::size_t to = std::min(end, from + kWindow);
    asked_populated_ = to;
    if (size_ < kPagerFrom) {
        populate(from, to, released_);
        return;
    }
    if (!pager_.joinable()) pager_ = std::thread([this] { pager_loop(); });
    {
        std::lock_guard lock(mutex_);
        // A request the pager has not read yet still needs its start.
        want_populate_from_ = taken_ ? from : std::min(want_populate_from_, from);
        want_populated_ = to;
        taken_ = false;
    }
    wake_.notify_one();
}

}  // namespace hopscope
