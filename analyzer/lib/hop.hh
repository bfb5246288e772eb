// Value types of the pipeline: what a Received field says (ReceivedFields),
// a hop in the chain (Hop) and a whole analysed message (Trace). Plain data,
// no GMime pointers, comparable with ==.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hopscope {

// Seconds since the Unix epoch, UTC.
using UnixTime = std::int64_t;

struct Anomaly {
    std::string kind;
    std::string detail;
    bool operator==(const Anomaly&) const = default;
};

struct SenderSide {
    std::optional<std::string> host;  // best name: rDNS when known, else HELO
    std::optional<std::string> helo;  // the name the client claimed
    std::optional<std::string> rdns;  // the name its receiver looked up
    std::optional<std::string> ip;    // connecting address, normalised
    bool operator==(const SenderSide&) const = default;
};

struct ReceiverSide {
    std::optional<std::string> host;
    std::optional<std::string> ip;
    bool operator==(const ReceiverSide&) const = default;
};

struct Tls {
    std::optional<std::string> version;
    std::optional<std::string> cipher;
    bool operator==(const Tls&) const = default;
};

// What one Received (or X-Received) field says, parsed but not yet placed in
// a chain.
struct ReceivedFields {
    SenderSide from;
    ReceiverSide by;
    std::optional<std::string> with;
    std::optional<std::string> id;
    std::optional<std::string> for_;
    std::optional<std::string> via;
    std::optional<Tls> tls;
    std::optional<std::string> mta;  // software named in the stamp
    std::optional<UnixTime> time;
    std::optional<std::string> date_text;  // the date as written
    std::vector<std::string> notes;        // comments and clauses kept as-is
    std::vector<Anomaly> anomalies;
    std::string raw;  // unfolded text
    bool operator==(const ReceivedFields&) const = default;
};

struct Hop {
    int index = 0;       // 1 = oldest
    std::string header;  // field name it came from
    ReceivedFields fields;
    std::optional<std::int64_t> delay_s;
    std::string role = "unknown";
    std::vector<std::string> evidence;
    std::vector<Anomaly> anomalies;  // parse anomalies plus chain ones
    bool operator==(const Hop&) const = default;
};

// Header fields that classification and the security section read, kept as
// unfolded text (name as written, value).
struct SignalHeader {
    std::string name;
    std::string value;
    bool operator==(const SignalHeader&) const = default;
};

struct RelayVerdict {
    bool traversed = false;
    std::optional<std::string> host;  // the relay as EOP saw it
    std::optional<std::string> ip;
    std::optional<bool> tls;
    std::optional<std::string> connector;
    std::vector<std::string> evidence;
    bool operator==(const RelayVerdict&) const = default;
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
    std::string input_kind;             // "message", "header-block", "gmail-original", ...
    std::size_t header_fields = 0;
    bool operator==(const Trace&) const = default;
};

// The first kept signal header of that name (case-insensitive), if any: a
// view of the trace's own text.
std::optional<std::string_view> find_signal(const Trace& trace, std::string_view name);

}  // namespace hopscope
