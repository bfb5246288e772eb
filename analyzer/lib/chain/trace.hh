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
    std::optional<std::int64_t> delay_s;
    // One of the role names, as static text: a role is assigned to every hop
    // of every message, and the longer names would each cost an allocation.
    std::string_view role = "unknown";
    std::optional<std::string> org;  // who ran the system that wrote the stamp (set by classify())
    std::vector<std::string> evidence;
    std::vector<Anomaly> anomalies;  // parse anomalies plus chain ones
    bool operator==(const Hop&) const = default;
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
    std::optional<std::int64_t> total_delay_s;
    std::vector<Hop> hops;        // oldest first
    std::vector<Hop> x_received;  // oldest first, not part of the chain
    std::vector<Anomaly> anomalies;
    std::vector<SignalHeader> signals;
    std::optional<RelayVerdict> relay;  // set by classify()
    std::optional<FarEnd> far_end;      // set by assess_far_end(); empty unless the message left Microsoft 365
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
