// A .pst or .ost mailbox (Outlook's Personal Folders / Offline Storage,
// ANSI and Unicode) read through libpff (Debian libpff-dev, libyal): every
// folder, every message item, in folder order, with its transport headers.
// libpff reads the file on demand, so memory stays bounded whatever its
// size. Small RAII owners around libpff's handles; nothing frees by hand.
//
// Reading an item's properties is nearly all the cost (libpff resolves every
// named property of the item against a list), so several handles on the
// same file read items at once, and the items come out in walk order.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
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
    std::optional<std::string> error;          // the item could not be read
};

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

    // Calls `on_item`, in walk order, for every message item of every folder
    // whose index is in [from, to): depth first, in each folder its messages
    // (node ids of type "normal message") and then its sub-folders (type
    // "normal folder"; search folders only point at messages held elsewhere).
    // A folder that cannot be read gives one item with its error; a folder
    // seen twice (a cycle in a damaged file) is not walked again. When the
    // handles saw different trees (the file changed while it was read) a
    // last item says so. Returns false when `on_item` asked to stop.
    bool walk(const PstWalk& how, const std::function<bool(PstItem)>& on_item);

    // One message item by its node id (what audit writes as source.item),
    // found without a walk; its index and folder are not known (0 and "").
    // An id that names no message item is an error that says so.
    Result<PstItem> item(std::uint32_t id);

    struct Close {
        void operator()(libpff_file_t* f) const;
    };
    using Handle = std::unique_ptr<libpff_file_t, Close>;

    // A file descriptor, closed when dropped.
    struct CloseFd {
        void operator()(const int* fd) const;
    };
    using Fd = std::unique_ptr<const int, CloseFd>;

  private:
    PstFile(Handle f, std::string path) : file_(std::move(f)), path_(std::move(path)) {}
    PstFile(Fd memory, Handle f, std::string path)
        : memory_(std::move(memory)), file_(std::move(f)), path_(std::move(path)) {}
    Fd memory_;  // the memory file of open_memory(), closed after file_
    Handle file_;
    std::string path_;
};

}  // namespace hopscope
