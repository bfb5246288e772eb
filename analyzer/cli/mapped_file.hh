// A read-only memory map of one input file (O_RDONLY, PROT_READ): mailboxes
// are only ever read. Pages already analysed can be given back so a 1 GB
// mbox does not stay resident.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "result.hh"

namespace hopscope {

class MappedFile {
  public:
    static Result<std::shared_ptr<MappedFile>> open(const std::string& path);
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    ~MappedFile();

    [[nodiscard]] std::string_view bytes() const { return {data_, size_}; }
    // Drops the resident pages below `offset` (they are re-read if touched again).
    void release_before(std::size_t offset);
    // Maps the next window past `offset` in one call, before the scan touches
    // it page by page (each touch would be a page fault of its own).
    void prefetch(std::size_t offset);

  private:
    MappedFile() = default;
    const char* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t released_ = 0;
    std::size_t populated_ = 0;
};

}  // namespace hopscope
