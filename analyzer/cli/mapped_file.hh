// A read-only memory map of one input file (O_RDONLY, PROT_READ): mailboxes
// are only ever read. Pages already analysed can be given back so a 1 GB
// mbox does not stay resident. The map is guarded (sigbus_guard.hh): when the
// file shrinks under it, reads past the new end find zeros instead of killing
// the process, and shrunk_to() says so.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "base/result.hh"

namespace hopscope {

class MappedFile {
  public:
    // Refuses what is not a regular file (a FIFO, a socket, a device) without
    // blocking on it.
    static Result<std::shared_ptr<MappedFile>> open(const std::string& path);
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    ~MappedFile();

    [[nodiscard]] std::string_view bytes() const { return {data_, size_}; }
    // Drops the resident pages below `offset` (they are re-read if touched again).
    void release_before(std::size_t offset);
    // Maps the next window past `offset` in one call, before the scan touches
    // it page by page (each touch would be a page fault of its own). For files
    // of 64 MB and more the call is made by a pager thread; this only asks.
    void prefetch(std::size_t offset);
    // Maps ahead no further than `end` (the end of the part an audit range reads).
    void read_only_to(std::size_t end) { read_end_ = end; }
    // Once a read past the file's end found zeros (it shrank while being
    // read): its size then. Any thread; cheap until it happens.
    [[nodiscard]] std::optional<std::size_t> shrunk_to() const;

  private:
    MappedFile() = default;
    void populate(std::size_t from, std::size_t to, std::size_t released);
    void release(std::size_t end);
    void pager_loop();

    const char* data_ = nullptr;
    std::size_t size_ = 0;
    int fd_ = -1;     // kept open to tell the new size once the map faulted
    int guard_ = -1;  // sigbus_guard slot
    mutable std::once_flag shrunk_once_;
    mutable std::size_t shrunk_size_ = 0;
    std::size_t released_ = 0;   // given back; under mutex_ once the pager runs
    std::size_t populated_ = 0;  // mapped ahead; by the pager thread once it runs
    // For a large file the page-table work (about a fifth of a second per GB)
    // runs on a pager thread, so the main thread's scan does not wait for it:
    // the caller only moves the targets.
    std::size_t read_end_ = static_cast<std::size_t>(-1);  // read_only_to
    std::size_t asked_populated_ = 0;                      // the caller's own copies, to skip
    std::size_t asked_released_ = 0;                       // asking again for the same step
    std::mutex mutex_;
    std::condition_variable wake_;
    std::size_t want_populate_from_ = 0;  // under mutex_
    std::size_t want_populated_ = 0;      // under mutex_
    bool taken_ = true;                   // under mutex_: the pager has read the targets
    bool stop_ = false;                   // under mutex_
    std::thread pager_;
};

}  // namespace hopscope
