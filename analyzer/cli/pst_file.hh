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
#include <string>

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

    // Calls `on_item`, in walk order (PstReader::walk), for every item whose
    // index is in [from, to). When the handles saw different trees (the file
    // changed while it was read) a last item says so. Returns false when
    // `on_item` asked to stop.
    bool walk(const PstWalk& how, const std::function<bool(PstItem)>& on_item);

  private:
    PstFile(PstReader first, std::string path) : first_(std::move(first)), path_(std::move(path)) {}
    PstReader first_;
    std::string path_;
};

}  // namespace hopscope
