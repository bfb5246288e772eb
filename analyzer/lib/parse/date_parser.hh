// Dates of Received stamps and the Date header: RFC 5322 and the obsolete
// forms seen in the wild, converted to UTC. GMime reads the date; we check
// the zone token ourselves because GMime silently reads an unknown or missing
// zone as +0000.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/anomaly.hh"

namespace hopscope {

struct ParsedDate {
    std::optional<UnixTime> time;
    std::vector<Anomaly> anomalies;  // empty when the date read cleanly
};

ParsedDate parse_date(std::string_view text);

// The two paths parse_date takes, exposed so tests can hold them to the same
// answers: an allocation-free reader of the canonical RFC 5322 form (nullopt
// for anything else, which then goes to the general path) and the general
// reader (comments, obsolete forms, named zones, ISO 8601; GMime underneath).
std::optional<UnixTime> parse_canonical_date(std::string_view text);
ParsedDate parse_date_general(std::string_view text);

// "YYYY-MM-DDTHH:MM:SSZ"
std::string format_utc(UnixTime t);

// The same text in a buffer of its own, for writers that need no string.
struct UtcText {
    std::array<char, 48> buf{};
    std::size_t len = 0;
    [[nodiscard]] std::string_view view() const { return {buf.data(), len}; }
};
UtcText format_utc_text(UnixTime t);

}  // namespace hopscope
