#include "mapped_file.hh"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace hopscope {

Result<std::shared_ptr<MappedFile>> MappedFile::open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return make_error(path + ": cannot open: " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        int e = errno;
        ::close(fd);
        return make_error(path + ": cannot stat: " + std::strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        return make_error(path + ": not a regular file");
    }
    std::shared_ptr<MappedFile> f(new MappedFile());
    f->size_ = static_cast<std::size_t>(st.st_size);
    if (f->size_ > 0) {
        void* p = ::mmap(nullptr, f->size_, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            int e = errno;
            ::close(fd);
            return make_error(path + ": cannot map: " + std::strerror(e));
        }
        ::madvise(p, f->size_, MADV_SEQUENTIAL);
        f->data_ = static_cast<const char*>(p);
    }
    ::close(fd);
    return f;
}

MappedFile::~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);  // NOLINT(cppcoreguidelines-pro-type-const-cast)
}

void MappedFile::release_before(std::size_t offset) {
    static const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    std::size_t end = offset / page * page;
    // Each call flushes the TLB of every core running a worker: give pages
    // back in steps of 16 MB, not per batch.
    constexpr std::size_t kStep = std::size_t{16} << 20;
    if (data_ == nullptr || end < released_ + kStep) return;
    ::madvise(const_cast<char*>(data_) + released_, end - released_, MADV_DONTNEED);  // NOLINT
    released_ = end;
}

void MappedFile::prefetch(std::size_t offset) {
#ifdef MADV_POPULATE_READ
    constexpr std::size_t kWindow = std::size_t{4} << 20;
    if (data_ == nullptr || offset + kWindow / 2 < populated_ || populated_ >= size_) return;
    static const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    std::size_t from = std::max(populated_, offset / page * page);
    std::size_t to = std::min(size_, from + kWindow);
    // Best effort: on an older kernel (EINVAL) the scan just faults as before.
    (void)::madvise(const_cast<char*>(data_) + from, to - from, MADV_POPULATE_READ);  // NOLINT
    populated_ = to;
#else
    (void)offset;
#endif
}

}  // namespace hopscope
