// Dates of Received stamps and the Date header: RFC 5322 and the obsolete
// forms seen in the wild, converted to UTC. GMime reads the date; we check
// the zone token ourselves because GMime silently reads an unknown or missing
// zone as +0000.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "hop.hh"

namespace hopscope {

struct ParsedDate {
    std::optional<UnixTime> time;
    std::vector<Anomaly> anomalies;  // empty when the date read cleanly
};

ParsedDate parse_date(std::string_view text);

// "YYYY-MM-DDTHH:MM:SSZ"
std::string format_utc(UnixTime t);

}  // namespace hopscope
