#include "classify/relay_verdict.hh"

#include <algorithm>
#include <cstdlib>

#include "classify/connector_match.hh"
#include "classify/organisation.hh"
#include "classify/roles.hh"
#include "classify/systems.hh"
#include "input/header_block.hh"
#include "parse/date_parser.hh"
#include "parse/ip_address.hh"
#include "parse/security_headers.hh"
#include "parse/tls_version.hh"

namespace hopscope {
namespace {

constexpr const char* kLocal = "local-relay";
constexpr const char* kOrigin = "origin-device";
constexpr const char* kEop = "eop";
constexpr const char* kExo = "exchange-online";
constexpr const char* kGateway = "security-gateway";

// What Exchange Online wrote about how it took the message in.
struct ExchangeSignals {
    std::optional<std::string_view> entity;     // X-MS-Exchange-CrossTenant-FromEntityHeader
    std::optional<std::string_view> auth_as;    // Organization-AuthAs, else CrossTenant-AuthAs
    std::optional<std::string_view> mechanism;  // Organization-AuthMechanism
    std::optional<std::string_view> direction;  // Organization-MessageDirectionality
    bool dir_out = false;                       // X-Forefront-Antispam-Report DIR:OUT
    bool dir_inb = false;
    // The header the direction was read from (an earlier pass's report is
    // kept renamed with "-Untrusted").
    std::string_view report_name = "X-Forefront-Antispam-Report";

