// Several readers of one .pst or .ost at once (input/pst_reader), their
// items handed on in walk order.
//
// Reading an item's properties is nearly all the cost of a PST (libpff
// resolves every property of the item against the file's named-property
// list), so several libpff handles on the same file read items at once, and
// the items come out in walk order.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.hh"
#include "input/pst_reader.hh"

namespace hopscope {

struct PstWalk {
    unsigned readers = 1;                                          // handles reading items at once
    std::uint64_t from = 0;                                        // items before are counted, not read
    std::uint64_t to = std::numeric_limits<std::uint64_t>::max();  // nor from here on
};

class PstFile {
  public:
    static Result<PstFile> open(const std::string& path);

    // A PST/OST held in memory (serve's uploads): copied into an anonymous
    // memory file (memfd) that libpff reads as it reads any file; `name`
    // names it in errors. The copy lives as long as the PstFile.
    static Result<PstFile> open_memory(std::string_view bytes, const std::string& name);

    // Calls `on_item`, in walk order (PstReader::walk), for every item whose
    // index is in [from, to). When the handles saw different trees (the file
    // changed while it was read) a last item says so. Returns false when
    // `on_item` asked to stop.
    bool walk(const PstWalk& how, const std::function<bool(PstItem)>& on_item);

    // One message item by its node id (PstReader::item).
    Result<PstItem> item(std::uint32_t id) { return first_.item(id); }

    // A file descriptor, closed when dropped.
    struct CloseFd {
        void operator()(const int* fd) const;
    };
    using Fd = std::unique_ptr<const int, CloseFd>;

  private:
    PstFile(PstReader first, std::string path) : first_(std::move(first)), path_(std::move(path)) {}
    PstFile(Fd memory, PstReader first, std::string path)
        : memory_(std::move(memory)), first_(std::move(first)), path_(std::move(path)) {}
    Fd memory_;  // the memory file of open_memory(), closed after first_
    PstReader first_;
    std::string path_;
};

}  // namespace hopscope
