#include "classify/hop_classifier.hh"

#include <algorithm>
#include <array>
#include <cstdlib>

#include "base/string_memo.hh"
#include "classify/organisation.hh"
#include "input/header_block.hh"
#include "parse/date_parser.hh"
#include "parse/ip_address.hh"
#include "parse/security_headers.hh"

namespace hopscope {
namespace {

constexpr const char* kOrigin = "origin-device";
constexpr const char* kLocal = "local-relay";
constexpr const char* kEop = "eop";
constexpr const char* kExo = "exchange-online";
constexpr const char* kExternal = "external-delivery";
constexpr const char* kSender = "sender-infrastructure";
constexpr const char* kGateway = "security-gateway";
constexpr const char* kList = "mailing-list";

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

void set_role(Hop& h, const char* role, std::string evidence) {
    h.role = role;
    h.evidence.push_back(std::move(evidence));
}

bool is_service(Family f) {
    return f == Family::Eop || f == Family::ExchangeOnline || f == Family::Gateway || f == Family::Provider ||
           f == Family::List || f == Family::Mx;
}

// What is known of the system that wrote a stamp: the service rule naming
// it, if any, and its organisation.
struct System {
    const Rule* service = nullptr;
    std::string_view subject;  // what the service rule matched: a view of the trace's text
    std::optional<std::string> org;
    std::string org_note;  // how the org was found from a neighbour; empty when read off the stamp
};

std::string service_evidence(const System& s) {
    return s.service == nullptr ? std::string() : RuleMatch{s.service, s.subject}.evidence();
}

std::optional<Family> family(const System& s) {
    if (s.service == nullptr) return std::nullopt;
    return s.service->family;
}

// A system by its name and address, as the by-side of a stamp or the sender
// of the next one: a service rule first (its org, or the host's), else the
// host's registrable domain.
System system_named(const RuleSet& rules, const std::optional<std::string>& host, const std::optional<std::string>& ip,
                    const std::optional<std::string>& with) {
    System s;
    if (auto m = rules.match_by(host, ip, with); m && is_service(m->rule->family)) {
        s.service = m->rule;
        s.subject = m->subject;
        if (!m->rule->org.empty()) s.org = m->rule->org;
    }
    if (!s.org && host) s.org = org_of_name(*host);
    return s;
}

std::string hop_ref(const Hop& h) {
    return "hop #" + std::to_string(h.index);
}

// Organisations for stamps whose by-side names none (an address literal, an
// internal name, nothing): the same system seen from a neighbouring stamp.
void infer_systems(const std::vector<Hop>& hops, std::vector<System>& sys, const RuleSet& rules) {
    const std::size_t n = hops.size();
    auto copy_from = [&](std::size_t i, std::size_t j, std::string note) {
        sys[i] = sys[j];
        sys[i].org_note = std::move(note);
    };
    auto try_fill = [&](std::size_t i) {
        const auto& f = hops[i].fields;
        if (i + 1 < n) {  // the next stamp's sender is this receiver
            const auto& next = hops[i + 1].fields.from;
            if (!next.ip || !site_local_address(*next.ip)) {
                for (const auto* name : {&next.rdns, &next.host, &next.helo}) {
                    if (!*name || !public_name(**name)) continue;
                    System cand = system_named(rules, *name, next.ip, std::nullopt);
                    if (!cand.org) continue;
                    cand.org_note = "the next stamp's sender " + **name + " is this receiver";
                    sys[i] = std::move(cand);
                    return true;
                }
                if (next.ip) {
                    System cand = system_named(rules, std::nullopt, next.ip, std::nullopt);
                    if (cand.org) {
                        cand.org_note = "the next stamp's sender " + *next.ip + " is this receiver";
                        sys[i] = std::move(cand);
                        return true;
                    }
                }
            }
        }
        if (i > 0 && f.from.ip && site_local_address(*f.from.ip) && sys[i - 1].org) {
            copy_from(i, i - 1,
                      "its sender " + *f.from.ip + " is a site-local address: handed on inside " +
                          hop_ref(hops[i - 1]) + "'s system");
            return true;
        }
        if (i + 1 < n && hops[i + 1].fields.from.ip && site_local_address(*hops[i + 1].fields.from.ip) &&
            sys[i + 1].org) {
            copy_from(i, i + 1, "it handed the message on inside one system to " + hop_ref(hops[i + 1]));
            return true;
        }
        if (i > 0 && sys[i - 1].org && f.by.host && !public_name(*f.by.host) &&
            (!f.from.ip || site_local_address(*f.from.ip))) {
            // An internal receiver the previous organisation's own host handed the message to.
            for (const auto* name : {&f.from.rdns, &f.from.host, &f.from.helo}) {
                if (!*name || org_of_name(**name) != sys[i - 1].org) continue;
                copy_from(i, i - 1,
                          "its sender " + **name + " belongs to " + *sys[i - 1].org +
                              " and its receiver has no public name: an internal host there");
                return true;
            }
        }
        for (std::size_t j : {i - 1, i + 1}) {    // the same host as a neighbouring receiver
            if (j >= n || !sys[j].org) continue;  // i - 1 wraps for i == 0
            const auto& other = hops[j].fields.by;
            bool same = (f.by.ip && other.ip && *f.by.ip == *other.ip) ||
                        (f.by.host && other.host && iequals(*f.by.host, *other.host));
            if (same) {
                copy_from(i, j, "the same receiver as " + hop_ref(hops[j]));
                return true;
            }
        }
        return false;
    };
    for (int round = 0; round < 3; ++round) {
        bool changed = false;
        for (std::size_t i = 0; i < n; ++i)
            if (!sys[i].org) changed = try_fill(i) || changed;
        for (std::size_t i = n; i-- > 0;)
            if (!sys[i].org) changed = try_fill(i) || changed;
        if (!changed) break;
    }
}

enum class SegKind { Microsoft, Gateway, List, Mx, Provider, Generic };

struct Segment {
    std::size_t first = 0;
    std::size_t last = 0;  // inclusive
    std::optional<std::string> org;
    SegKind kind = SegKind::Generic;
    const System* service = nullptr;  // the hop whose rule gave the kind
};

const char* describe_kind(SegKind k) {
    switch (k) {
        case SegKind::Microsoft:
            return "Microsoft 365";
        case SegKind::Gateway:
            return "a security gateway";
        case SegKind::List:
            return "the mailing list";
        case SegKind::Mx:
            return "the recipient's provider";
        case SegKind::Provider:
            return "a mail provider";
        case SegKind::Generic:
            return "another system";
    }
    return "?";
}

// Runs of hops of one organisation; a list's or an MX's receiving host
// starts a run of its own (Gmail and Google Groups are both google.com).
std::vector<Segment> segment(const std::vector<Hop>& hops, const std::vector<System>& sys,
                             const std::optional<std::string>& list) {
    // An MX receives from someone: a stamp with no sender is the provider's own submission.
    auto hops_from_named = [&](std::size_t i) {
        const auto& f = hops[i].fields.from;
        return f.ip || f.host || f.helo || f.rdns;
    };
    std::vector<Segment> segs;
    segs.reserve(4);
    auto starts_run = [&](std::size_t i) {
        auto f = family(sys[i]);
        return f && (*f == Family::List || *f == Family::Mx) && family(sys[i - 1]) != f;
    };
    for (std::size_t i = 0; i < sys.size(); ++i) {
        if (i == 0 || sys[i].org != sys[i - 1].org || starts_run(i))
            segs.push_back({i, i, sys[i].org, SegKind::Generic, nullptr});
        segs.back().last = i;
    }
    for (auto& s : segs) {
        auto rank = [](SegKind k) { return static_cast<int>(k); };
        for (std::size_t i = s.first; i <= s.last; ++i) {
            auto f = family(sys[i]);
            SegKind k = SegKind::Generic;
            if (s.org && *s.org == kMicrosoft365)
                k = SegKind::Microsoft;
            else if (f == Family::Gateway)
                k = SegKind::Gateway;
            else if (f == Family::List && i == s.first)
                k = SegKind::List;
            else if (f == Family::Mx && i == s.first && (hops_from_named(i)))
                k = SegKind::Mx;
            else if (f == Family::Provider)
                k = SegKind::Provider;
            if (rank(k) < rank(s.kind)) {
                s.kind = k;
                s.service = &sys[i];
            }
        }
        if (s.kind != SegKind::Microsoft && s.kind != SegKind::Gateway && s.kind != SegKind::List && list && s.org &&
            *s.org == *list)
            s.kind = SegKind::List;
    }
    return segs;
}

bool contains(const std::vector<std::string>& v, const std::optional<std::string>& s) {
    return s && std::find(v.begin(), v.end(), *s) != v.end();
}

std::string sender_words(const ReceivedFields& f) {
    std::string who = f.from.rdns.value_or(f.from.host.value_or(f.from.helo.value_or("")));
    if (f.from.ip) who += (who.empty() ? "" : " ") + ("[" + *f.from.ip + "]");
    return who.empty() ? "an unnamed sender" : who;
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

// The service rule naming a sending system, or nullptr; remembered per
// thread and rule set, as a mailbox's senders repeat.
const Rule* service_named(const RuleSet& rules, const std::string& name, const std::optional<std::string>& ip) {
    thread_local std::uint64_t generation = 0;
    thread_local StringMemo<const Rule*, 8192> memo;
    thread_local std::string key;
    if (generation != rules.generation()) {
        memo.clear();
        generation = rules.generation();
    }
    key.assign(name).push_back('\0');
    if (ip) key += *ip;
    if (const auto* hit = memo.find(key)) return *hit;
    auto m = rules.match_by(name, ip, std::nullopt);
    return memo.put(key, m && is_service(m->rule->family) ? m->rule : nullptr);
}

}  // namespace

void classify(Trace& t, const RuleSet& rules) {
    const std::size_t n = t.hops.size();
    std::vector<std::optional<RuleMatch>> by_match;
    std::vector<System> sys;
    by_match.reserve(n);
    sys.reserve(n);
    for (auto& h : t.hops) {
        h.role = "unknown";
        h.org.reset();
        h.evidence.clear();
        by_match.push_back(rules.match_by(h.fields.by.host, h.fields.by.ip, h.fields.with));
        System s;
        if (const auto& m = by_match.back(); m && is_service(m->rule->family)) {
            s.service = m->rule;
            s.subject = m->subject;
            if (!m->rule->org.empty()) s.org = m->rule->org;
        }
        if (!s.org && h.fields.by.host) s.org = org_of_name(*h.fields.by.host);
        sys.push_back(std::move(s));
    }
    infer_systems(t.hops, sys, rules);

    const OrgHeaders org_headers = OrgHeaders::of(t);
    std::vector<std::string> local_orgs = sender_orgs(t, org_headers);
    const std::size_t sender_org_count = local_orgs.size();
    auto is_sender_org = [&](const std::optional<std::string>& o) {
        return o && std::find(local_orgs.begin(), local_orgs.begin() + static_cast<std::ptrdiff_t>(sender_org_count),
                              *o) != local_orgs.begin() + static_cast<std::ptrdiff_t>(sender_org_count);
    };
    auto list = list_org(org_headers);
    std::vector<Segment> segs = segment(t.hops, sys, list);
    bool list_headers = list || org_headers.list();
    bool list_in_chain = std::ranges::any_of(segs, [](const Segment& s) { return s.kind == SegKind::List; });

    // Asked once per hop at most: the answer is kept.
    std::vector<std::optional<std::optional<std::string>>> internal_seen(n);
    auto internal_evidence_of = [&](std::size_t i) -> std::optional<std::string> {
        const Hop& h = t.hops[i];
        const auto& m = by_match[i];
        if (m && (m->rule->family == Family::Relay || m->rule->family == Family::Internal)) return m->evidence();
        auto from_rule = rules.match_from(h.fields.from.host, h.fields.from.ip);
        if (from_rule && from_rule->rule->family == Family::Relay)
            return from_rule->evidence() + " sent this on inside the sending organisation";
        if (from_rule && from_rule->rule->family == Family::Internal)
            return from_rule->evidence() + ": handed on inside the sending organisation";
        if (authenticated_submission(h.fields))
            return "authenticated submission (" + h.fields.with.value_or("AUTH") + "): the sender's own mail server";
        return std::nullopt;
    };
    auto internal_evidence = [&](std::size_t i) -> const std::optional<std::string>& {
        if (!internal_seen[i]) internal_seen[i] = internal_evidence_of(i);
        return *internal_seen[i];
    };
    // The entry of a run: received over the internet from a named system of
    // another organisation that is the sender's, Microsoft's or a service's.
    // That marks the run as someone else's: the message was handed to it.
    // `strong` when the hand-over came from Microsoft or a service, not from
    // the sender's own organisation (whose several domains may be one company).
    struct HandOver {
        std::string why;
        bool strong = false;
    };
    // Names of a stamp's sender, best first, each once.
    auto sender_names = [](const ReceivedFields& f) {
        std::array<const std::optional<std::string>*, 3> names{};
        std::size_t k = 0;
        for (const auto* name : {&f.from.rdns, &f.from.host, &f.from.helo}) {
            if (!*name) continue;
            bool again = false;
            for (std::size_t j = 0; j < k; ++j) again = again || **names[j] == **name;
            if (!again) names[k++] = name;
        }
        return names;
    };
    auto sent_from_inside = [&](const ReceivedFields& f, const std::optional<std::string>& org) {
        if (!org) return false;
        return std::ranges::any_of(sender_names(f), [&](const std::optional<std::string>* name) {
            return name != nullptr && in_organisation(**name, *org);
        });
    };
    // Decided by suffixes and the rule index alone: the sender's own domains
    // and the service rules are known, so no Public Suffix List lookup is
    // spent on a random sender name.
    auto handed_from = [&](const Segment& s) -> std::optional<HandOver> {
        const auto& f = t.hops[s.first].fields;
        if (!f.from.ip || site_local_address(*f.from.ip) || sent_from_inside(f, s.org)) return std::nullopt;
        // The sender's own domains first: a suffix test, where a rule
        // search would be spent on every random sender name.
        for (std::size_t k = 0; k < sender_org_count; ++k)
            if (sent_from_inside(f, local_orgs[k]))
                return HandOver{sender_words(f) + " (" + local_orgs[k] + ") handed it over the internet", false};
        for (const auto* name : sender_names(f)) {
            if (name == nullptr) continue;
            const Rule* service = service_named(rules, **name, f.from.ip);
            if (service != nullptr) {
                std::string org = service->org.empty() ? org_of_name(**name).value_or(**name) : service->org;
                if (org == s.org) return std::nullopt;
                return HandOver{sender_words(f) + " (" + org + ") handed it over the internet", true};
            }
        }
        if (!f.from.rdns && !f.from.host && !f.from.helo)
            if (auto m = rules.match_by(std::nullopt, f.from.ip, std::nullopt); m && is_service(m->rule->family))
                return HandOver{sender_words(f) + " (" + m->rule->org + ") handed it over the internet", true};
        return std::nullopt;
    };
    // EOP's own word that it took the message as internet mail, not through
    // an on-premises or partner connector.
    auto eop_says_internet = [&] {
        auto entity = find_signal(t, "X-MS-Exchange-CrossTenant-FromEntityHeader");
        auto auth_as = find_signal(t, "X-MS-Exchange-Organization-AuthAs");
        return (entity && iequals(*entity, "Internet")) || (auth_as && iequals(*auth_as, "Anonymous"));
    };
    // The first later run that takes the message from the sender's side:
    // Microsoft 365, a gateway, a list, a provider or a provider's MX.
    auto next_target = [&](std::size_t k) -> std::optional<std::size_t> {
        for (std::size_t j = k + 1; j < segs.size(); ++j)
            if (segs[j].kind != SegKind::Generic) return j;
        return std::nullopt;
    };
    auto target_words = [&](std::size_t j) {
        const Segment& s = segs[j];
        const Hop& h = t.hops[s.first];
        std::string what = describe_kind(s.kind);
        if (s.service && s.service->service && !s.service->service->product.empty()) what = s.service->service->product;
        return hop_ref(h) + " (" + what + ", " + h.fields.by.host.value_or(h.fields.by.ip.value_or("?")) + ")";
    };

    bool recipient = false;  // the message reached the recipient's side
    std::string recipient_why;
    bool ms_seen = false;
    bool gateway_seen = false;
    bool provider_seen = false;
    bool list_done = false;
    bool local_seen = false;
    for (std::size_t k = 0; k < segs.size(); ++k) {
        Segment& s = segs[k];
        auto each = [&](const char* role, const std::string& why) {
            for (std::size_t i = s.first; i <= s.last; ++i) set_role(t.hops[i], role, why);
        };
        auto enter_recipient = [&](const std::string& why) {
            // A list whose own domain is not in the chain (a list hosted by
            // someone else): the first receiver after the sender's side that
            // sends the message on to another organisation.
            bool sends_on = std::any_of(segs.begin() + static_cast<std::ptrdiff_t>(k) + 1, segs.end(),
                                        [&](const Segment& later) { return later.org && later.org != s.org; });
            if (list_headers && !list_in_chain && !list_done && sends_on) {
                list_done = true;
                recipient = true;
                recipient_why = "sent on by the list at " + hop_ref(t.hops[s.first]);
                set_role(t.hops[s.first], kList,
                         why +
                             "; the message carries list headers naming no organisation in the chain, and this "
                             "system sent it on: the list server");
                std::string inside = "the list's side since " + hop_ref(t.hops[s.first]);
                for (std::size_t i = s.first + 1; i <= s.last; ++i) set_role(t.hops[i], kList, inside);
                return;
            }
            recipient = true;
            recipient_why = "the recipient's side since " + hop_ref(t.hops[s.first]);
            set_role(t.hops[s.first], kExternal, why);
            for (std::size_t i = s.first + 1; i <= s.last; ++i) set_role(t.hops[i], kExternal, recipient_why);
        };
        std::string product =
            s.service && s.service->service ? s.service->service->product : std::string(describe_kind(s.kind));
        switch (s.kind) {
            case SegKind::Microsoft:
                for (std::size_t i = s.first; i <= s.last; ++i) {
                    Hop& h = t.hops[i];
                    auto f = family(sys[i]);
                    std::string why = sys[i].service == nullptr ? "Microsoft 365 (" + sys[i].org_note + ")"
                                                                : service_evidence(sys[i]);
                    if (f == Family::Eop) {
                        set_role(h, kEop, why);
                    } else {
                        set_role(h, kExo, why);
                        if (h.fields.with && (iequals(*h.fields.with, "mapi") || iequals(*h.fields.with, "HTTPS")))
                            h.evidence.push_back("with " + *h.fields.with +
                                                 ": submitted by a client to the mailbox server");
                    }
                }
                ms_seen = true;
                continue;
            case SegKind::Gateway:
                for (std::size_t i = s.first; i <= s.last; ++i)
                    set_role(t.hops[i], kGateway,
                             sys[i].service
                                 ? service_evidence(sys[i])
                                 : product + " (" + s.org.value_or("?") +
                                       "): " + (sys[i].org_note.empty() ? "the same organisation" : sys[i].org_note));
                gateway_seen = true;
                continue;
            default:
                break;
        }
        if (s.kind == SegKind::List && !list_done) {
            for (std::size_t i = s.first; i <= s.last; ++i) {
                std::string why = family(sys[i]) == Family::List ? service_evidence(sys[i])
                                  : i > s.first                  ? "the list's side since " + hop_ref(t.hops[s.first])
                                  : list ? "List-Id names " + *list + ": the list server's first receiving hop"
                                         : "the list service's first receiving hop";
                if (i == s.first && list) why += " (the message carries list headers)";
                set_role(t.hops[i], kList, why);
            }
            list_done = true;
            recipient = true;
            recipient_why = "sent on by the list at " + hop_ref(t.hops[s.first]);
            continue;
        }
        if (s.kind == SegKind::Mx) {
            enter_recipient(service_evidence(*s.service) + ": the recipient's provider received it");
            continue;
        }
        if (recipient) {
            each(kExternal, recipient_why);
            continue;
        }
        const Hop& entry = t.hops[s.first];
        if (s.kind == SegKind::Provider) {
            auto by = entry.fields.by.host ? public_name(*entry.fields.by.host) : std::nullopt;
            bool submission = by && by->find("smtp") != std::string::npos;
            // Entered from a public system of another organisation: the
            // recipient's provider, unless the sender's side submitted to it.
            const auto& from = entry.fields.from;
            bool from_outside = from.ip && !site_local_address(*from.ip) && !sent_from_inside(entry.fields, s.org);
            bool senders = k == 0 || is_sender_org(s.org) || authenticated_submission(entry.fields) || submission ||
                           (!ms_seen && !gateway_seen && !from_outside);
            if (senders) {
                for (std::size_t i = s.first; i <= s.last; ++i)
                    set_role(t.hops[i], kSender,
                             sys[i].service ? service_evidence(sys[i])
                                            : product + " (" + s.org.value_or("?") + "): " + sys[i].org_note);
                if (local_seen && k > 0)
                    t.hops[s.first].evidence.emplace_back("the sender's servers relayed through it");
                provider_seen = true;
                continue;
            }
            enter_recipient(product + " received it from " + sender_words(entry.fields) + ": the recipient's provider");
            continue;
        }
        // A system of no known service, on the sender's side so far.
        auto handed = handed_from(s);
        std::optional<std::string> local_why;
        // A run handed over from the sender's side is someone else's, whatever
        // private addresses it uses inside.
        std::size_t why_hop = s.first;
        for (std::size_t i = s.first; i <= s.last && !local_why && !handed; ++i)
            if ((local_why = internal_evidence(i))) why_hop = i;
        if (!local_why && contains(local_orgs, s.org))
            local_why =
                (is_sender_org(s.org) ? "the sender's own organisation " : "the organisation of earlier hops ") +
                *s.org;
        auto target = next_target(k);
        bool before_ms = !ms_seen && !gateway_seen;
        // A hand-over from the sender's own organisation joins by position
        // unless EOP itself says the message came in from the internet.
        bool marked =
            handed && (handed->strong || (target && segs[*target].kind == SegKind::Microsoft && eop_says_internet()));
        if (!local_why && target && !provider_seen && !marked &&
            (before_ms || segs[*target].kind == SegKind::Microsoft || segs[*target].kind == SegKind::Gateway))
            local_why = "by position: " +
                        (k > 0 ? "after " + hop_ref(t.hops[s.first - 1]) + " (" +
                                     std::string(t.hops[s.first - 1].role) + ") and "
                               : std::string()) +
                        "before " + target_words(*target) +
                        ", where the message left the sender's systems; nothing marks it as someone else's";
        bool first_run = k == 0;
        if (!local_why && first_run && !handed && !t.hops[s.first].fields.from.ip)
            local_why = "the chain starts here: the sender's own system";
        if (!local_why) {
            std::string why = handed ? handed->why
                                     : "received from " + sender_words(entry.fields) +
                                           ": the first receiver outside the sender's systems";
            if (provider_seen)
                why += " (after the sender's provider)";
            else if (ms_seen)
                why += " (after Microsoft 365)";
            else if (gateway_seen)
                why += " (after a security gateway)";
            enter_recipient(why);
            continue;
        }
        // The sender's own systems: the device that wrote the first stamps, then its relays.
        std::size_t i = s.first;
        if (first_run)
            for (; i <= s.last && (i == 0 || t.hops[i - 1].role == kOrigin); ++i) {
                auto why = self_stamp(t.hops[i]);
                if (!why) break;
                set_role(t.hops[i], kOrigin, *why);
            }
        for (; i <= s.last; ++i) {
            Hop& h = t.hops[i];
            const auto& own = internal_evidence(i);
            if (own)
                set_role(h, kLocal, *own);
            else if (i == why_hop)
                set_role(h, kLocal, *local_why);
            else
                set_role(h, kLocal,
                         "inside " + s.org.value_or("the same system") + " with " + hop_ref(t.hops[why_hop]) + " (" +
                             *local_why + ")");
        }
        if (s.org && !contains(local_orgs, s.org)) local_orgs.push_back(*s.org);
        local_seen = true;
    }

    for (std::size_t i = 0; i < n; ++i) {
        Hop& h = t.hops[i];
        const auto& f = h.fields;
        h.org = sys[i].org;
        bool named = f.by.host || f.by.ip || f.from.host || f.from.ip || f.from.helo || f.from.rdns;
        if (!named) {
            h.role = "unknown";
            h.evidence.assign({"the stamp names no host and no address"});
        }
        if (h.org && !sys[i].org_note.empty()) h.evidence.push_back("org " + *h.org + ": " + sys[i].org_note);
    }
    t.orgs.clear();
    for (std::size_t i = 0; i < n; ++i) {
        const Hop& h = t.hops[i];
        if (t.orgs.empty() || t.orgs.back().org != h.org || t.orgs.back().role != h.role)
            t.orgs.push_back({h.org, h.role, h.index, h.index, std::nullopt});
        OrgSegment& o = t.orgs.back();
        o.last_hop = h.index;
        bool named_service =
            h.role != kEop && h.role != kExo && sys[i].service != nullptr && !sys[i].service->product.empty();
        if (!o.service && named_service) o.service = sys[i].service->product;
    }

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
