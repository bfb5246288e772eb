// An Outlook .msg file (a Compound File Binary, MS-OXMSG) read through
// libgsf's OLE2 reader (GLib-based like GMime; chosen by measurement: 14,000
// opens of the 70 shared samples, each reading PR_TRANSPORT_MESSAGE_HEADERS,
// took 3.1 s against libolecf's 3.5 s, and it reads from memory where
// libolecf wants a file). Pure: bytes in, values out. Bounded: embedded
// messages four levels deep and 64 per message, property streams and the
// transport headers capped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hh"

namespace hopscope {

struct OutlookMessage {
    // PR_TRANSPORT_MESSAGE_HEADERS (0x007D) in UTF-8, byte-order mark
    // stripped: the 001F (UTF-16LE) stream, else 001E (8-bit, in the code
    // page of PR_INTERNET_CPID or PR_MESSAGE_CODEPAGE, else Windows-1252).
    std::optional<std::string> transport_headers;
    std::optional<std::string> message_class;  // IPM.Note, IPM.Contact, ...
    std::optional<std::string> subject;        // PR_SUBJECT
    std::optional<std::string> sender;         // "Name <address>" from PR_SENDER_NAME / PR_SENDER_EMAIL_ADDRESS
    std::optional<std::int64_t> sent;          // PR_CLIENT_SUBMIT_TIME, Unix seconds
    // PR_BODY (0x1000), read for reports only (REPORT.IPM.Note.NDR, .DR, ...,
    // or transport headers that say multipart/report):
    // an Outlook store keeps a report's prose there, not in MIME parts.
    std::optional<std::string> report_body;
    std::vector<OutlookMessage> attachments;  // embedded messages (attach method 5), in order
};

// The CFB signature D0 CF 11 E0 A1 B1 1A E1: the kind is read from the content, never the name.
bool is_compound_file(std::string_view bytes);

// The message, or why the bytes are no readable Outlook message.
Result<OutlookMessage> read_outlook_msg(std::string_view bytes);

// Whether an Outlook item (a .msg, a PST/OST item) is a report whose prose,
// in PR_BODY, is read: a REPORT.* class, or an NDR kept as IPM.Note whose
// transport headers still say multipart/report.
bool outlook_report(const std::optional<std::string>& message_class, const std::optional<std::string>& headers);

// A Windows code page number as an iconv charset name ("CP1252", "UTF-8", "ISO-8859-2", ...).
std::string codepage_charset(std::uint32_t codepage);

}  // namespace hopscope
