// Messages attached to a message as message/rfc822 parts: how users report
// suspicious mail ("forward as attachment"), each with the header block it
// arrived with, and the messages attached to it in turn. Read through
// GMime's MIME tree. Pure: bytes in, values out. Bounded: four levels deep,
// 64 messages in all, a few hundred parts looked at.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "input/dash_lines.hh"

namespace hopscope {

struct AttachedMessage {
    std::string headers;                    // its header block, as the trace reads one
    std::vector<AttachedMessage> attached;  // messages attached to it, in order
};

// The cheap test before any MIME parse (audit asks it of every message):
// whether a multipart message's part headers (the lines after a line that
// starts with "--", up to a blank line) name message/rfc822, or a
// multipart/digest (whose parts are messages by default). `content_type` is
// the message's Content-Type value. `dashes`, when given, are the message's
// "--" lines as the mbox splitter noted them, and `body_offset` where `body`
// starts in that message: where they cover the body, it is not searched again.
bool may_attach_messages(std::string_view content_type, std::string_view body, const DashLines* dashes = nullptr,
                         std::size_t body_offset = 0);

// The message/rfc822 parts of a message, in order; a delivery report's
// returned message is not one (the bounce reader reads it).
std::vector<AttachedMessage> read_attached_messages(std::string_view message);

}  // namespace hopscope
