// What every stage reports about input it could read only in part: an
// anomaly (a kind from the list in docs/json.md and a detail quoting the input), and
// the time type every stage shares.
#pragma once

#include <cstdint>
#include <string>

namespace hopscope {

// Seconds since the Unix epoch, UTC.
using UnixTime = std::int64_t;

struct Anomaly {
    std::string kind;
    std::string detail;
    bool operator==(const Anomaly&) const = default;
};

}  // namespace hopscope
