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
#include "base/result.hh"
#include "chain/trace.hh"
#include "classify/role_rules.hh"
#include "input/dash_lines.hh"

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
    // The trace's clock findings doubt this delay: a gap of whole hours,
    // which a clock in the wrong zone would also give (zone-sized-gap).
    bool zone_gap = false;
    bool operator==(const HopFigure&) const = default;
};

// What the audit by sender needs of one message (audit_summary.hh groups
// them): filled only when the summary is printed.
struct SenderFigures {
    std::optional<std::string> origin_ip;  // the origin device: the first stamp's sender
    std::optional<std::string> origin_host;
    std::optional<std::string> from_address;  // first_addr_spec() of From
    std::vector<std::string> relays;          // the sender's own servers before the entry (local-relay by-hosts)
    std::optional<std::string> eop_from;      // the address (else the name) Microsoft 365 received it from
    std::optional<std::string> tls_into_eop;  // "1.0".."1.3", "unknown", "none"; nullopt: no entry into Microsoft 365
    std::optional<std::string> connector;     // relay.connector.name
    bool operator==(const SenderFigures&) const = default;
};

// Whether Microsoft 365 received the message from a system outside it (the
// entry hop is set and the message was not written in a mailbox there):
// only then does the audit by sender count EOP's sender and TLS.
bool entered_from_outside(std::optional<int> entry_hop, std::string_view method);

// The TLS of the hop into Microsoft 365 as the audit by sender counts it:
// the version, "unknown" (TLS, no version said), "none"; nullopt when the
// message did not enter it from outside (`entered`: entered_from_outside()).
std::optional<std::string> eop_tls_words(bool entered, const std::optional<std::string>& version,
                                         std::optional<bool> tls);

// Whether a hop is one of the sender's own servers before the entry into
// Microsoft 365 (the audit by sender's "relays seen": its by-host `by`, else
// its by-address), and a relay: not the sending host's own mail server
// taking the message from a program there (`by` is `origin_host`, the
// sender `from_ip` loopback or none), nor a mailbox server taking a
// client's submission on itself (`with` mapi, `from` the same host).
bool is_sender_relay(std::string_view role, int hop, std::optional<int> entry_hop, std::string_view by,
                     const std::optional<std::string>& from, const std::optional<std::string>& from_ip,
                     const std::optional<std::string>& with, const std::optional<std::string>& origin_host);

// --since / --until: a period of message times, both ends included, as
// UTC text (YYYY-MM-DDTHH:MM:SSZ, which sorts as time does); empty: open.
struct Period {
    std::string since;
    std::string until;
    [[nodiscard]] bool active() const { return !since.empty() || !until.empty(); }
};

// "2024-05-01" (the day's first second; for --until, its last) or
// "2024-05-01T12:00:00Z", as the period's end; errors say why.
Result<std::string> period_bound(std::string_view text, bool until);

// What is wrong with a period as a whole ("--since ... is after --until
// ..."), or empty.
std::string period_problem(const Period& p);

// The time a message is placed at: its Date header, else (missing, or its
// clock off, as delay_from says) its first stamp with a time; UTC text.
std::optional<std::string> message_time(const std::optional<std::string>& created, std::string_view delay_from,
                                        const std::optional<std::string>& first_stamp);

// "undated" or "outside" when a period is given and an analysed message's
// time is not in it (it is left out: no record, only counted); else empty.
std::string_view left_out_of(const Period& period, const std::optional<std::string>& seen);

struct AuditFigures {
    bool analysed = false;
    std::optional<std::string> error;
    std::optional<std::string> skipped;  // an item that is no e-mail message: what it is (no analysis)
    bool traversed = false;
    std::string_view state;           // relay.state (static text); empty without a verdict
    std::string method;               // relay.method
    std::string reason;               // relay.reason
    std::optional<std::string> seen;  // message_time()
    // With a period: "outside" or "undated" when the message is left out of
    // the audit (no record; only counted). Static text; empty: kept.
    std::string_view left_out;
    std::optional<SenderFigures> sender;
    std::optional<std::string> message_id;
    std::vector<HopFigure> delays;  // hops with a delay
    int clock_skew = 0;
    int unparsable_dates = 0;
    bool bounce = false;
    std::optional<std::string> bounce_status;
    std::optional<std::string> bounce_explanation;
    std::optional<std::string> notification_action;  // delivered, relayed, expanded or delayed
};

