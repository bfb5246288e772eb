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
    // "fast" / "slow": the stamp's writer's clock runs ahead / behind;
    // "zone-sized-gap": a delay of whole hours, as a wrong zone would make.
    std::string_view kind;
    int hop = 0;                        // 0: the Date header
    std::optional<std::string> host;    // the stamp's writer (its by-host or address)
    std::int64_t min_s = 0;             // the offset is at least this
    std::optional<std::int64_t> max_s;  // and at most this, when both neighbours bound it
    bool zone_sized = false;
    std::string detail;
    bool operator==(const ClockFinding&) const = default;
};

// A security gateway the relay's mail passed on its way to EOP.
struct GatewayVia {
    std::string org;
    std::string product;
    bool operator==(const GatewayVia&) const = default;
};

struct RelayVerdict {
    bool traversed = false;
    std::optional<std::string> host;  // the relay as EOP saw it
    std::optional<std::string> ip;
    std::optional<bool> tls;
    std::optional<std::string> connector;
    std::optional<GatewayVia> via;
    std::optional<std::string> matched_by;  // "certificate" or "ip": how the inbound connector knew the sender
    std::vector<std::string> evidence;
    bool operator==(const RelayVerdict&) const = default;
};

// A run of consecutive hops of one organisation in one role: the chain read
// as a story (the sender's servers, its provider, a gateway, Microsoft 365,
// a list, the recipient).
struct OrgSegment {
    std::optional<std::string> org;
    std::string_view role;  // static text, as Hop::role
    int first_hop = 0;
    int last_hop = 0;
    std::optional<std::string> service;  // the gateway's, provider's or list service's name, when a rule gave one
    bool operator==(const OrgSegment&) const = default;
};

struct Trace;

// A bounce (delivery status notification) and the message it returned,
// traced through the same pipeline (zero or one element: a Trace cannot
// hold a Trace directly).
struct Bounce {
    BounceReport report;
    // The recipient the bounce is about (the first that failed, else the
    // first), the server that refused it (its remote MTA, else the
    // reporting one) and its status.
    std::optional<std::string> recipient;
    std::optional<std::string> action;
    std::optional<std::string> server;
    std::optional<std::string> status;
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
    std::vector<OrgSegment> orgs;       // set by classify()
    BounceBox bounce;                   // set by analyse_bounce(); empty unless a bounce
    bool report_content_type = false;   // Content-Type says multipart/report; report-type=delivery-status
    std::string input_kind;             // "message", "header-block", "gmail-original", "outlook-msg", ...
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

}  // namespace hopscope
