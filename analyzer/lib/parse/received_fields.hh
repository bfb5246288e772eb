// What one Received (or X-Received) field says: the value the Received
// parser produces. Plain data, comparable with ==.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/anomaly.hh"

namespace hopscope {

struct SenderSide {
    std::optional<std::string> host;  // best name: rDNS when known, else HELO
    std::optional<std::string> helo;  // the name the client claimed
    std::optional<std::string> rdns;  // the name its receiver looked up
    std::optional<std::string> ip;    // connecting address, normalised
    // The receiver looked the address up and found no name ("unknown
    // [IP]", qmail's "from unknown (HELO x)"): the HELO is only a claim.
    bool rdns_unknown = false;
    bool operator==(const SenderSide&) const = default;
};

struct ReceiverSide {
    std::optional<std::string> host;
    std::optional<std::string> ip;
    bool operator==(const ReceiverSide&) const = default;
};

struct Tls {
    std::optional<std::string> version;  // "1.0".."1.3", or "unknown" (parse/tls_version.hh)
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

}  // namespace hopscope
