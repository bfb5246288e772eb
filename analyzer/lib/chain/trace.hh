// Value types of the chain: a hop (a placed ReceivedFields) and a whole
// analysed message (Trace). Plain data, no GMime pointers, comparable with ==.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/anomaly.hh"
#include "input/bounce_reader.hh"
#include "input/header_block.hh"
#include "parse/received_fields.hh"

namespace hopscope {

struct Hop {
    int index = 0;       // 1 = oldest
    std::string header;  // field name it came from
    ReceivedFields fields;
    // Seconds since the previous trustworthy time (the Date header for the
    // first stamp); null when the stamp has no time, its clock is off (see
    // Trace::clock) or nothing trustworthy precedes it. Never negative.
    std::optional<std::int64_t> delay_s;
    // One of the role names, as static text: a role is assigned to every hop
    // of every message, and the longer names would each cost an allocation.
    std::string_view role = "unknown";
    std::optional<std::string> org;  // who ran the system that wrote the stamp (set by classify())
    std::vector<std::string> evidence;
    std::vector<Anomaly> anomalies;  // parse anomalies plus chain ones
    bool operator==(const Hop&) const = default;
};

// A clock the chain shows to be off: a stamp (or the Date header) out of
// line with the stamps around it, by how much, and whether the offset is
// zone-sized (whole or half hours: a time written with the wrong zone).
struct ClockFinding {
    // "date-ahead": the Date header is later than the first stamp after it;
    // "date-behind": whole hours earlier than it (a wrong zone or a wait);
    // "fast" / "slow": the stamp's writer's clock runs ahead / behind;
    // "zone-sized-gap": a delay of whole hours, as a wrong zone would make.
    std::string_view kind;
    int hop = 0;                        // 0: the Date header
    std::optional<std::string> host;    // the stamp's writer (its by-host or address)
    std::int64_t min_s = 0;             // the offset is at least this
    std::optional<std::int64_t> max_s;  // and at most this, when both neighbours bound it
    bool zone_sized = false;
    // The Date header and the first stamp disagree alone: the device's
    // clock fast or the first server's slow, the headers do not tell which.
    bool device_or_server = false;
    std::string detail;
    bool operator==(const ClockFinding&) const = default;
};

// A security gateway the relay's mail passed on its way to EOP.
struct GatewayVia {
    std::string org;
    std::string product;
    bool operator==(const GatewayVia&) const = default;
};

// The inbound connector that took (or would take) the message into the
// tenant: named when a configuration was given and matches, else what the
// headers say of it.
struct RelayConnector {
    std::optional<std::string> name;
    std::optional<std::string> matched_by;   // "certificate" or "ip"
    std::vector<std::string> not_ruled_out;  // other connectors the configuration cannot rule out
    std::vector<std::string> evidence;
    // Several connectors of the configuration match alike, and which one
    // Exchange Online uses is not documented: none is named, and
    // not_ruled_out lists those that match.
    bool tie = false;
    bool operator==(const RelayConnector&) const = default;
};

// The connector as one label for a count or a column: its name, or for a
// tie the connectors that match ("'A' or 'B'"); nullopt when neither.
std::optional<std::string> connector_label(const RelayConnector& c);

// The relay answer (classify/relay_verdict.hh decides it; every writer
// prints it): how the message entered Microsoft 365 and whether it went
// through the sender's relay. The words are static text.
struct RelayVerdict {
    std::string_view state = "not-applicable";     // traversed, not-traversed, not-applicable
    std::string_view method = "none";              // connector-relay, direct-send, client-submission, mailbox,
                                                   // inbound, none, unknown
    std::string_view reason = "no-microsoft-365";  // a short code for scripts (docs/relay.md)
    bool traversed = false;                        // state == "traversed"
    std::optional<int> entry_hop;                  // the hop where the message entered the recipient's tenant
    std::optional<std::string> host;               // the system Microsoft 365 received it from
    std::optional<std::string> ip;
    std::optional<bool> tls;
    bool entry_cut = false;                  // the entry stamp is cut short (no TLS clause, no time): TLS unknown
    std::optional<std::string> tls_version;  // "1.0".."1.3" or "unknown"; nullopt without TLS
    std::optional<RelayConnector> connector;
    std::optional<GatewayVia> via;
    std::optional<std::string> matched_by;  // "certificate" or "ip": how the inbound connector knew the sender
    std::vector<std::string> evidence;
    // The chain's first sender is a Microsoft 365 host (its own stamps cut):
    // where the chain starts, not where the message did. Not in the JSON.
    bool first_sender_microsoft = false;
    bool operator==(const RelayVerdict&) const = default;
};

// After the message left Microsoft 365 for another receiver: what that
// receiver's Authentication-Results say, and what to change (set by
// assess_far_end, classify/far_end.hh).
struct FarEndCheck {
    std::string method;                 // spf, dkim, dmarc
    std::string result;                 // pass, fail, softfail, none, ...
    std::optional<std::string> domain;  // SPF: the envelope sender's domain; DKIM: d=; DMARC: the From domain
    std::optional<bool> aligned;        // with the From domain (DMARC's relaxed alignment); DMARC: nullopt
    bool operator==(const FarEndCheck&) const = default;
};

struct FarEndFinding {
    std::string id;        // the hint's id in analyzer/data/far-end-hints.txt
    std::string severity;  // error, warning, note
    std::string message;
    std::string hint;  // what to change; empty when nothing
    std::string source;
    bool operator==(const FarEndFinding&) const = default;
};

struct FarEnd {
    std::optional<std::string> authserv_id;  // who wrote the results (mx.google.com); nullopt: none given (Microsoft's)
    std::string header;                      // Authentication-Results or ARC-Authentication-Results
    int hop = 0;                             // the hop where it received the message from Microsoft 365
    std::optional<std::string> sender_ip;    // the Microsoft address it received it from
    std::optional<std::string> envelope;     // the envelope sender it checked (smtp.mailfrom, else Return-Path)
    std::optional<std::string> from_domain;
    std::optional<FarEndCheck> spf;
    std::vector<FarEndCheck> dkim;
    std::optional<FarEndCheck> dmarc;
    std::vector<FarEndFinding> findings;
    bool operator==(const FarEnd&) const = default;
};

// A run of consecutive hops of one organisation in one role: the chain read
// as a story (the sender's servers, its provider, a gateway, Microsoft 365,
// a list, the recipient).
// Which Microsoft 365 tenant a run of Microsoft's hops belongs to: its id
// where the headers name it (X-MS-Exchange-CrossTenant-Id, the attributed
// TenantId), and whether it is the sender's or the recipient's (a message
// between two tenants crosses Microsoft 365 twice).
struct TenantRun {
    std::optional<std::string> id;
    std::optional<std::string_view> side;  // "sender" or "recipient" (static text); nullopt when the headers do not say
    bool operator==(const TenantRun&) const = default;
};

struct OrgSegment {
    std::optional<std::string> org;
    std::string_view role;  // static text, as Hop::role
    int first_hop = 0;
    int last_hop = 0;
    std::optional<std::string> service;  // the gateway's, provider's or list service's name, when a rule gave one
    std::optional<TenantRun> tenant;     // Microsoft 365 runs only
    // The hand-over into this run, when the message crossed from one
    // organisation to another at its first hop: the evidence.
    std::optional<std::string> handover;
    bool operator==(const OrgSegment&) const = default;
};

struct Trace;

// A delivery status notification and the message it returned, traced
// through the same pipeline (zero or one element: a Trace cannot hold a
// Trace directly). A bounce (a recipient failed) and a notification of
// success or delay (none failed) have the same shape.
struct Bounce {
    BounceReport report;
    // The recipient the report is about (a bounce: the first that failed;
    // a notification: the first of its action), the server it names (its
    // remote MTA, else the reporting one) and its status.
    std::optional<std::string> recipient;
    std::optional<std::string> action;  // a notification's: delivered, relayed, expanded or delayed
    std::optional<std::string> server;
    // A bounce whose report names no refusing server: `server` is the
    // reporting MTA, which says the delivery failed, not that it refused it.
    bool server_only_reported = false;
    std::optional<std::string> status;
    // A bounce: what its status means. A notification: what its action
    // means ("relayed to mx.example, which sends no notification of its own").
    std::optional<std::string> explanation;
    std::optional<std::string> hint;
    std::vector<Trace> original;
    bool operator==(const Bounce&) const;  // trace_builder.cc
};

// Where a Trace keeps its bounce: an optional held by pointer, with the
// copies, moves and comparison defined out of line (trace_builder.cc) once
// Trace is complete. A std::optional<Bounce> member made clang 14 recurse
// without end instantiating Trace's comparison (Trace compares Bounces,
// which compare Traces).
class BounceBox {
  public:
    BounceBox();
    BounceBox(const BounceBox& other);
    BounceBox(BounceBox&& other) noexcept;
    BounceBox& operator=(const BounceBox& other);
    BounceBox& operator=(BounceBox&& other) noexcept;
    BounceBox& operator=(Bounce bounce);
    ~BounceBox();
    explicit operator bool() const { return p_ != nullptr; }
    const Bounce* operator->() const { return p_.get(); }
    Bounce* operator->() { return p_.get(); }
    const Bounce& operator*() const { return *p_; }
    void reset();
    bool operator==(const BounceBox& other) const;