    static ExchangeSignals of(const Trace& t) {
        ExchangeSignals s;
        s.entity = find_signal(t, "X-MS-Exchange-CrossTenant-FromEntityHeader");
        s.auth_as = find_signal(t, "X-MS-Exchange-Organization-AuthAs");
        if (!s.auth_as) s.auth_as = find_signal(t, "X-MS-Exchange-CrossTenant-AuthAs");
        s.mechanism = find_signal(t, "X-MS-Exchange-Organization-AuthMechanism");
        s.direction = find_signal(t, "X-MS-Exchange-Organization-MessageDirectionality");
        if (auto report = find_signal(t, "X-Forefront-Antispam-Report")) {
            s.dir_out = report->find("DIR:OUT") != std::string_view::npos;
            s.dir_inb = report->find("DIR:INB") != std::string_view::npos;
        }
        return s;
    }
    // What Exchange says of one entry when the single-valued headers were
    // written at a later one: only the spam filter's report whose CIP is
    // that entry's sender (EOP writes one per pass).
    static ExchangeSignals of_pass(const Trace& t, const std::string& client_ip) {
        ExchangeSignals s;
        for (const auto& h : t.signals) {
            // An earlier pass's report is kept renamed with "-Untrusted".
            if (!iequals(h.name, "X-Forefront-Antispam-Report") &&
                !iequals(h.name, "X-Forefront-Antispam-Report-Untrusted"))
                continue;
            std::string_view v = h.value;
            auto at = v.find("CIP:");
            if (at == std::string_view::npos) continue;
            auto rest = v.substr(at + 4);
            auto ip = normalise_ip(rest.substr(0, rest.find(';')));
            if (!ip || *ip != client_ip) continue;
            s.dir_out = v.find("DIR:OUT") != std::string_view::npos;
            s.dir_inb = v.find("DIR:INB") != std::string_view::npos;
            s.report_name = h.name;
            break;
        }
        return s;
    }
    [[nodiscard]] bool entity_is(std::string_view v) const { return entity && iequals(*entity, v); }
    [[nodiscard]] bool as_is(std::string_view v) const { return auth_as && iequals(*auth_as, v); }
    // Taken through an inbound connector: an on-premises (HybridOnPrem) or
    // partner connector, or authenticated as internal on mail no mailbox wrote.
    [[nodiscard]] bool connector() const {
        if (entity_is("HybridOnPrem")) return true;
        if (entity_is("Hosted")) return false;
        // A Partner connector authenticated the sender: internet mail
        // (FromEntityHeader Internet) from a partner it names.
        if (as_is("Partner")) return true;
        if (entity_is("Internet")) return false;
        // The spam filter took mail coming in over SMTP as outgoing: only an
        // on-premises connector makes EOP relay it out.
        return as_is("Internal") || as_is("Partner") || (dir_out && !entity);
    }
    // Taken as anonymous mail: FromEntityHeader Internet, or AuthAs
    // Anonymous. Only the first proves no connector took it: AuthAs stays
    // Anonymous when an on-premises connector matched by IP
    // (connector-rules.md, the relay signature).
    [[nodiscard]] bool anonymous() const { return !connector() && (entity_is("Internet") || as_is("Anonymous")); }
    [[nodiscard]] bool no_connector() const { return !connector() && entity_is("Internet"); }
    // Whether any header says how the message was taken in.
    [[nodiscard]] bool says_anything() const { return any() || dir_out || dir_inb || direction; }
    [[nodiscard]] bool any() const { return entity || auth_as; }
    // How it entered where the stamp of the entry is not in the header:
    // Exchange's own FromEntityHeader may still say (a tenant's mailbox, an
    // on-premises connector), though not from where.
    [[nodiscard]] const char* method_without_entry() const {
        return entity_is("Hosted") ? "mailbox" : entity_is("HybridOnPrem") ? "connector-relay" : "unknown";
    }
    [[nodiscard]] std::string words() const {
        std::string out;
        if (entity) out += "FromEntityHeader: " + std::string(*entity);
        if (auth_as) out += (out.empty() ? "" : ", ") + std::string("AuthAs: ") + std::string(*auth_as);
        return out;
    }
};

// The addresses EOP itself recorded, newest first, one per pass through EOP:
// its Authentication-Results or X-MS-Exchange-Authentication-Results "(sender
// IP is X)", else Received-SPF "client-ip=X" from protection.outlook.com.
std::vector<std::string> eop_client_ips(const Trace& t) {
    std::vector<std::string> out;
    for (std::string_view header : {"Authentication-Results", "Received-SPF"}) {
        for (const auto& s : t.signals) {
            std::string_view v = s.value;
            if (!iequals(s.name, header) &&
                !(header == "Authentication-Results" && iequals(s.name, "X-MS-Exchange-Authentication-Results")))
                continue;
            std::string_view marker = header == "Received-SPF" ? "client-ip=" : "sender IP is ";
            if (header == "Received-SPF" && v.find("protection.outlook.com") == std::string_view::npos) continue;
            auto at = v.find(marker);
            if (at == std::string_view::npos) continue;
            auto rest = v.substr(at + marker.size());
            if (auto ip = normalise_ip(rest.substr(0, rest.find_first_of(" );")));
                ip && std::ranges::find(out, *ip) == out.end())
                out.push_back(std::move(*ip));
        }
        if (!out.empty()) break;
    }
    return out;
}

// A later pass through EOP than `entry` (out through a gateway and back)
// that `same` picks, or null.
template <typename Same>
const Hop* later_eop_pass(const Trace& t, const Hop& entry, Same&& same) {
    for (const auto& h : t.hops)
        if (h.role == kEop && h.index > entry.index && same(h)) return &h;
    return nullptr;
}

// The later pass through EOP whose sender is `ip`, or null.
const Hop* later_eop_from(const Trace& t, const Hop& entry, const std::string& ip) {
    return later_eop_pass(t, entry, [&](const Hop& h) { return h.fields.from.ip && *h.fields.from.ip == ip; });
}

// Compares what Exchange Online's own headers say with the entry hop's
// stamp. A message can pass EOP twice (out through a gateway and back):
// what the later pass wrote is said to be that pass's, not the entry's.
void check_eop_signals(Trace& t, const Hop& eop, RelayVerdict& v) {
    if (auto ips = eop_client_ips(t); !ips.empty()) {
        const auto& at_entry = eop.fields.from.ip;
        if (at_entry && std::ranges::find(ips, *at_entry) != ips.end()) {
            v.evidence.push_back("EOP's own authentication header names sender IP " + *at_entry);
        } else if (const Hop* later = later_eop_pass(t, eop, [&](const Hop& h) {
                       return h.fields.from.ip && std::ranges::find(ips, *h.fields.from.ip) != ips.end();
                   })) {
            v.evidence.push_back("EOP's own authentication header names sender IP " + *later->fields.from.ip +
                                 ": the later pass through EOP at " + hop_ref(*later) + ", not this entry");
        } else if (const auto before = std::ranges::find_if(t.hops,
                                                            [&](const Hop& h) {
                                                                return h.index < eop.index && h.fields.from.ip &&
                                                                       *h.fields.from.ip == ips.front();
                                                            });
                   before != t.hops.end()) {
            // Enhanced Filtering for Connectors (skip listing): EOP checks the
            // sender before the gateway or relay that handed it the message
            // (connector-rules.md, EF).
            v.evidence.push_back("EOP's own authentication header names sender IP " + ips.front() + ", the sender of " +
                                 hop_ref(*before) +
                                 " before the system that handed the message to EOP: Enhanced Filtering for "
                                 "Connectors (skip listing) checked the original sender");
        } else {
            v.evidence.push_back("EOP's own authentication header names sender IP " + ips.front());
            bool seen = std::ranges::any_of(t.hops, [&](const Hop& h) {
                return h.role == kEop && h.fields.from.ip && *h.fields.from.ip == ips.front();
            });
            if (!seen && at_entry)
                t.anomalies.push_back(
                    {"signal-contradiction", "EOP's authentication header says the sender IP was " + ips.front() +
                                                 " but no EOP hop's stamp has that sender (first: " + *at_entry + ")"});
        }
    }
    if (auto arrival = find_signal(t, "X-MS-Exchange-CrossTenant-OriginalArrivalTime")) {
        // "14 May 2024 07:12:05.5841 (UTC)": drop the fraction, the zone is UTC.
        std::string text(*arrival);
        if (auto paren = text.find('('); paren != std::string::npos) text.erase(paren);
        if (auto dot = text.rfind('.'); dot != std::string::npos && dot > text.rfind(':')) text.erase(dot);
        ParsedDate d = parse_date(text + " +0000");
        if (d.time) {
            constexpr std::int64_t kTolerance = 300;
            auto off = [&](const Hop& h) {
                return h.fields.time ? std::llabs(*d.time - *h.fields.time) : kTolerance + 1;
            };
            auto near = [&](const Hop& h) { return off(h) <= kTolerance; };
            // The pass it was written at: the EOP stamp nearest in time.
            const Hop* later = later_eop_pass(t, eop, [&](const Hop& h) { return near(h) && off(h) < off(eop); });
            v.evidence.push_back(
                "Exchange Online recorded the arrival at " + format_utc(*d.time) + " (OriginalArrivalTime)" +
                (later ? ": the later pass through EOP at " + hop_ref(*later) + ", not this entry" : std::string()));
            if (!later && eop.fields.time && !near(eop))
                t.anomalies.push_back(
                    {"signal-contradiction", "OriginalArrivalTime " + format_utc(*d.time) + " is " +
                                                 std::to_string(std::llabs(*d.time - *eop.fields.time)) +
                                                 " s away from the EOP hop's stamp " + format_utc(*eop.fields.time)});
        }
    }
}

// How the inbound connector recognised the sender, as far as the headers
// tell: by the subject of its TLS certificate (TlsSenderCertificateName) or
// by its public address.
// With a connector configuration given (`guess` false) it only reports the
// facts: the configuration decides.
void match_kind(const Trace& t, const Hop& eop, const ExchangeSignals& sig, RelayVerdict& v, RelayConnector& c,
                bool guess) {
    auto attributed = find_signal(t, "X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp");
    if (sig.mechanism) {
        auto name = auth_mechanism_name(*sig.mechanism);
        std::string code(*sig.mechanism);
        c.evidence.push_back("AuthMechanism " + code + " = " + std::string(name.empty() ? "unknown code" : name) +
                             " (undocumented by Microsoft; as read from Exchange's code)");
        if (guess && (name == "MutualTLS" || name == "DirectTrustTLS")) {
            c.matched_by = "certificate";
            c.evidence.emplace_back(
                "the connector authenticated the sender by its TLS certificate: matched by certificate "
                "(TlsSenderCertificateName); the certificate itself is not in the headers");
            return;
        }
    }
    // An OnPremises connector's SenderIPAddresses holds IPv4 only
    // (connector-rules section 3: New-InboundConnector, "IPv6 addresses are
    // not supported"): a sender at an IPv6 address matched by certificate.
    if (guess && v.ip && v.ip->find(':') != std::string::npos && !sig.as_is("Partner")) {
        if (!v.tls) {
            c.evidence.push_back("EOP received it from " + *v.ip +
                                 ", an IPv6 address, which SenderIPAddresses cannot hold (IPv4 only); the stamp is "
                                 "cut before it says whether TLS was used, so how a connector took it is not shown");
        } else if (eop.fields.tls) {
            c.matched_by = "certificate";
            c.evidence.push_back(
                "EOP received it from " + *v.ip +
                ", an IPv6 address, which SenderIPAddresses cannot hold (IPv4 only), over TLS: the only "
                "documented way a connector matches it is the TLS certificate's name "
                "(TlsSenderCertificateName); the certificate itself is not in the headers");
        } else {
            c.evidence.push_back("EOP received it from " + *v.ip +
                                 ", an IPv6 address, which SenderIPAddresses cannot hold (IPv4 only), and without "
                                 "TLS, so no certificate can have matched either: the headers do not show how a "
                                 "connector could have taken it");
        }
        return;
    }
    if (attributed) {
        auto ip = attributed_ip(*attributed);
        // Another address than EOP's sender: a later pass through EOP (out
        // through a gateway and back) wrote it.
        auto other_sender = [&] {
            const Hop* later = later_eop_from(t, eop, *ip);
            return later
                       ? "OriginalAttributedTenantConnectingIp names " + *ip +
                             ": the sender of the later pass through EOP at " + hop_ref(*later) + ", not of this entry"
                       : "OriginalAttributedTenantConnectingIp names " + *ip + ", not EOP's sender " +
                             v.ip.value_or("?");
        };
        if (!guess) {
            if (ip)
                c.evidence.push_back(v.ip && *ip != *v.ip
                                         ? other_sender()
                                         : "OriginalAttributedTenantConnectingIp (undocumented) names " + *ip);
            return;
        }
        if (ip && v.ip && *ip == *v.ip) {
            // The header is on connector mail of either kind; only a
            // connection without TLS rules the certificate out.
            if (!v.tls) {
                c.evidence.push_back("EOP attributed the message to the tenant by the connecting address " + *ip +
                                     " (OriginalAttributedTenantConnectingIp, undocumented, seen on connector mail of "
                                     "either kind); the stamp is cut before it says whether TLS was used, so the "
                                     "connector may trust that IP or a certificate's name");
            } else if (!eop.fields.tls) {
                c.matched_by = "ip";
                c.evidence.push_back(
                    "EOP attributed the message to the tenant by the connecting address " + *ip +
                    " (OriginalAttributedTenantConnectingIp, undocumented), and the hop into EOP used no TLS, so no "
                    "certificate can have matched: a connector that trusts the sending server's IP "
                    "(SenderIPAddresses)");
            } else {
                c.evidence.push_back(
                    "EOP attributed the message to the tenant by the connecting address " + *ip +
                    " (OriginalAttributedTenantConnectingIp, undocumented, seen on connector mail of either kind); "
                    "over TLS the connector may trust that IP (SenderIPAddresses) or the certificate's name "
                    "(TlsSenderCertificateName): the headers do not say which");
            }
            return;
        }
        if (ip) c.evidence.push_back(other_sender());
    }
    if (guess && eop.fields.tls && sig.auth_as && (sig.as_is("Internal") || sig.as_is("Partner")))
        c.evidence.push_back("the hop into EOP used TLS and EOP authenticated the sender as " +
                             std::string(*sig.auth_as) +
                             ", but the headers do not say whether by certificate or by IP");
}

// The sender of a stamp, when it is a Microsoft 365 host (by the same
// rules that name Microsoft 365's receivers).
std::optional<std::string> microsoft_sender(const ReceivedFields& f, const RuleSet& rules) {
    for (const auto* name : {&f.from.rdns, &f.from.host, &f.from.helo}) {
        if (!*name) continue;
        if (rules.names_microsoft_365(*name, std::nullopt)) return **name;
    }
    return std::nullopt;
}

std::string seen_words(const RelayVerdict& v) {
    // A client that greeted with an address literal: its address, then what it said.
    if (v.host && v.host->starts_with("[") && v.ip) return "[" + *v.ip + "] (HELO " + *v.host + ")";
    std::string who = v.host.value_or(v.ip ? "" : "an unnamed sender");
    if (v.ip) who += (who.empty() ? "[" : " [") + *v.ip + "]";
    return who;
}

// What Exchange's headers say of the entry, where they leave open whether a
// connector took it.
std::string said_words(const ExchangeSignals& sig) {
    std::string said = sig.words();
    if (sig.direction)
        said += (said.empty() ? "" : ", ") + std::string("MessageDirectionality: ") + std::string(*sig.direction);
    if (sig.dir_inb) said += (said.empty() ? "" : ", ") + std::string("DIR:INB");
    if (!sig.entity && sig.as_is("Anonymous"))
        said += "; no FromEntityHeader, and AuthAs stays Anonymous when a connector matched by IP";
    return said;
}

// Why the headers leave open how Microsoft 365 took the message in.
std::string taken_in_words(const ExchangeSignals& sig) {
    if (!sig.says_anything())
        return "Exchange's headers that say how Microsoft 365 took it in (FromEntityHeader, AuthAs, the spam "
               "filter's DIR) are absent";
    return "Exchange's headers do not say whether a connector took it in (" + said_words(sig) + ")";
}

std::string role_words(std::string_view role) {
    if (role == kLocal) return "a relay of the sender's own";
    if (role == kOrigin) return "the sending device itself";
    if (role == "sender-infrastructure") return "the sender's provider";
    if (role == "external-delivery") return "another organisation's system";
    if (role == "mailing-list") return "a mailing list";
    // Before the entry into the last tenant: another tenant's.
    if (role == kExo) return "another Microsoft 365 tenant's Exchange Online";
    if (role == kEop) return "another Microsoft 365 tenant's EOP";
    return std::string(role);
}

std::string tls_words(const RelayVerdict& v) {
    if (!v.tls) return "(the stamp is cut before it says whether TLS was used)";
    if (!*v.tls) return "without TLS";
    if (!v.tls_version || *v.tls_version == "unknown") return "over TLS (version not stated)";
    return "over TLS " + *v.tls_version;
}

// Why this is the organisation's own mail (the tenant's), when the headers
// or the user say so: the relay question is about the organisation's own
// mail; another organisation's inbound mail is not the relay's.
EopEntry eop_entry(const Trace& t, const Hop& entry, const ExchangeSignals& sig);

// EOP's own record of the entry, worked out once, when first asked for: the
// own-mail test, --relay's names, the inbound evidence and the connector
// match all read the same one.
class EntryRecord {
  public:
    EntryRecord(const Trace& t, const Hop& entry, const ExchangeSignals& sig) : t_(t), entry_(entry), sig_(sig) {}
    const EopEntry& get() {
        if (!record_) record_ = eop_entry(t_, entry_, sig_);
        return *record_;
    }

