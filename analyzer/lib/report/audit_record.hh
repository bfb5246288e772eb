// One message of an audit: analysed the same way as trace (split, parse,
// chain, classify), written as a JSONL or CSV record, with the figures the
// summary needs. Pure: bytes and a source description in, a record out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_buffer.hh"
#include "chain/trace.hh"
#include "classify/role_rules.hh"

namespace hopscope {

struct MessageSource {
    std::string_view path;                // the input's name; outlives the audit (it is the walker's)
    std::optional<std::uint64_t> offset;  // byte offset in an mbox
    std::optional<std::uint64_t> index;   // 0-based within the PATH; none for an mbox read in part (--range)
    std::string_view folder{};            // a PST/OST item: its folder path ("Top of Personal Folders/Inbox")
    std::optional<std::uint32_t> item{};  // and its node id
};

struct HopFigure {
    std::string_view role;  // static text, as Hop::role
    std::int64_t delay_s;
    int hop_index;
    bool operator==(const HopFigure&) const = default;
};

struct AuditFigures {
    bool analysed = false;
    std::optional<std::string> error;
    bool traversed = false;
    std::optional<std::string> message_id;
    std::vector<HopFigure> delays;  // hops with a delay
    int clock_skew = 0;
    int unparsable_dates = 0;
    bool bounce = false;
    std::optional<std::string> bounce_status;
    std::optional<std::string> bounce_explanation;
};

// The values of one CSV row: taken from a trace by audit, or read back from
// a JSONL record by summarize, so both write the same row.
struct AuditRow {
    bool analysed = false;
    std::optional<std::string> message_id;
    std::optional<std::string> date;
    std::optional<std::string> subject;
    std::int64_t hops = 0;
    std::optional<std::string> origin_ip;
    bool traversed = false;
    std::optional<std::string> relay_ip;
    std::optional<bool> relay_tls;
    std::optional<std::int64_t> total_delay_s;
    std::vector<std::optional<std::int64_t>> role_delays;  // summed per role, in audit_roles() order
    std::optional<std::string> bounce_status;
    std::optional<std::string> bounce_server;
    std::optional<std::string> anomalies;  // "kind;kind@hop;..."
    bool operator==(const AuditRow&) const = default;
};

AuditRow audit_row(const Trace& t);

// The CSV row (with its CRLF) of a message; `row` is ignored when it was not analysed.
std::string csv_row(const AuditRow& row, const MessageSource& s, const std::optional<std::string>& error);

enum class RecordFormat { Jsonl, Csv, None };

// Analyses one message, appends its record (with the newline; nothing for
// RecordFormat::None) to `out` and returns what the summary needs. Records go
// straight into the caller's buffer: audit writes thousands a second.
AuditFigures audit_message(std::string_view bytes, const MessageSource& source, const RuleSet& rules,
                           RecordFormat format, ByteBuffer& out);

// The record of a message that could not be read at all (`error` says why),
// so that every message in is still one record out.
AuditFigures audit_unreadable(const MessageSource& source, std::string error, RecordFormat format, ByteBuffer& out);

// The CSV header row, with its newline.
std::string csv_header();

// Roles in the fixed order of the CSV columns and the summary.
const std::vector<std::string>& audit_roles();

}  // namespace hopscope
