#include "classify/relay_verdict.hh"

#include <algorithm>
#include <cstdlib>

#include "input/header_block.hh"
#include "parse/date_parser.hh"
#include "parse/ip_address.hh"
#include "parse/security_headers.hh"

namespace hopscope {
namespace {

constexpr const char* kLocal = "local-relay";
constexpr const char* kEop = "eop";
constexpr const char* kGateway = "security-gateway";

bool is_microsoft(const Hop& h) {
    return h.role == kEop || h.role == "exchange-online";
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
        bool seen = std::ranges::any_of(
            t.hops, [&](const Hop& h) { return h.role == kEop && h.fields.from.ip && *h.fields.from.ip == *ip; });
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

// How the inbound connector recognised the relay: by the subject of its TLS
// certificate (TlsSenderCertificateName) or by its public address, from
// what Exchange wrote about the authentication.
void match_kind(const Trace& t, const Hop& eop, RelayVerdict& v) {
    auto mechanism = find_signal(t, "X-MS-Exchange-Organization-AuthMechanism");
    auto auth_as = find_signal(t, "X-MS-Exchange-Organization-AuthAs");
    auto attributed = find_signal(t, "X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp");
    if (mechanism) {
        auto name = auth_mechanism_name(*mechanism);
        std::string code(*mechanism);
        v.evidence.push_back("AuthMechanism " + code + " = " + std::string(name.empty() ? "unknown code" : name) +
                             " (undocumented by Microsoft; as read from Exchange's code)");
        if (name == "MutualTLS" || name == "DirectTrustTLS") {
            v.matched_by = "certificate";
            v.evidence.emplace_back(
                "the connector authenticated the sender by its TLS certificate: matched by "
                "certificate (TlsSenderCertificateName)");
            return;
        }
    }
    if (attributed) {
        auto ip = attributed_ip(*attributed);
        if (ip && v.ip && *ip == *v.ip) {
            v.matched_by = "ip";
            v.evidence.push_back(
                "EOP attributed the message to the tenant by the connecting address " + *ip +
                " (OriginalAttributedTenantConnectingIp): a connector that trusts the sending server's IP");
            return;
        }
        if (ip)
            v.evidence.push_back("OriginalAttributedTenantConnectingIp names " + *ip + ", not EOP's sender " +
                                 v.ip.value_or("?"));
    }
    if (eop.fields.tls && auth_as && (iequals(*auth_as, "Internal") || iequals(*auth_as, "Partner")))
        v.evidence.push_back("the hop into EOP used TLS and EOP authenticated the sender as " + std::string(*auth_as) +
                             ", but the headers do not say whether by certificate or by IP");
}

}  // namespace

void decide_relay(Trace& t, const std::vector<System>& sys, const Sides& sides, const RuleSet& rules) {
    (void)sides;
    // The verdict.
    RelayVerdict v;
    auto from_entity = find_signal(t, "X-MS-Exchange-CrossTenant-FromEntityHeader");
    if (from_entity && iequals(*from_entity, "HybridOnPrem"))
        v.connector = "on-premises (FromEntityHeader: HybridOnPrem)";
    else if (from_entity)
        v.connector = "none (FromEntityHeader: " + std::string(*from_entity) + ")";
    auto eop = std::find_if(t.hops.begin(), t.hops.end(), [](const Hop& h) { return h.role == kEop; });
    auto first_ms = std::find_if(t.hops.begin(), t.hops.end(), is_microsoft);
    if (eop == t.hops.end()) {
        if (first_ms != t.hops.end()) {
            v.evidence.push_back("no EOP hop: the message entered Microsoft 365 at " +
                                 first_ms->fields.by.host.value_or("an Exchange Online server") +
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
        // A security gateway between the relay and EOP (a partner connector):
        // look through it to the hop before.
        std::size_t before = at;
        // Nameless stamps (a product's comment-only line) say nothing either way.
        while (before > 0 && (t.hops[before - 1].role == kGateway || t.hops[before - 1].role == "unknown")) --before;
        bool local_before = before > 0 && t.hops[before - 1].role == kLocal;
        auto named = rules.match_user_relay(v.host, v.ip);
        if (named) {
            v.traversed = true;
            v.evidence.push_back(named->evidence() + " is the host EOP received from");
        }
        std::size_t gw = before;
        while (gw < at && t.hops[gw].role != kGateway) ++gw;
        if (gw < at) {
            const Hop& g = t.hops[gw];
            std::string product = sys[gw].service ? sys[gw].service->product : std::string();
            if (product.empty()) product = g.org.value_or("a security gateway");
            std::string span = gw + 1 == at
                                   ? hop_ref(g)
                                   : "hops #" + std::to_string(g.index) + "-#" + std::to_string(t.hops[at - 1].index);
            v.evidence.push_back("the message reached EOP through " + product + " (" + g.org.value_or("?") + ", " +
                                 span + ")");
            auto auth_as = find_signal(t, "X-MS-Exchange-Organization-AuthAs");
            bool internet =
                (from_entity && iequals(*from_entity, "Internet")) || (auth_as && iequals(*auth_as, "Anonymous"));
            if (local_before && internet) {
                local_before = false;
                v.evidence.push_back("EOP took it from the gateway as anonymous internet mail (" +
                                     std::string(auth_as ? "AuthAs: " + std::string(*auth_as)
                                                         : "FromEntityHeader: " + std::string(*from_entity)) +
                                     "): the recipient's inbound gateway, not the sender's relay route");
            } else if (local_before || named) {
                v.via = GatewayVia{g.org.value_or(""), product};
            }
        }
        if (local_before) {
            v.traversed = true;
            v.evidence.push_back(hop_ref(t.hops[before - 1]) + " (" + t.hops[before - 1].fields.by.host.value_or("?") +
                                 ") is a local relay before " + (before < at ? "the gateway and " : "") + "EOP");
        } else if (!named && before == 0) {
            v.evidence.emplace_back(before < at ? "no hop before the gateway: the sender talked to it directly"
                                                : "no hop before EOP: the sender talked to EOP directly");
        } else if (!named) {
            v.evidence.push_back(hop_ref(t.hops[before - 1]) + " before " + (before < at ? "the gateway" : "EOP") +
                                 " is " + std::string(t.hops[before - 1].role) + ", not a local relay");
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
        if (v.traversed) match_kind(t, e, v);
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
