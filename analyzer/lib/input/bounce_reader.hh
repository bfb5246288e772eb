// Bounces: a delivery status notification (RFC 3464 multipart/report with
// message/delivery-status or message/global-delivery-status) read through
// GMime's MIME tree, its per-message and per-recipient fields, and the
// returned message (message/rfc822) or its headers (text/rfc822-headers) as
// bytes for the same pipeline. Pure: bytes in, a value out.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hopscope {

// A report field's value kept (a 1 MB Diagnostic-Code is cut).
inline constexpr std::size_t kMaxBounceField = 4096;

struct BounceRecipient {
    std::optional<std::string> address;  // Final-Recipient (else Original-Recipient), without "rfc822;"
    std::optional<std::string> action;   // failed, delayed, delivered, relayed, expanded
    std::optional<std::string> status;   // "5.7.64"
    std::optional<std::string> remote_mta;
    std::optional<std::string> diagnostic;  // Diagnostic-Code, without "smtp;"
    // Original-Recipient, the address as the sender wrote it, where it is
    // another address than `address` (an alias or a forward that rewrote it).
    std::optional<std::string> original;
    // The last attempt at the destination before the report, where a
    // Microsoft NDR quotes it beside its own result ("Server at
    // neko.example.jp (192.0.2.7) returned '450 4.4.316 Connection refused
    // [...]'"): the server as named there, and the result (its reply, or
    // Exchange Online's words where no SMTP session took place).
    std::optional<std::string> last_attempt_server;
    std::optional<std::string> last_attempt_result;
    // Last-Attempt-Date and Will-Retry-Until (RFC 3464 2.3.7, 2.3.8), as written.
    std::optional<std::string> last_attempt_date;
    std::optional<std::string> will_retry_until;
    bool operator==(const BounceRecipient&) const = default;
};

struct BounceReport {
    std::string kind;  // "dsn", "microsoft-ndr", "exim", "qmail", "postfix", "sendmail", "gmail", ...
    std::optional<std::string> reporting_mta;
    std::optional<std::string> generating_server;  // Microsoft's "Generating server" (later kinds)
    std::optional<std::string> arrival_date;
    std::vector<BounceRecipient> recipients;
    std::optional<std::string> original;  // the returned message or its header block, as bytes
    std::string original_kind;            // "message/rfc822", "text/rfc822-headers", "inline", "text", or empty
    bool operator==(const BounceReport&) const = default;
};

// Whether a message's Content-Type value can be a delivery report: the
// cheap test before any MIME parse (audit asks it of every message).
bool may_be_report(std::string_view content_type);

// The bounce a message is, or nullopt when it is none (a read receipt, a
// plain message). Bounded: at most a few hundred parts, a few levels deep.
std::optional<BounceReport> read_bounce(std::string_view message);

}  // namespace hopscope