// The values of one CSV row: taken from a trace by audit, or read back from
// a JSONL record by summarize, so both write the same row.
struct AuditRow {
    bool analysed = false;
    std::optional<std::string> message_id;
    std::optional<std::string> date;
    std::optional<std::string> subject;
    std::optional<std::string> from_address;
    std::int64_t hops = 0;
    std::optional<std::string> origin_ip;
    std::optional<std::string> origin_host;
    bool traversed = false;
    std::optional<std::string> state;
    std::optional<std::string> method;
    std::optional<std::string> reason;
    std::optional<std::string> relay_ip;
    std::optional<bool> relay_tls;
    std::optional<std::string> tls_version;
    std::optional<std::string> connector;
    std::optional<std::int64_t> total_delay_s;
    std::vector<std::optional<std::int64_t>> role_delays;  // summed per role, in audit_roles() order
    std::optional<std::string> bounce_status;
    std::optional<std::string> bounce_server;
    std::optional<std::string> notification_action;  // a notification's: delivered, relayed, expanded, delayed
    std::optional<std::string> anomalies;            // "kind;kind@hop;..."
    bool operator==(const AuditRow&) const = default;
};

AuditRow audit_row(const Trace& t);

// The CSV row (with its CRLF) of a message; `row` is ignored when it was not
// analysed (an error, or an item skipped: `skipped` says what it is).
std::string csv_row(const AuditRow& row, const MessageSource& s, const std::optional<std::string>& error,
                    const std::optional<std::string>& skipped = std::nullopt);

enum class RecordFormat { Jsonl, Csv, None };

struct AuditOptions {
    RecordFormat format = RecordFormat::Jsonl;
    bool senders = false;  // fill AuditFigures::sender: the summary will be printed
    Period period;         // messages outside it leave no record
};

// Analyses one message, appends its record (with the newline; nothing for
// RecordFormat::None) to `out` and returns what the summary needs. Records go
// straight into the caller's buffer: audit writes thousands a second.
// `whole_file`: the bytes are a whole file (not a message of an mbox or a
// stream), so bytes that are no e-mail message at all (a PDF, a README, an
// Outlook contact) are skipped, not failed. `dashes`: its "--" lines as an
// mbox split noted them; `report_body`: a PST/OST report's prose (both as
// analyse_message takes them).
AuditFigures audit_message(std::string_view bytes, const MessageSource& source, const RuleSet& rules,
                           const AuditOptions& options, ByteBuffer& out, bool whole_file = false,
                           const DashLines* dashes = nullptr, std::string_view report_body = {});
AuditFigures audit_message(std::string_view bytes, const MessageSource& source, const RuleSet& rules,
                           RecordFormat format, ByteBuffer& out);

// The record of a message that could not be read at all (`error` says why),
// so that every message in is still one record out.
AuditFigures audit_unreadable(const MessageSource& source, std::string error, RecordFormat format, ByteBuffer& out);

// The record of an item that is no e-mail message (a PST contact, a
// calendar item, a draft never sent): `what` it is; counted apart, never a
// failure.
AuditFigures audit_skipped(const MessageSource& source, std::string what, RecordFormat format, ByteBuffer& out);

// A relay state as static text ("traversed", "not-traversed",
// "not-applicable"); empty for any other word.
std::string_view relay_state_text(std::string_view state);

// The CSV header row, with its newline.
std::string csv_header();

// Roles in the fixed order of the CSV columns and the summary.
const std::vector<std::string>& audit_roles();

}  // namespace hopscope
