#include "report/message_trace.hh"

#include <algorithm>

#include "parse/date_parser.hh"

namespace hopscope {

std::optional<std::string> message_trace_command(const Trace& t, const SecurityReport& sec) {
    bool microsoft = sec.ids.network_message_id || sec.ids.tenant_id || std::ranges::any_of(t.hops, [](const Hop& h) {
                         return h.role == "eop" || h.role == "exchange-online";
                     });
    if (!microsoft || !t.message_id || t.message_id->empty() || t.message_id->size() > 998) return std::nullopt;
    std::string id;
    for (char c : *t.message_id) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x21 || u > 0x7e) return std::nullopt;  // PowerShell would need more than quoting
        if (c == '\'') id.push_back('\'');              // a single quote doubled inside '...'
        id.push_back(c);
    }
    std::string cmd = "Get-MessageTraceV2 -MessageId '" + id + "'";
    // The days around the stamps: a day before the first, two after the last
    // (the cmdlet reads dates in the admin's own zone), at most ten days.
    std::optional<UnixTime> first;
    std::optional<UnixTime> last;
    for (const auto& h : t.hops)
        if (h.fields.time) {
            first = std::min(first.value_or(*h.fields.time), *h.fields.time);
            last = std::max(last.value_or(*h.fields.time), *h.fields.time);
        }
    if (!first && t.created) first = last = t.created;
    if (first) {
        constexpr UnixTime kDay = 86400;
        UnixTime start = (*first / kDay - 1) * kDay;
        UnixTime end = std::min((*last / kDay + 2) * kDay, start + 10 * kDay);
        cmd += " -StartDate " + format_utc(start).substr(0, 10) + " -EndDate " + format_utc(end).substr(0, 10);
    }
    return cmd;
}

}  // namespace hopscope
