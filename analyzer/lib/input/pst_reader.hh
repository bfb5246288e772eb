// A .pst or .ost mailbox (Outlook's Personal Folders / Offline Storage,
// ANSI and Unicode) read through libpff (Debian libpff-dev, libyal): every
// folder, every message item, in folder order, with its transport headers
// and message class. libpff reads the file on demand, so memory stays
// bounded whatever its size. Small RAII owners around libpff's handles;
// nothing frees by hand.
//
// libpff opens a file by its path (or a libbfio handle), so a reader is one
// libpff handle on a path: from the file to values, no threads. Several
// readers on the same file, and the order they hand items on in, are the
// CLI's (cli/pst_file).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hh"

#include <libpff.h>

namespace hopscope {

// "!BDN": the NDB signature of a PST or OST, read from the content, never the name.
bool is_pst(std::string_view bytes);

struct PstItem {
    std::uint64_t index = 0;                   // its place in the walk, from 0
    std::string folder;                        // "Top of Personal Folders/Inbox/Scans"
    std::uint32_t id = 0;                      // libpff's item identifier (the node id)
    std::optional<std::string> headers;        // PR_TRANSPORT_MESSAGE_HEADERS, UTF-8
    std::optional<std::string> message_class;  // IPM.Note, IPM.Contact, ...
    std::optional<std::string> report_body;    // a report's PR_BODY (REPORT.*, or headers of a multipart/report)
    std::optional<std::string> error;          // the item could not be read
};

// What a walk does with the item it counts as `index`.
enum class PstWant { skip, read, stop };

// What a walk counted so far: every item (read or not) and their node ids,
// in order, hashed (FNV-1a). Two readers that saw the same tree agree on both.
struct PstTally {
    std::uint64_t items = 0;
    std::uint64_t fingerprint = 0xCBF29CE484222325ULL;
};

class PstReader {
  public:
    // One libpff handle on the file at `path`, or why it is no readable PST/OST.
    static Result<PstReader> open(const std::string& path);

    // Counts every message item of every folder, depth first: in each folder
    // its messages (node ids of type "normal message") and then its
    // sub-folders (type "normal folder"; search folders only point at
    // messages held elsewhere). A folder that cannot be read counts as one
    // item carrying its error; a folder seen twice (a cycle in a damaged
    // file) is not walked again. For each item counted, `want(index)` says
    // whether to read it (then `emit` gets it), skip it, or stop. `tally` is
    // kept up to date as the walk goes (so it holds what was counted even
    // when an exception ends the walk). Returns false when `want` or `emit`
    // stopped the walk.
    bool walk(const std::function<PstWant(std::uint64_t)>& want, const std::function<bool(PstItem)>& emit,
              PstTally& tally);

    // One message item by its node id (what audit writes as source.item),
    // found without a walk; its index and folder are not known (0 and "").
    // An id that names no message item is an error that says so.
    Result<PstItem> item(std::uint32_t id);

    struct Close {
        void operator()(libpff_file_t* f) const;
    };
    using Handle = std::unique_ptr<libpff_file_t, Close>;

  private:
    explicit PstReader(Handle f) : file_(std::move(f)) {}
    Handle file_;
};

}  // namespace hopscope
