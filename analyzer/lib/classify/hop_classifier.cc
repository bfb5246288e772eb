#include "classify/hop_classifier.hh"

#include <algorithm>
#include <cstdlib>

#include "input/header_block.hh"
#include "parse/date_parser.hh"
#include "parse/ip_address.hh"

namespace hopscope {
namespace {

constexpr const char* kOrigin = "origin-device";
constexpr const char* kLocal = "local-relay";
constexpr const char* kEop = "eop";
constexpr const char* kExo = "exchange-online";
constexpr const char* kExternal = "external-delivery";
constexpr const char* kSender = "sender-infrastructure";

bool is_microsoft(const Hop& h) {
    return h.role == kEop || h.role == kExo;
}

bool note_has(const ReceivedFields& f, std::string_view what) {
    return std::ranges::any_of(f.notes, [&](const std::string& n) { return n.find(what) != std::string::npos; });
}

// Stamps a device or host writes about itself: no client address and either
// no from clause, a local user, or a local pickup ("from userid").
std::optional<std::string> self_stamp(const Hop& h) {
    const auto& f = h.fields;
    if (f.from.ip) return std::nullopt;
    if (f.with && iequals(*f.with, "local"))
        return "stamp with local: the sending host's own MTA took the message from a local user";
    if (note_has(f, "from userid") || note_has(f, "local user"))
        return "local pickup: the sending host's own MTA took the message from a local program";
    for (const auto& n : f.notes)
        if (n.starts_with("from ") && n.find("@localhost") != std::string::npos)
            return "stamped by the sending host for a local user (" + n + ")";
    if (!f.from.host && f.by.host && !f.with && f.notes.empty())
        return {"stamp has no sender: written by the sending host itself"};
    return std::nullopt;
}

bool authenticated_submission(const ReceivedFields& f) {
    if (f.with && (iequals(*f.with, "ESMTPA") || iequals(*f.with, "ESMTPSA") || iequals(*f.with, "esmtpa") ||
                   iequals(*f.with, "esmtpsa")))
        return true;
    return note_has(f, "Authenticated sender") || note_has(f, "authenticated");
}

// The address EOP itself recorded: its Authentication-Results "(sender IP is X)"
// or Received-SPF "client-ip=X" from protection.outlook.com.
std::optional<std::string> eop_client_ip(const Trace& t) {
    for (const auto& s : t.signals) {
        std::string_view v = s.value;
        std::string_view marker;
        if (iequals(s.name, "Authentication-Results") && v.find("sender IP is ") != std::string_view::npos)
            marker = "sender IP is ";
        else if (iequals(s.name, "Received-SPF") && v.find("protection.outlook.com") != std::string_view::npos)
            marker = "client-ip=";
        if (marker.empty()) continue;
        auto at = v.find(marker);
        if (at == std::string_view::npos) continue;
        auto rest = v.substr(at + marker.size());
        auto ip = normalise_ip(rest.substr(0, rest.find_first_of(" );")));
        if (ip) return ip;
    }
    return std::nullopt;
}

// Compares what Exchange Online's own headers say with the EOP hop's stamp.
void check_eop_signals(Trace& t, const Hop& eop, RelayVerdict& v) {
    if (auto ip = eop_client_ip(t)) {
        v.evidence.push_back("EOP's own authentication header names sender IP " + *ip);
        // The newest EOP pass wrote that header; a message can pass EOP twice.
        bool seen = std::ranges::any_of(t.hops, [&](const Hop& h) {
            return h.role == std::string(kEop) && h.fields.from.ip && *h.fields.from.ip == *ip;
        });
        if (!seen && eop.fields.from.ip)
            t.anomalies.push_back({"signal-contradiction",
                                   "EOP's authentication header says the sender IP was " + *ip +
                                       " but no EOP hop's stamp has that sender (first: " + *eop.fields.from.ip + ")"});
    }
    if (auto arrival = find_signal(t, "X-MS-Exchange-CrossTenant-OriginalArrivalTime")) {
        // "14 May 2024 07:12:05.5841 (UTC)": drop the fraction, the zone is UTC.
        std::string text(*arrival);
        if (auto paren = text.find('('); paren != std::string::npos) text.erase(paren);
        if (auto dot = text.rfind('.'); dot != std::string::npos && dot > text.rfind(':')) text.erase(dot);
        ParsedDate d = parse_date(text + " +0000");
        if (d.time) {
            v.evidence.push_back("Exchange Online recorded the arrival at " + format_utc(*d.time) +
                                 " (OriginalArrivalTime)");
            constexpr std::int64_t kTolerance = 300;
            if (eop.fields.time && std::llabs(*d.time - *eop.fields.time) > kTolerance)
                t.anomalies.push_back(
                    {"signal-contradiction", "OriginalArrivalTime " + format_utc(*d.time) + " is " +
                                                 std::to_string(std::llabs(*d.time - *eop.fields.time)) +
                                                 " s away from the EOP hop's stamp " + format_utc(*eop.fields.time)});
        }
    }
}

void set_role(Hop& h, const char* role, std::string evidence) {
    h.role = role;
    h.evidence.push_back(std::move(evidence));
}

}  // namespace

void classify(Trace& t, const RuleSet& rules) {
    std::vector<std::optional<RuleMatch>> by_match;
    by_match.reserve(t.hops.size());
    for (auto& h : t.hops) {
        h.role = "unknown";
        h.evidence.clear();
        by_match.push_back(rules.match_by(h.fields.by.host, h.fields.by.ip, h.fields.with));
        const auto& m = by_match.back();
        if (m && m->rule->family == Family::Eop) set_role(h, kEop, m->evidence);
        if (m && m->rule->family == Family::ExchangeOnline) {
            set_role(h, kExo, m->evidence);
            if (h.fields.with && (iequals(*h.fields.with, "mapi") || iequals(*h.fields.with, "HTTPS")))
                h.evidence.push_back("with " + *h.fields.with + ": submitted by a client to the mailbox server");
        }
    }

    auto first_ms = std::find_if(t.hops.begin(), t.hops.end(), is_microsoft);
    auto last_ms = std::find_if(t.hops.rbegin(), t.hops.rend(), is_microsoft);
    std::size_t ms_begin = static_cast<std::size_t>(first_ms - t.hops.begin());
    std::size_t ms_end = last_ms == t.hops.rend()
                             ? t.hops.size()
                             : t.hops.size() - 1 - static_cast<std::size_t>(last_ms - t.hops.rbegin());
    bool has_ms = first_ms != t.hops.end();

    // After a Microsoft hop: the message left Microsoft 365. Between two
    // Microsoft hops it may pass the organisation's own servers (centralised
    // transport) or a third-party service, then come back.
    if (has_ms) {
        std::size_t last_seen = ms_begin;
        for (std::size_t i = ms_begin + 1; i < t.hops.size(); ++i) {
            Hop& h = t.hops[i];
            if (is_microsoft(h)) {
                last_seen = i;
                continue;
            }
            const auto& m = by_match[i];
            auto from_rule = rules.match_from(h.fields.from.host, h.fields.from.ip);
            bool internal = (m && (m->rule->family == Family::Internal || m->rule->family == Family::Relay)) ||
                            (from_rule && from_rule->rule->family == Family::Internal);
            if (i < ms_end && internal) {
                set_role(h, kLocal,
                         (m ? m->evidence : from_rule->evidence) + "; between Microsoft hops #" +
                             std::to_string(t.hops[last_seen].index) + " and a later one");
                continue;
            }
            set_role(h, kExternal,
                     "received after the message left Microsoft 365 at hop #" +
                         std::to_string(t.hops[last_seen].index) +
                         (i < ms_end ? " (it comes back into Microsoft later)" : ""));
            if (m) h.evidence.push_back(m->evidence);
        }
    }

    // Before Microsoft, or the whole chain when there is none.
    std::size_t stop = has_ms ? ms_begin : t.hops.size();
    bool inside_seen = false;
    bool left_org = false;
    for (std::size_t i = 0; i < stop; ++i) {
        Hop& h = t.hops[i];
        const auto& f = h.fields;
        const auto& m = by_match[i];
        auto from_rule = rules.match_from(f.from.host, f.from.ip);
        if (left_org) {
            set_role(h, kExternal,
                     "after the message left the organisation at hop #" + std::to_string(t.hops[i - 1].index) +
                         "'s receiver");
            continue;
        }
        if (i == 0 || t.hops[i - 1].role == std::string(kOrigin)) {
            if (auto why = self_stamp(h)) {
                set_role(h, kOrigin, *why);
                inside_seen = true;
                continue;
            }
        }
        if (from_rule &&
            (from_rule->rule->family == Family::Eop || from_rule->rule->family == Family::ExchangeOnline)) {
            set_role(h, kExternal, from_rule->evidence + ": the message had already left Microsoft 365");
            left_org = true;
            continue;
        }
        if (m && (m->rule->family == Family::Relay || m->rule->family == Family::Internal)) {
            set_role(h, kLocal, m->evidence);
            if (from_rule) h.evidence.push_back(from_rule->evidence);
            inside_seen = true;
            continue;
        }
        if (m && m->rule->family == Family::Provider) {
            bool after_org = inside_seen && !has_ms;
            set_role(h, after_org ? kExternal : kSender, m->evidence);
            if (after_org) left_org = true;
            continue;
        }
        if (from_rule && from_rule->rule->family == Family::Internal) {
            set_role(h, kLocal, from_rule->evidence + ", so its receiver is inside the organisation");
            inside_seen = true;
            continue;
        }
        if (from_rule && from_rule->rule->family == Family::Relay) {
            // The named relay sent this on: its receiver is the next system.
            if (has_ms) {
                set_role(h, kLocal, from_rule->evidence + " sent this on inside the organisation");
                inside_seen = true;
            } else {
                set_role(h, kExternal, from_rule->evidence + " handed the message to this receiver");
                left_org = true;
            }
            continue;
        }
        if (has_ms && i + 1 == stop) {
            const auto& eop_from = t.hops[stop].fields.from;
            bool same_host = eop_from.host && f.by.host && iequals(*eop_from.host, *f.by.host);
            if (same_host) {
                set_role(h, kLocal, "its receiver " + *f.by.host + " is the host that handed the message to Microsoft");
                inside_seen = true;
                continue;
            }
        }
        if (authenticated_submission(f)) {
            set_role(h, kLocal,
                     "authenticated submission (" + f.with.value_or("AUTH") + "): the sender's own mail server");
            inside_seen = true;
            continue;
        }
        if (!has_ms && inside_seen) {
            set_role(h, kExternal, "first receiver outside the organisation's hops");
            left_org = true;
            continue;
        }
        h.evidence.emplace_back("no rule matched the receiving side");
    }

    // The verdict.
    RelayVerdict v;
    auto from_entity = find_signal(t, "X-MS-Exchange-CrossTenant-FromEntityHeader");
    if (from_entity && iequals(*from_entity, "HybridOnPrem"))
        v.connector = "on-premises (FromEntityHeader: HybridOnPrem)";
    else if (from_entity)
        v.connector = "none (FromEntityHeader: " + std::string(*from_entity) + ")";
    auto eop = std::find_if(t.hops.begin(), t.hops.end(), [](const Hop& h) { return h.role == std::string(kEop); });
    if (eop == t.hops.end()) {
        if (has_ms) {
            v.evidence.push_back("no EOP hop: the message entered Microsoft 365 at " +
                                 t.hops[ms_begin].fields.by.host.value_or("an Exchange Online server") +
                                 " (client submission or mailbox-to-mailbox), not through EOP");
        } else {
            v.evidence.emplace_back("no Microsoft 365 hop in the chain");
        }
    } else {
        const Hop& e = *eop;
        v.host = e.fields.from.host;
        v.ip = e.fields.from.ip;
        v.tls = e.fields.tls.has_value();
        std::string seen = v.host.value_or("?") + (v.ip ? " [" + *v.ip + "]" : "");
        v.evidence.push_back("EOP hop #" + std::to_string(e.index) + " received from " + seen +
                             (v.tls.value_or(false) ? " over TLS" : " without TLS"));
        std::size_t at = static_cast<std::size_t>(eop - t.hops.begin());
        bool local_before = at > 0 && t.hops[at - 1].role == std::string(kLocal);
        auto named = rules.match_user_relay(v.host, v.ip);
        if (named) {
            v.traversed = true;
            v.evidence.push_back(named->evidence + " is the host EOP received from");
        }
        if (local_before) {
            v.traversed = true;
            v.evidence.push_back("hop #" + std::to_string(t.hops[at - 1].index) + " (" +
                                 t.hops[at - 1].fields.by.host.value_or("?") + ") is a local relay before EOP");
        } else if (!named && at == 0) {
            v.evidence.emplace_back("no hop before EOP: the sender talked to EOP directly");
        } else if (!named) {
            v.evidence.push_back("hop #" + std::to_string(t.hops[at - 1].index) + " before EOP is " +
                                 t.hops[at - 1].role + ", not a local relay");
        }
        if (rules.has_user_relay() && !named) {
            v.evidence.emplace_back("EOP's sender is not the relay named by --relay");
            v.traversed = false;
        }
        if (v.connector) v.evidence.push_back("connector: " + *v.connector);
        for (const char* name :
             {"X-MS-Exchange-Organization-AuthAs", "X-MS-Exchange-Organization-AuthSource",
              "X-MS-Exchange-Organization-AuthMechanism", "X-MS-Exchange-Organization-MessageDirectionality"})
            if (auto value = find_signal(t, name)) v.evidence.push_back(std::string(name) + ": " + std::string(*value));
        check_eop_signals(t, e, v);
        // Header signals that contradict the chain.
        if (from_entity && iequals(*from_entity, "HybridOnPrem") && !v.traversed)
            t.anomalies.push_back(
                {"signal-contradiction",
                 "FromEntityHeader says HybridOnPrem (an on-premises connector) but the chain shows no "
                 "local relay before EOP"});
        if (from_entity && iequals(*from_entity, "Internet") && v.traversed)
            t.anomalies.push_back({"signal-contradiction",
                                   "the chain shows a local relay before EOP but FromEntityHeader says Internet: no "
                                   "on-premises connector matched (check the connector's IP or certificate)"});
    }
    t.relay = std::move(v);
}

}  // namespace hopscope
