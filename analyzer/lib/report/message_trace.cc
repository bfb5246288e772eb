#include "report/message_trace.hh"

#include <algorithm>

#include "parse/date_parser.hh"

namespace hopscope {

bool outside_microsoft_365(const Trace& t) {
    return t.relay && t.relay->reason == "no-microsoft-365";
}

std::optional<std::string> message_trace_command(const Trace& t, const SecurityReport& sec) {
    // Exchange Server on premises writes the same IDs: they count only where
    // the relay answer does not find the chain outside Microsoft 365.
    bool microsoft =
        std::ranges::any_of(t.hops, [](const Hop& h) { return h.role == "eop" || h.role == "exchange-online"; }) ||
        ((sec.ids.network_message_id || sec.ids.tenant_id) && !outside_microsoft_365(t));
    if (!microsoft || !t.message_id || t.message_id->empty() || t.message_id->size() > 998) return std::nullopt;
    // Last handled in Outlook.com's consumer tenant: no admin's trace holds it.
    if (sec.ids.consumer_tenant()) return std::nullopt;
    // One string, its room reserved for the whole line.
    std::string cmd;
    cmd.reserve(2 * t.message_id->size() + 80);
    cmd.append("Get-MessageTraceV2 -MessageId '");
    for (char c : *t.message_id) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x21 || u > 0x7e) return std::nullopt;  // PowerShell would need more than quoting
        if (c == '\'') cmd.push_back('\'');             // a single quote doubled inside '...'
        cmd.push_back(c);
    }
    cmd.push_back('\'');
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
        cmd.append(" -StartDate ").append(format_utc_text(start).view().substr(0, 10));
        cmd.append(" -EndDate ").append(format_utc_text(end).view().substr(0, 10));
    }
    return cmd;
}

}  // namespace hopscope