  private:
    std::unique_ptr<Bounce> p_;
};

struct Trace {
    std::optional<std::string> subject;
    std::optional<std::string> from;
    std::optional<std::string> to;
    std::optional<std::string> message_id;
    std::optional<UnixTime> created;
    std::optional<std::string> created_text;
    // The Date names its zone and a plausible year: a time delays may count
    // from. Not in the JSON (its anomalies say why not).
    bool created_certain = true;
    // Hops before this position record an earlier delivery of the message,
    // which was sent again from here (the anomaly earlier-delivery); 0: none.
    std::size_t sent_again_at = 0;
    // From the first trustworthy time (the Date header, or the first stamp
    // when the Date is missing or its clock is off) to the last stamp whose
    // clock agrees with the chain; never negative. delay_from says which
    // start: "date", "first-stamp", or empty when there is no total.
    std::optional<std::int64_t> total_delay_s;
    std::string_view delay_from;
    std::vector<ClockFinding> clock;  // clocks the chain shows to be off
    std::vector<Hop> hops;            // oldest first
    std::vector<Hop> x_received;      // oldest first, not part of the chain
    std::vector<Anomaly> anomalies;
    std::vector<SignalHeader> signals;
    std::optional<RelayVerdict> relay;  // set by classify()
    std::optional<FarEnd> far_end;      // set by assess_far_end(); empty unless the message left Microsoft 365
    std::vector<OrgSegment> orgs;       // set by classify()
    BounceBox bounce;                   // set by analyse_bounce(); empty unless a bounce
    BounceBox notification;             // set by analyse_bounce(); a report of success or delay, no failure
    bool report_content_type = false;   // Content-Type says multipart/report; report-type=delivery-status
    bool dkim_signed = false;           // the header holds a DKIM-Signature (not in the JSON)
    std::string input_kind;             // "message", "header-block", "gmail-original", "outlook-msg", ...
    // A bounce's returned message: the server the report says refused it
    // (set before classification, which reads it). Not in the JSON.
    std::optional<std::string> refused_by;
    // The returned message of a failure or a delay: its stamps say how far
    // it got, not a delivery. Not in the JSON.
    bool undelivered = false;
    std::size_t header_fields = 0;
    // An Outlook .msg: the fields taken from its MAPI properties because the
    // headers lacked them ("subject", "from", "created"), and the messages
    // attached to it, each traced on its own (never merged into this chain).
    std::vector<std::string> from_mapi;
    std::vector<Trace> attachments;
    bool operator==(const Trace&) const = default;
};

// The first kept signal header of that name (case-insensitive), if any: a
// view of the trace's own text.
std::optional<std::string_view> find_signal(const Trace& trace, std::string_view name);

// The client's address Exchange Online writes in X-Originating-IP ("[a.b.c.d]"),
// else in X-MS-Exchange-CrossPremises-OriginalClientIPAddress, unless it is
// the 255.255.255.255 it writes for one it does not show.
std::optional<std::string> originating_ip(const Trace& t);

// A mailbox server's stamp of its own hand-over of a message written in a
// mailbox on it: from itself "with mapi" (Exchange's "Received: from
// BY5PR15MB3667... ([fe80::...]) by BY5PR15MB3667... with mapi"). Its
// sender is the server, not where the message started. ("with HTTPS" from
// itself is Exchange Online's delivery into a mailbox: as a first stamp, of
// a message the server wrote itself, a report, whose origin it is.)
bool mailbox_self_stamp(const ReceivedFields& f);

// Where the message started: the oldest stamp's sender, but for Exchange
// Online's 255.255.255.255, which stands for a client it does not show, and
// a mailbox server's stamp of its own hand-over: then X-Originating-IP's
// address, else nothing. Every writer's Origin.
SenderSide origin_of(const Trace& t);

}  // namespace hopscope