  private:
    const Trace& t_;
    const Hop& entry_;
    const ExchangeSignals& sig_;
    std::optional<EopEntry> record_;
};

// The envelope sender's domain EOP recorded, where it is of another
// organisation than From's `org`; nullopt where it is the same or unknown.
std::optional<std::string> other_envelope(const EopEntry& eop, const std::string& org) {
    if (!eop.envelope_domain || eop.envelope_domain->empty() ||
        org_of_name(*eop.envelope_domain).value_or(*eop.envelope_domain) == org)
        return std::nullopt;
    return eop.envelope_domain;
}

std::optional<std::string> envelope_domain_of(std::string_view value);

// Whether a copy sent on out of Microsoft 365 (at hop index `sent_on`) is
// the tenant forwarding mail it received: Exchange recorded the entry as
// anonymous internet mail coming in (FromEntityHeader Internet, the spam
// filter's DIR:INB, MessageDirectionality Incoming), which it never relays
// out (5.7.64); a mailbox's forwarding sends it on, under an SRS envelope
// (connector-rules.md section 6). The recipients that copy reached are not
// the tenant's.
bool forwarded_out(const ExchangeSignals& sig, const std::optional<std::size_t>& sent_on) {
    return sent_on && recorded_incoming({sig.entity, sig.auth_as, sig.direction, sig.dir_out, sig.dir_inb});
}

std::optional<std::string> own_mail(const Trace& t, const Sides& sides, const ExchangeSignals& sig,
                                    const std::optional<RuleMatch>& named, std::size_t entry, EntryRecord& record,
                                    const RuleSet& rules) {
    if (named) return "the user's --relay names EOP's sender";
    if (sig.entity_is("HybridOnPrem")) return "Microsoft 365 took it through an on-premises connector (HybridOnPrem)";
    if (sig.connector() && sig.as_is("Internal")) return "Microsoft 365 authenticated the sender as internal";
    if (sig.direction && iequals(*sig.direction, "Originating"))
        return "Exchange says the message originated in the organisation (MessageDirectionality: Originating)";
    if (sig.dir_out) return concat({"the spam filter treated it as outgoing mail (", sig.report_name, " DIR:OUT)"});
    // Microsoft 365 sent it on to another organisation: a tenant relays
    // only its own mail out, unless it forwards mail it received.
    std::optional<std::size_t> sent_on = sent_on_out(t, sides, entry);
    if (sent_on && forwarded_out(sig, sent_on)) return std::nullopt;
    if (sent_on)
        return "Microsoft 365 sent the message on to " + *t.hops[*sent_on].org + " (" + hop_ref(t.hops[*sent_on]) +
               "): a tenant relays only its own mail out";
    // From and the recipients in one domain, straight from the sender's side
    // (a list's To names the list, not the tenant the copy went to).
    bool through_list = sides.list_headers || std::ranges::any_of(t.hops, [&](const Hop& h) {
                            return &h < &t.hops[entry] && h.role == std::string_view("mailing-list");
                        });
    // The From header alone proves nothing (anyone can write it; Microsoft
    // no longer attributes mail by it): the envelope sender EOP recorded
    // (Direct Send's P1 domain is the tenant's own) must not be another
    // organisation's.
    if (t.from && !through_list)
        if (auto org = org_of_address(*t.from))
            if (std::ranges::find(sides.recipient_orgs, *org) != sides.recipient_orgs.end()) {
                const EopEntry& eop = record.get();
                if (other_envelope(eop, *org)) return std::nullopt;
                return "From's " + *org + " is also the recipients' domain" +
                       (eop.envelope_domain && !eop.envelope_domain->empty()
                            ? ", and so is the envelope sender's (" + *eop.envelope_domain + ")"
                            : std::string());
            }
    // The tenant's own domains, where the user gave them (a
    // Get-AcceptedDomain export with --connectors): From's domain accepted,
    // and the envelope sender's too where EOP recorded one (Direct Send's P1
    // domain is the tenant's own).
    if (const ConnectorConfig* config = rules.connectors();
        config != nullptr && config->accepted_domains_given && t.from && !through_list)
        if (auto domain = envelope_domain_of(*t.from); domain && !domain->empty())
            if (auto accepted = accepted_domain_of(*domain, *config)) {
                const EopEntry& eop = record.get();
                const bool envelope_given = eop.envelope_domain && !eop.envelope_domain->empty();
                if (!envelope_given || accepted_domain_of(*eop.envelope_domain, *config))
                    return "From's " + *domain + " is the tenant's accepted domain " + *accepted +
                           (envelope_given ? ", and so is the envelope sender's (" + *eop.envelope_domain + ")"
                                           : std::string()) +
                           " (the accepted domains given with --connectors)";
            }
    // EOP's sender is in a network --internal-net names as the organisation's.
    if (!rules.has_user_rules()) return std::nullopt;
    if (const EopEntry& eop = record.get(); eop.ip)
        if (auto m = rules.match_from(std::nullopt, eop.ip); m && m->rule->user && m->rule->family == Family::Internal)
            return "EOP's sender " + *eop.ip + " is in the organisation's own network (" + m->evidence() + ")";
    return std::nullopt;
}

// The domain of an address in a header value ("<a@b.example>" -> "b.example");
// "" for the null sender "<>"; nullopt when there is no address.
std::optional<std::string> envelope_domain_of(std::string_view value) {
    auto at = value.rfind('@');
    if (at == std::string_view::npos) {
        if (value.find("<>") != std::string_view::npos) return std::string();
        return std::nullopt;
    }
    std::string_view d = value.substr(at + 1);
    d = d.substr(0, d.find_first_of(">; \t)"));
    std::string out(d);
    for (auto& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return out;
}

// What the headers prove about the entry into EOP, from EOP's own records
// first (the spam filter's CIP, H and PTR; the envelope sender its
// authentication header names), the entry stamp second.
EopEntry eop_entry(const Trace& t, const Hop& entry, const ExchangeSignals& sig) {
    EopEntry e;
    // The spam filter's report of this entry: a message that passed EOP again
    // (out through a gateway and back) carries one per pass, the newest on
    // top, and the later pass's is not this entry's. Its CIP is this entry
    // stamp's sender; else the first whose CIP is no later pass's sender.
    std::vector<SecurityField> report;
    std::string_view report_name;
    bool report_is_entry = false;
    for (const auto& s : t.signals) {
        if (report_is_entry) break;
        if (!iequals(s.name, "X-Forefront-Antispam-Report") &&
            !iequals(s.name, "X-Forefront-Antispam-Report-Untrusted"))
            continue;
        std::vector<SecurityField> fields = parse_forefront_report(s.value);
        std::optional<std::string> cip;
        for (const auto& f : fields)
            if (f.key == "CIP") cip = normalise_ip(f.value);
        report_is_entry = cip && entry.fields.from.ip && *cip == *entry.fields.from.ip;
        if (report_is_entry || (report_name.empty() && !(cip && later_eop_from(t, entry, *cip)))) {
            report = std::move(fields);
            report_name = s.name;
        }
    }
    for (const auto& f : report) {
        if (f.key == "CIP" && !e.ip && f.value != "255.255.255.255") {
            e.ip = normalise_ip(f.value);
            if (e.ip) e.ip_source = "CIP of " + std::string(report_name);
        }
        if (f.key == "H" && !f.value.empty()) e.helo = std::string(f.value);
        // Not "InfoDomainNonexistent" or "InfoNoRecords": no reverse name found (observed).
        if (f.key == "PTR" && f.value.find('.') != std::string_view::npos) e.rdns = std::string(f.value);
    }
    if (!e.ip)
        if (auto a = find_signal(t, "X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp"))
            if ((e.ip = attributed_ip(*a))) e.ip_source = "OriginalAttributedTenantConnectingIp";
    if (!e.ip && entry.fields.from.ip) {
        e.ip = entry.fields.from.ip;
        e.ip_source = "the Frontend Transport stamp";
    }
    if (!e.helo) e.helo = entry.fields.from.helo;
    if (!e.rdns) e.rdns = entry.fields.from.rdns;
    e.tls = entry.fields.tls.has_value();
    if (entry.fields.tls) e.tls_version = entry.fields.tls->version;
    // The envelope sender EOP itself recorded (smtp.mailfrom of its
    // Authentication-Results; of the copy it keeps when the message leaves
    // the organisation, X-MS-Exchange-Authentication-Results; or of its ARC
    // set, "sender ip is"), else Return-Path, which a list rewrites later.
    // That of this entry's sender where one names it; a later pass's says
    // another sender IP.
    const std::string this_sender = e.ip ? "sender IP is " + *e.ip : std::string();
    std::optional<std::string_view> mailfrom;
    bool of_this_sender = false;
    for (const auto& s : t.signals) {
        const bool eop_header =
            iequals(s.name, "Authentication-Results") || iequals(s.name, "X-MS-Exchange-Authentication-Results") ||
            (iequals(s.name, "ARC-Authentication-Results") && icontains(s.value, "mx.microsoft.com"));
        if (!eop_header || !icontains(s.value, "sender IP is")) continue;
        auto at = s.value.find("smtp.mailfrom=");
        if (at == std::string::npos) continue;
        const bool names = !this_sender.empty() && icontains(s.value, this_sender);
        if (!mailfrom || names) {
            mailfrom = std::string_view(s.value).substr(at + 14);
            of_this_sender = names;
        }
        if (of_this_sender) break;
    }
    if (mailfrom) {
        std::string v(mailfrom->substr(0, mailfrom->find_first_of("; \t")));
        e.envelope_domain = envelope_domain_of(v.find('@') == std::string::npos ? "@" + v : v);
    }
    if (!e.envelope_domain)
        if (auto rp = find_signal(t, "Return-Path")) e.envelope_domain = envelope_domain_of(*rp);
    if (t.from)
        if (auto domain = envelope_domain_of(*t.from); domain && !domain->empty()) e.from_domain = *domain;
    if (sig.entity) e.from_entity = std::string(*sig.entity);
    if (sig.auth_as) e.auth_as = std::string(*sig.auth_as);
    if (sig.connector() && !sig.entity_is("HybridOnPrem") && !sig.as_is("Partner"))
        e.connector_signal = sig.as_is("Internal") ? std::string("AuthAs: Internal")
                                                   : concat({"the spam filter's ", sig.report_name, " DIR:OUT"});
    if (sig.mechanism) e.auth_mechanism = std::string(*sig.mechanism);
    return e;
}

// What shows that Microsoft 365 handled a message whose chain holds none of
// its stamps: a hop that took it from EOP's outbound service, or a header
// only the service writes. Empty when nothing does.
std::string microsoft_365_traces(const Trace& t, const RuleSet& rules) {
    std::string out;
    for (const auto& h : t.hops) {
        const auto& f = h.fields.from;
        for (const auto* name : {&f.rdns, &f.host, &f.helo}) {
            if (!*name || !rules.names_eop_outbound(**name, std::nullopt)) continue;
            out = hop_ref(h) + " took it from " + **name + ", EOP's outbound service";
            break;
        }
        if (!out.empty()) break;
    }
    for (const auto& s : t.signals) {
        // Exchange Server writes X-MS-Exchange-Organization-* on premises
        // too; the cross-tenant fields and EOP's filter report are the
        // service's own.
        std::string_view n = s.name;
        constexpr std::string_view kCross = "X-MS-Exchange-CrossTenant-";
        bool cross = n.size() > kCross.size() && istarts_with(n, kCross);
        if (!cross && !iequals(n, "X-Forefront-Antispam-Report")) continue;
        out += (out.empty() ? "" : "; ") + s.name + " is written by Microsoft 365 itself";
        break;
    }
    return out;
}

void finish(RelayVerdict& v, std::string_view state, std::string_view method, std::string_view reason) {
    v.state = state;
    v.method = method;
    v.reason = reason;
    v.traversed = state == "traversed";
}

}  // namespace

void decide_relay(Trace& t, const std::vector<System>& sys, const Sides& sides, const RuleSet& rules) {
    RelayVerdict v;
    ExchangeSignals sig = ExchangeSignals::of(t);
    const std::size_t n = t.hops.size();
    int last = -1;
    for (int g : sides.tenant_group) last = std::max(last, g);
    if (last < 0) {
        auto passed = microsoft_365_traces(t, rules);
        if (passed.empty() && n == 0) {
            // No stamp at all (a draft, a file saved before sending, a header
            // cut short): nothing says where it went.
            finish(v, "not-applicable", "unknown", "no-received");
            v.evidence.emplace_back(
                "the header holds no Received stamp: whether and how it reached Microsoft 365 the headers do not tell");
        } else if (passed.empty() && t.refused_by && rules.names_microsoft_365_server(*t.refused_by)) {
            // A bounce's returned message that Microsoft 365 refused: it got
            // there, but was never taken in, so no stamp of Microsoft's.
            finish(v, "not-applicable", "none", "refused-by-microsoft-365");
            v.evidence.push_back("no Microsoft 365 hop in the chain: the report says Microsoft 365 (" + *t.refused_by +
                                 ") refused the message, so it was never taken in");
        } else if (passed.empty()) {
            finish(v, "not-applicable", "none", "no-microsoft-365");
            v.evidence.emplace_back("no Microsoft 365 hop in the chain: this message never reached Microsoft 365");
        } else {
            // Microsoft 365 handled it, but its stamps are not in this header
            // (cut from a paste, or dropped on the way): how it entered is
            // not told, so neither is the relay answer.
            // Exchange's own headers may still say how: a tenant's mailbox.
            bool hosted = sig.entity_is("Hosted");
            // Or an on-premises connector: how it entered, though not from where.
            bool on_premises = sig.entity_is("HybridOnPrem");
            if (n > 0) {
                const auto& first = t.hops.front().fields.from;
                v.first_sender_microsoft = microsoft_sender(t.hops.front().fields, rules).has_value() ||
                                           rules.names_microsoft_365(first.host, first.ip);
            }
            finish(v, "not-applicable", sig.method_without_entry(), "no-microsoft-365-stamps");
            const bool some_stamp =
                std::ranges::any_of(t.hops, [](const Hop& h) { return h.role == kEop || h.role == kExo; });
            v.evidence.push_back("the message passed through Microsoft 365 (" + passed + "), but " +
                                 (some_stamp ? "the stamp of its entry into Microsoft 365 is not in the header: "
                                             : "none of Microsoft 365's Received stamps is in the header: ") +
                                 (hosted ? "the hops in it are not told" : "how it entered Microsoft 365 is unknown"));
            if (sig.any()) v.evidence.push_back("Exchange's own headers: " + sig.words());
            if (hosted)
                v.evidence.emplace_back(
                    "FromEntityHeader: Hosted: sent from a mailbox of the tenant (undocumented value), not through a "
                    "relay");
            if (on_premises)
                v.evidence.emplace_back(
                    "FromEntityHeader: HybridOnPrem: Microsoft 365 took it through an on-premises connector, but the "
                    "stamp of that entry, and so the system it came from, is not in the header");
        }
        if (rules.has_user_relay()) v.evidence.emplace_back("--relay is not looked for: there is no EOP entry");
        t.relay = std::move(v);
        return;
    }
    // The entry into the recipient's tenant: the first hop of the last
    // tenant the message passed.
    std::size_t e = 0;
    while (sides.tenant_group[e] != last) ++e;
    const Hop& entry = t.hops[e];
    v.entry_hop = entry.index;
    v.host = entry.fields.from.host;
    v.ip = entry.fields.from.ip;
    v.tls = entry.fields.tls.has_value();
    if (entry.fields.tls) v.tls_version = entry.fields.tls->version.value_or("unknown");
    // A stamp cut short ("from relay (192.0.2.61) by" at the end of a paste,
    // or lines lost after "with Microsoft SMTP"): whether TLS was used is not
    // in it. Every stamp Microsoft 365 writes ends with its time, after the
    // TLS clause; one without a time and without TLS may have lost it.
    if (!entry.fields.tls && !entry.fields.time) {
        v.tls.reset();
        v.entry_cut = true;
    }
    // 255.255.255.255 is no sender: Exchange Online writes it for a client
    // whose address it does not show (its spam filter's CIP too). The
    // client's own address, where Exchange gives one, is X-Originating-IP.
    std::optional<std::string> masked;
    if (v.ip && *v.ip == "255.255.255.255") {
        masked =
            "the entry stamp's sender 255.255.255.255 is no address: Exchange Online writes it for a client "
            "whose address it does not show";
        v.ip.reset();
        if (v.host && (*v.host == "255.255.255.255" || *v.host == "[255.255.255.255]")) v.host.reset();
        if (auto ip = originating_ip(t)) {
            v.ip = *ip;
            *masked += "; X-Originating-IP names the client: " + *ip;
        }
    }
    const std::string by = entry.fields.by.host.value_or(entry.fields.by.ip.value_or("?"));
    v.evidence.push_back("Microsoft 365 took the message in at " + hop_ref(entry) +
                         (entry.fields.by.host || entry.fields.by.ip ? " (" + by + ")" : std::string()) + " from " +
                         seen_words(v) + " " + tls_words(v));
    if (masked) v.evidence.push_back(*masked);
    if (v.tls_version && (*v.tls_version == "1.0" || *v.tls_version == "1.1") && entry.role == kEop)
        v.evidence.push_back("TLS " + *v.tls_version +
                             " into EOP: Microsoft has since retired TLS 1.0 and 1.1 for SMTP; the sending server "
                             "needs TLS 1.2 or later now");
    // The same tenant took the message in again later, from an outside
    // system (a gateway it routes its mail through): Exchange's single-valued
    // headers were written at that last pass, and say nothing of this entry.
    std::optional<std::size_t> reentry;
    for (std::size_t j = e + 1; j < n; ++j)
        if (sides.tenant_group[j] == last && t.hops[j].role == kEop && t.hops[j].fields.from.ip &&
            !site_local_address(*t.hops[j].fields.from.ip) && !microsoft_sender(t.hops[j].fields, rules))
            reentry = j;
    if (reentry && v.ip) {
        const Hop& again = t.hops[*reentry];
        if (sig.any())
            v.evidence.push_back("Exchange's own headers (" + sig.words() +
                                 ") were written when the message came in "
                                 "again, at " +
                                 hop_ref(again) + " from " + again.fields.from.host.value_or("?") + " [" +
                                 *again.fields.from.ip + "]: they describe that pass, not this entry");
        sig = ExchangeSignals::of_pass(t, *v.ip);
        if (entry.role == kEop)
            v.evidence.emplace_back(sig.dir_out || sig.dir_inb
                                        ? std::string("the spam filter's report for this entry (") +
                                              std::string(sig.report_name) + ", CIP " + *v.ip + ") says " +
                                              (sig.dir_out ? "DIR:OUT" : "DIR:INB")
                                        : "no spam filter's report names this entry's sender (CIP " + *v.ip + ")");
    } else if (sig.any()) {
        v.evidence.push_back("Exchange's own headers: " + sig.words());
    }
    EntryRecord record(t, entry, sig);
    auto named = rules.match_user_relay(v.host, v.ip);
    // Or by the names EOP itself recorded for that sender (the spam
    // filter's PTR and H: schybrid03.nvidia.com for mail.nvidia.com).
    std::optional<std::string> named_by_eop;
    if (!named && rules.has_user_relay() && entry.role == kEop) {
        const EopEntry& eop = record.get();
        if (!eop.ip || !v.ip || *eop.ip == *v.ip)
            for (const auto* name : {&eop.rdns, &eop.helo})
                if (*name && (named = rules.match_user_relay(*name, std::nullopt))) {
                    named_by_eop =
                        concat({**name, " (", name == &eop.rdns ? "PTR" : "H", " of ", sig.report_name, ")"});
                    break;
                }
    }
    auto own = own_mail(t, sides, sig, named, e, record, rules);

    // Another tenant handed it over: another organisation's mail.
    if (sides.links[e].tenant) {
        // Outlook.com's consumer service on both sides (X-OriginatorOrg
        // outlook.com, the recipient's tenant its consumer one): personal
        // mailboxes, out through EOP and back in.
        auto tenant = find_signal(t, "X-MS-Exchange-CrossTenant-Id");
        auto originator = find_signal(t, "X-OriginatorOrg");
        const bool consumer = tenant && consumer_tenant_id(trim_wsp(*tenant)) && originator &&
                              iequals(trim_wsp(*originator), "outlook.com");
        finish(v, "not-applicable", "inbound", consumer ? "outlook-com" : "inbound");
        v.evidence.push_back(
            (consumer ? "Outlook.com's mail out and back in: " : "another Microsoft 365 tenant's mail: ") +
            sides.links[e].why);
        if (consumer)
            v.evidence.push_back("X-OriginatorOrg is outlook.com and X-MS-Exchange-CrossTenant-Id " +
                                 std::string(trim_wsp(*tenant)) +
                                 " is Outlook.com's consumer tenant (observed): personal mailboxes on both sides, "
                                 "so no organisation's relay is involved");
        t.relay = std::move(v);
        return;
    }

    if (entry.role == kExo) {
        // The first of the organisation's own servers after the entry.
        std::optional<std::size_t> route_out;
        for (std::size_t i = e + 1; i < t.hops.size() && !route_out; ++i)
            if (t.hops[i].role == std::string_view(kLocal)) route_out = i;
        // No EOP at the entry: written in a mailbox, or submitted by a client.
        const auto& f = entry.fields;
        const auto& with = f.with;
        // An SMTP client's submission that Exchange's front end proxied to the
        // mailbox server also leaves a "with mapi" stamp (proxied_smtp_client).
        const auto proxy = proxied_smtp_client(t, entry);
        const bool written_in_mailbox = mailbox_stamp(f) || (!f.from.ip && !f.from.host);
        // Without X-ClientProxiedBy, AuthMechanism 06 (TLSAuthLogin) on the
        // mailbox server's stamp says the same: an SMTP client logged in
        // (observed; Microsoft does not document the codes).
        const bool smtp_auth_mechanism = smtp_auth_by_mechanism(t, entry).has_value();
        bool mailbox = !proxy && !smtp_auth_mechanism && written_in_mailbox;
        bool frontend = (f.via && f.via->find("Frontend Transport") != std::string::npos) ||
                        (with && with->find("Frontend Transport") != std::string::npos);
        bool client = f.from.ip && !site_local_address(*f.from.ip) &&
                      (authenticated_submission(f) || frontend ||
                       (sig.mechanism && auth_mechanism_name(*sig.mechanism) == "TLSAuthLogin"));
        // A relay of the sender's own right before the entry: it is the SMTP
        // client that logged in (a smarthost submitting to port 587).
        // (Not a host's own mail server taking mail from a program there:
        // its stamp names another client.)
        const Hop* relay_client = e > 0 && t.hops[e - 1].role == std::string_view(kLocal) &&
                                          t.hops[e - 1].fields.from.ip &&
                                          !loopback_address(*t.hops[e - 1].fields.from.ip)
                                      ? &t.hops[e - 1]
                                      : nullptr;
        auto submitted_by = [&]() -> std::string {
            if (named)
                return named->evidence() +
                       " submitted it itself, logged in to Exchange Online: through that relay, "
                       "but not through an inbound connector";
            if (relay_client != nullptr)
                return "the sender's own relay " +
                       relay_client->fields.by.host.value_or(relay_client->fields.by.ip.value_or("?")) + " (" +
                       hop_ref(*relay_client) +
                       ") submitted it, logged in to Exchange Online: through the relay, but not through an inbound "
                       "connector";
            return {};
        };
        if (proxy || smtp_auth_mechanism) {
            // The stamp's sender is the mailbox server itself: the client's
            // address, where Exchange gives one, is X-Originating-IP.
            v.host.reset();
            v.tls.reset();
            v.tls_version.reset();
            v.ip = originating_ip(t);
            v.first_sender_microsoft = e == 0;
            if (!named && v.ip) named = rules.match_user_relay(std::nullopt, v.ip);
            v.evidence.front() = "Microsoft 365 took the message in at " + hop_ref(entry) + " (" + by + ")" +
                                 (v.ip ? " from " + seen_words(v) + " (X-Originating-IP)" : std::string());
            finish(v, "not-traversed", "client-submission", "client-submission");
            const std::string by_relay = submitted_by();
            v.evidence.push_back(
                (proxy ? "X-ClientProxiedBy: " + std::string(*proxy) +
                             ": an SMTP client's submission, proxied by Exchange's front end to the mailbox server, "
                             "whose 'with mapi' stamp is " +
                             hop_ref(entry) +
                             " (SMTP AUTH client submission, observed: Microsoft does not document the header)"
                       : "X-MS-Exchange-Organization-AuthMechanism: " + std::string(trim_wsp(*sig.mechanism)) +
                             " (TLSAuthLogin): an SMTP client logged in over TLS, and the mailbox server's stamp " +
                             hop_ref(entry) +
                             " sent what it submitted (SMTP AUTH client submission, observed: Microsoft does not "
                             "document the codes)") +
                (by_relay.empty() ? ", not through the relay" : std::string()));
            if (!by_relay.empty()) v.evidence.push_back(by_relay);
        } else if (mailbox) {
            // The stamp is the mailbox server's own hand-over of what its
            // client wrote: no connection from outside, so no TLS to speak of.
            v.tls.reset();
            v.tls_version.reset();
            // Its sender is the mailbox server itself (its name, a link-local
            // address): the client's address, where Exchange gives one, is
            // X-Originating-IP.
            bool self = (v.ip && site_local_address(*v.ip)) ||
                        (v.host && entry.fields.by.host && iequals(*v.host, *entry.fields.by.host));
            if (self) {
                v.host.reset();
                v.ip = originating_ip(t);
            }
            v.evidence.front() = "Microsoft 365 took the message in at " + hop_ref(entry) + " (" + by + ")" +
                                 (v.host || v.ip ? " from " + seen_words(v) : std::string()) +
                                 (self && v.ip ? " (X-Originating-IP)" : "");
            if (t.report_content_type && e == 0) {
                // A delivery report whose only entry is the mailbox server's
                // own hand-over: Exchange Online wrote it (an NDR, a delay or
                // relay notice), no client did.
                finish(v, "not-applicable", "mailbox", "microsoft-365-report");
                v.evidence.front() =
                    "Exchange Online handed the report to the mailbox at " + hop_ref(entry) + " (" + by + ")";
                v.evidence.push_back("a delivery report (multipart/report) whose first stamp is " + hop_ref(entry) +
                                     ", the mailbox server" + (with ? " taking it with " + *with : std::string()) +
                                     ": Exchange Online wrote it itself, no client and no relay sent it");
            } else {
                finish(v, "not-applicable", "mailbox", "mailbox");
                v.evidence.push_back("written in an Exchange Online mailbox: " + hop_ref(entry) +
                                     " is the mailbox server" + (with ? " taking it with " + *with : std::string()) +
                                     " (Outlook, OWA or a mobile client)" +
                                     (route_out ? std::string() : std::string(", not sent through a relay")));
            }
        } else if (auto inside = microsoft_sender(f, rules)) {
            // A Microsoft 365 host handed it on: the stamp of the entry itself
            // is not in this header (cut, or the stamps were put together).
            // Its sender is Microsoft's own host: not where the message came from.
            v.first_sender_microsoft = e == 0;
            v.entry_hop.reset();
            v.host.reset();
            v.ip.reset();
            v.tls.reset();
            v.tls_version.reset();
            v.evidence.erase(v.evidence.begin());
            const bool on_premises = sig.entity_is("HybridOnPrem");
            finish(v, "not-applicable", sig.method_without_entry(), "no-microsoft-365-stamps");
            v.evidence.push_back("the oldest Microsoft 365 stamp, " + hop_ref(entry) + ", has Microsoft 365's own " +
                                 *inside + " as its sender: the stamp of the entry into Microsoft 365 is not in " +
                                 (on_premises ? "this header, so the system it came from is unknown; "
                                                "FromEntityHeader: HybridOnPrem says an on-premises connector took it"
                                              : "this header, so how it entered is unknown"));
        } else if (client) {
            finish(v, "not-traversed", "client-submission", "client-submission");
            if (named || relay_client != nullptr)
                v.evidence.push_back(submitted_by() + " (SMTP AUTH client submission to " + by + ")");
            else
                v.evidence.push_back(
                    "submitted by an authenticated client straight to Exchange Online (SMTP AUTH client submission "
                    "to " +
                    by + "), not through the relay");
        } else if (sig.entity_is("Hosted")) {
            finish(v, "not-applicable", "mailbox", "mailbox");
            v.evidence.emplace_back("FromEntityHeader: Hosted: sent from a mailbox of the tenant (undocumented value)");
        } else {
            finish(v, "not-applicable", "unknown", "unknown");
            v.evidence.emplace_back(
                "the message entered at an Exchange Online server, not EOP, and its stamp says neither a mailbox "
                "client nor an authenticated submission: the headers do not tell how");
        }
        // Where the organisation's own servers carry the message on after
        // Exchange Online (centralised mail transport, an outbound connector
        // to them), the evidence says so: the client did not use the relay,
        // but the message did pass the organisation's servers.
        if (route_out) {
            const auto& out = t.hops[*route_out].fields.by;
            v.evidence.push_back("after Exchange Online it went out through the organisation's own servers at " +
                                 hop_ref(t.hops[*route_out]) + " (" + out.host.value_or(out.ip.value_or("?")) +
                                 "), as a tenant that routes its outbound mail through them does");
        }
        // Outlook.com's consumer service: a personal mailbox, no
        // organisation's tenant, so no relay of the sender's to go through.
        if (auto tenant = find_signal(t, "X-MS-Exchange-CrossTenant-Id");
            tenant && consumer_tenant_id(trim_wsp(*tenant)) && v.method != "unknown") {
            finish(v, "not-applicable", v.method, "outlook-com");
            v.evidence.push_back("X-MS-Exchange-CrossTenant-Id " + std::string(trim_wsp(*tenant)) +
                                 " is Outlook.com's consumer tenant (observed): a personal mailbox, not an "
                                 "organisation's, so no relay of the sender's is involved");
        }
        t.relay = std::move(v);
        return;
    }

    // An EOP entry. The system before it, looking through security
    // gateways and stamps that name nothing.
    std::size_t before = e;
    while (before > 0 && (t.hops[before - 1].role == kGateway || t.hops[before - 1].role == "unknown")) --before;
    std::string_view prev = before > 0 ? t.hops[before - 1].role : std::string_view();
    bool relay_before = prev == kLocal;
    // The sending host's own mail server is no relay: every stamp before
    // EOP written on one host, each taking the message from a program there
    // ("(from www-data@localhost) by app.example", then "from localhost
    // [127.0.0.1] by app.example"): the host itself gave it to EOP. A
    // connector that matches the host takes it straight from the sending
    // host, as it takes a device's: the relay is bypassed (--relay naming
    // the host says it is the relay).
    bool own_mta = false;
    if (relay_before && t.hops[before - 1].fields.by.host) {
        const std::string& host = *t.hops[before - 1].fields.by.host;
        auto this_host = [&](const std::optional<std::string>& name) {
            return !name || iequals(*name, host) || iequals(*name, "localhost") ||
                   (name->size() > 10 && istarts_with(*name, "localhost."));
        };
        own_mta = true;
        for (std::size_t i = 0; i < before && own_mta; ++i) {
            const auto& f = t.hops[i].fields;
            own_mta = f.by.host && iequals(*f.by.host, host) && (!f.from.ip || loopback_address(*f.from.ip)) &&
                      this_host(f.from.host) && this_host(f.from.helo) && this_host(f.from.rdns);
        }
    }
    if (own_mta) relay_before = false;
    bool device_direct = before == 0 || prev == kOrigin || own_mta;
    std::size_t gw = before;
    while (gw < e && t.hops[gw].role != kGateway) ++gw;
    bool through_gateway = gw < e;
    if (through_gateway) {
        const Hop& g = t.hops[gw];
        std::string product = sys[gw].service ? sys[gw].service->product : std::string();
        if (product.empty()) product = g.org.value_or("a security gateway");
        std::string span =
            gw + 1 == e ? hop_ref(g) : "hops #" + std::to_string(g.index) + "-#" + std::to_string(t.hops[e - 1].index);
        v.evidence.push_back("the message reached EOP through " + product + " (" + g.org.value_or("?") + ", " + span +
                             ")");
        v.via = GatewayVia{g.org.value_or(""), product};
    }
    if (own_mta)
        v.evidence.push_back(hop_ref(t.hops[before - 1]) + " (" + *t.hops[before - 1].fields.by.host + "), before " +
                             (through_gateway ? "the gateway and " : "") +
                             "EOP, is the sending host's own mail server, not a relay: every stamp before it was "
                             "written on that host, taking the message from a program there");
    else if (before > 0) {
        const auto& by_before = t.hops[before - 1].fields.by;
        const auto name = by_before.host ? by_before.host : by_before.ip;
        v.evidence.push_back(hop_ref(t.hops[before - 1]) + (name ? " (" + *name + ")" : std::string()) + ", before " +
                             (through_gateway ? "the gateway and " : "") + "EOP, is " + role_words(prev));
    } else if (const auto& oldest = t.hops.front().fields;
               !oldest.by.host && !oldest.by.ip && !oldest.with && !oldest.time) {
        v.evidence.emplace_back(
            "the oldest stamp in the header is cut short (no receiver, protocol or time): stamps before it may be "
            "missing from what was given, so whether the sender talked to Microsoft 365 directly is not known");
    } else
        v.evidence.emplace_back(through_gateway ? "no hop before the gateway: the sender talked to it directly"
                                                : "no hop before EOP: the sender talked to EOP directly");
    // The named relay carried the message earlier but did not hand it to
    // Microsoft 365 itself: the message went through it all the same (the
    // organisation's own host handed it on), and the evidence says which
    // host EOP took it from.
    std::optional<RuleMatch> passed_through;
    if (rules.has_user_relay() && !named)
        for (std::size_t j = 0; j < e; ++j) {
            const auto& by = t.hops[j].fields.by;
            auto m = rules.match_by(by.host, by.ip, std::nullopt);
            if (!m || !m->rule->user || m->rule->family != Family::Relay) continue;
            // Only the sender's own hosts between it and EOP: a forwarder of
            // another organisation after the relay is another way in.
            bool own_after = true;
            for (std::size_t k = j + 1; k < e && own_after; ++k)
                own_after = t.hops[k].role == kLocal || t.hops[k].role == kOrigin;
            if (!own_after) break;
            if (j + 1 == e)
                // Its stamp is the last before EOP's: EOP's sender may be
                // the relay itself under its outside name and address.
                v.evidence.push_back(m->evidence() + " took the message at " + hop_ref(t.hops[j]) +
                                     ", the last stamp before EOP's, which names the sender " + seen_words(v) +
                                     ": the relay's outside name and address, or a system after it that wrote no "
                                     "stamp");
            else
                v.evidence.push_back(m->evidence() + " took the message at " + hop_ref(t.hops[j]) +
                                     ", before another host handed it to Microsoft 365: it went through that "
                                     "relay, though not straight from it into EOP");
            passed_through = std::move(m);
            break;
        }
    if (rules.has_user_relay() && !passed_through)
        v.evidence.push_back(named ? named->evidence() + " is the host EOP received from" +
                                         (named_by_eop ? ", as EOP names it: " + *named_by_eop : std::string())
                                   : "EOP's sender " + seen_words(v) + " is not the relay --relay names (" +
                                         rules.user_relay_words() + ")");
    if (own) v.evidence.push_back("the organisation's own mail: " + *own);

    RelayConnector c;
    if (sig.entity_is("HybridOnPrem"))
        c.evidence.push_back(
            "Microsoft 365 took it through an inbound connector of type OnPremises (FromEntityHeader: "
            "HybridOnPrem); the connector's name is not in the headers" +
            std::string(rules.connectors() == nullptr ? " (give --connectors to name it)" : ""));
    else if (sig.connector() && !sig.as_is("Internal") && !sig.as_is("Partner"))
        c.evidence.push_back(concat({"the spam filter took it as outgoing mail (", sig.report_name,
                                     " DIR:OUT), which mail coming in over SMTP is only through an on-premises "
                                     "connector; its name is not in the headers"}));
    else if (sig.connector() && sig.as_is("Partner"))
        c.evidence.push_back("Microsoft 365 authenticated the sender as a partner (" + sig.words() +
                             "): a Partner connector took it; its name is not in the headers");
    else if (sig.connector())
        c.evidence.push_back("Microsoft 365 authenticated the sender (" + sig.words() +
                             "): an inbound connector took it; its name is not in the headers");
    else if (sig.no_connector())
        c.evidence.push_back("no connector took it: Microsoft 365 received it as anonymous internet mail (" +
                             sig.words() + ")");
    else if (sig.entity_is("Hosted"))
        c.evidence.push_back(
            "no connector: FromEntityHeader: Hosted says a mailbox of the tenant sent it "
            "(undocumented value; " +
            sig.words() + ")");
    else if (sig.any())
        c.evidence.push_back("the headers do not say whether a connector took it (" + said_words(sig) + ")");
    else
        c.evidence.emplace_back("the headers do not say whether a connector took it (no FromEntityHeader or AuthAs)");

    if (sig.connector()) {
        match_kind(t, entry, sig, v, c, rules.connectors() == nullptr);
        // A Partner connector takes another organisation's mail, never the
        // organisation's own for relay, whatever stands before it.
        if (sig.as_is("Partner") && !own && !named) {
            finish(v, "not-applicable", "inbound", "inbound");
            v.evidence.emplace_back(
                "another organisation's mail taken through a Partner connector (AuthAs: Partner), not the "
                "organisation's relay");
        } else if (rules.has_user_relay() && !named && !passed_through) {
            finish(v, "not-traversed", "connector-relay", "not-your-relay");
        } else if (sig.as_is("Partner") && !sig.entity_is("HybridOnPrem") && !named) {
            // Only an OnPremises connector relays the organisation's own mail
            // (connector-rules.md, ConnectorType: DOC PS-New); HybridOnPrem
            // says an OnPremises connector took it, whatever AuthAs says.
            finish(v, "not-traversed", "connector-relay", "partner-connector");
            v.evidence.emplace_back(
                "a Partner connector took the organisation's own mail (AuthAs: Partner): only an OnPremises connector "
                "lets Microsoft 365 relay it to outside recipients; mail to the tenant's own recipients is delivered");
        } else if (relay_before || named || passed_through) {
            finish(v, "traversed", "connector-relay", "connector");
        } else if (through_gateway && before == gw) {
            finish(v, "not-traversed", "connector-relay", "gateway-only");
            v.evidence.emplace_back(
                "only a security gateway stands between the sender and EOP: no relay of the sender's");
        } else if (device_direct) {
            finish(v, "not-traversed", "connector-relay", "connector-without-relay");
            v.evidence.emplace_back(
                "a connector took the message straight from the sending system: no relay in the chain (a device "
                "matched by the connector bypasses the relay)");
        } else {
            finish(v, "not-traversed", "connector-relay", "connector-without-relay");
            v.evidence.push_back("a connector took it from " + role_words(prev) + ", not from a relay of the sender's");
        }
    } else if (sig.entity_is("Hosted")) {
        finish(v, "not-applicable", "mailbox", "mailbox");
        v.evidence.emplace_back(
            "FromEntityHeader: Hosted: sent from a mailbox of the tenant (undocumented value), not through a relay");
    } else if (sig.no_connector() || (sig.anonymous() && !own)) {
        if (!own) {
            finish(v, "not-applicable", "inbound", "inbound");
            const auto from_org = t.from ? org_of_address(*t.from) : std::nullopt;
            const bool claims_recipients =
                from_org && std::ranges::find(sides.recipient_orgs, *from_org) != sides.recipient_orgs.end();
            const auto sent_on = sent_on_out(t, sides, e);
            const std::string took =
                sig.no_connector() ? "anonymous internet mail" : "anonymous mail (AuthAs: Anonymous)";
            if (forwarded_out(sig, sent_on))
                v.evidence.push_back("another organisation's mail: Microsoft 365 took it as " + took +
                                     ", then sent a copy on to " + *t.hops[*sent_on].org + " (" +
                                     hop_ref(t.hops[*sent_on]) +
                                     "): the tenant forwarding mail it received, not mail of its own");
            else if (auto envelope = claims_recipients ? other_envelope(record.get(), *from_org) : std::nullopt)
                v.evidence.push_back("another organisation's mail: Microsoft 365 took it as " + took +
                                     "; its From claims the recipients' domain " + *from_org +
                                     ", but the envelope sender's domain " + *envelope +
                                     " is another's, and no --relay names the sender");
            else
                v.evidence.push_back(
                    "another organisation's mail: Microsoft 365 took it as " + took +
                    ", and nothing says it is the organisation's own (its From is not the recipients' domain, no "
                    "--relay names the sender)");
        } else if (rules.has_user_relay() && !named && !passed_through) {
            // Not the relay --relay names that EOP took it from (the
            // evidence above says which it was).
            finish(v, "not-traversed", "direct-send", "not-your-relay");
            v.evidence.emplace_back(
                "Microsoft 365 took the mail as anonymous internet mail (no connector matched), and not from the "
                "relay --relay names");
        } else if (relay_before || named || passed_through) {
            finish(v, "not-traversed", "direct-send", "connector-not-matched");
            v.evidence.emplace_back(
                "the relay was reached, but no inbound connector matched it: Microsoft 365 took the mail as anonymous "
                "internet mail, as Direct Send, and relays none of it to outside recipients (550 5.7.64 "
                "TenantAttribution); check the connector's SenderIPAddresses or TlsSenderCertificateName");
        } else if (through_gateway) {
            finish(v, "not-traversed", "direct-send", "gateway-only");
            v.evidence.emplace_back(
                "the organisation's mail reached EOP as anonymous mail (Direct Send) through a gateway only, no "
                "connector matching the gateway");
        } else if (device_direct) {
            finish(v, "not-traversed", "direct-send", "direct-send");
            v.evidence.emplace_back(
                "Direct Send: the sending system gave the message to the tenant's MX anonymously, with the "
                "organisation's own domain, and no connector: it bypasses the relay");
        } else {
            finish(v, "not-traversed", "unknown", "no-relay");
            v.evidence.push_back("the organisation's mail reached EOP anonymously from " + role_words(prev) +
                                 ", not from a relay of the sender's");
        }
    } else if (named || passed_through) {
        // --relay names the host EOP took it from, or a relay the message
        // went through before it: the relay was traversed, whatever took it in.
        finish(v, "traversed", "unknown", "no-connector-headers");
        v.evidence.push_back(taken_in_words(sig) + ": the connector cannot be confirmed");
    } else if (relay_before && rules.has_user_relay()) {
        finish(v, "not-traversed", "unknown", "not-your-relay");
        v.evidence.push_back(taken_in_words(sig));
    } else if (relay_before) {
        // A server before EOP, but nothing says a connector took it, nor
        // whose relay it is: traversed would overstate.
        finish(v, "not-applicable", "unknown", "no-connector-headers");
        v.evidence.push_back("a server stands before EOP, but " + taken_in_words(sig) +
                             ": neither a connector nor the organisation's relay can be confirmed (give --relay to "
                             "name your relay)");
    } else if (own) {
        finish(v, "not-traversed", "unknown", "no-relay");
        v.evidence.push_back("no relay of the sender's before EOP, and " + taken_in_words(sig));
    } else {
        finish(v, "not-applicable", "unknown", "unknown");
        v.evidence.push_back(taken_in_words(sig) +
                             ", and nothing says it is the organisation's own mail: the headers do not tell");
    }
    if (rules.has_user_relay() && !named && !passed_through && v.state == "traversed")
        finish(v, "not-traversed", v.method, "not-your-relay");
    // The configuration the user gave: which of its connectors took (or would
    // take) this entry. Where it decides, matched_by is its answer, not the
    // headers' guess.
    if (const ConnectorConfig* config = rules.connectors()) {
        ConnectorMatch m = match_connectors(record.get(), *config);
        // Where Exchange's own stamp says no connector took it
        // (FromEntityHeader: Internet), a connector of the configuration
        // that matches is not the one that took it: the evidence says so
        // (the configuration is not the one in force), and none is named.
        if (!sig.no_connector()) {
            c.name = m.name;
            c.matched_by = m.name || m.tie ? m.matched_by : std::nullopt;
            c.not_ruled_out = m.not_ruled_out;
            c.tie = m.tie;
        }
        c.evidence.insert(c.evidence.begin(), m.evidence.begin(), m.evidence.end());
        if (m.config_not_in_force)
            t.anomalies.push_back(
                {"signal-contradiction",
                 "the connector configuration given is not the one in force: " +
                     std::string(sig.connector() ? "Exchange says a connector took the message, and none of "
                                                   "the given connectors can have"
                                                 : "Exchange took the message as internet mail, yet a given "
                                                   "connector matches it")});
    }
    v.matched_by = c.matched_by;
    v.connector = std::move(c);
    for (const char* name :
         {"X-MS-Exchange-Organization-AuthSource", "X-MS-Exchange-Organization-MessageDirectionality"})
        if (auto value = find_signal(t, name)) v.evidence.push_back(std::string(name) + ": " + std::string(*value));
    check_eop_signals(t, entry, v);
    // Header signals that contradict each other.
    if (sig.entity_is("Internet") && sig.dir_out)
        t.anomalies.push_back(
            {"signal-contradiction",
             "FromEntityHeader says Internet (no connector took it) but the spam filter's report says "
             "DIR:OUT (outgoing mail, which mail coming in over SMTP is only through an on-premises "
             "connector)"});
    if (sig.connector() && !sig.as_is("Partner") && v.ip && v.ip->find(':') != std::string::npos && !entry.fields.tls)
        t.anomalies.push_back({"signal-contradiction",
                               "Exchange says a connector took the message, but EOP received it from an IPv6 address "
                               "(which SenderIPAddresses cannot hold) without TLS (so no certificate can have "
                               "matched): no connector setting Microsoft documents explains it"});
    // Header signals that contradict the chain.
    if (sig.entity_is("HybridOnPrem") && !relay_before && !named && !device_direct && !through_gateway)
        t.anomalies.push_back(
            {"signal-contradiction",
             prev == std::string_view("sender-infrastructure")
                 ? "FromEntityHeader says HybridOnPrem (an on-premises connector), yet the system before EOP is "
                   "the sender's provider, not the sender's own: a connector of type OnPremises matched the "
                   "provider's server"
                 : "FromEntityHeader says HybridOnPrem (an on-premises connector) but the chain shows no system of "
                   "the sender's before EOP"});
    (void)n;
    t.relay = std::move(v);
}

std::optional<std::string> tls_shortfall(const RelayVerdict& v, bool require_tls, std::string_view min_tls) {
    if (!v.traversed) return std::nullopt;
    if ((require_tls || !min_tls.empty()) && !v.tls)
        return std::string(v.entry_cut ? "the stamp is cut before it says whether TLS was used, so TLS is not shown"
                                       : "the stamp does not say whether TLS was used, so TLS is not shown");
    bool tls = v.tls.value_or(false);
    if (!tls && !min_tls.empty()) return "without TLS and TLS " + std::string(min_tls) + " or later is required";
    if (!tls && require_tls) return std::string("without TLS and TLS is required");
    if (!min_tls.empty() && !(v.tls_version && tls_at_least(*v.tls_version, min_tls)))
        return !v.tls_version || *v.tls_version == "unknown"
                   ? "the stamp names no TLS version, so the minimum " + std::string(min_tls) + " is not shown met"
                   : "TLS " + *v.tls_version + " is below the minimum " + std::string(min_tls);
    return std::nullopt;
}

}  // namespace hopscope
