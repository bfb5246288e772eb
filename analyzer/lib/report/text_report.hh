// The human form of a Trace: a summary block, the hop table with delay bars,
// then anomalies. Every header-derived string passes escape_for_terminal.
#pragma once

#include <string>

#include "chain/trace.hh"
#include "report/display_zone.hh"

namespace hopscope {

struct TextStyle {
    bool colour = false;
    bool unicode = true;  // block characters for bars, "…" for cuts
    DisplayZone zone;
    bool security = true;  // the decoded security headers section
};

// "TRAVERSED relay.contoso.com [198.51.100.77] -> EOP with TLS" and the like.
std::string verdict_line(const RelayVerdict& v);

std::string render_text(const Trace& trace, const TextStyle& style);

// "1h 02m 03s", "45s", "-3s"
std::string format_duration(std::int64_t seconds);

}  // namespace hopscope
