// A .pst or .ost mailbox (Outlook's Personal Folders / Offline Storage,
// ANSI and Unicode) read through libpff (Debian libpff-dev, libyal): every
// folder, every message item, in folder order, with its transport headers.
// libpff reads the file on demand, so memory stays bounded whatever its
// size. Small RAII owners around libpff's handles; nothing frees by hand.
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
    std::string folder;                        // "Top of Personal Folders/Inbox/Scans"
    std::uint32_t id = 0;                      // libpff's item identifier (the node id)
    std::optional<std::string> headers;        // PR_TRANSPORT_MESSAGE_HEADERS, UTF-8
    std::optional<std::string> message_class;  // IPM.Note, IPM.Contact, ...
    std::optional<std::string> error;          // the item could not be read
};

class PstFile {
  public:
    static Result<PstFile> open(const std::string& path);

    // Calls `on_item` for every message item of every folder, depth first in
    // the file's folder order. A folder that cannot be read gives one item
    // with its error; a folder seen twice (a cycle in a damaged file) is not
    // walked again. Returns false when `on_item` asked to stop.
    bool walk(const std::function<bool(PstItem)>& on_item);

  private:
    struct Close {
        void operator()(libpff_file_t* f) const;
    };
    explicit PstFile(libpff_file_t* f) : file_(f) {}
    std::unique_ptr<libpff_file_t, Close> file_;
};

}  // namespace hopscope
