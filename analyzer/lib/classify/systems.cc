#include "classify/systems.hh"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <string>

#include "classify/organisation.hh"
#include "input/header_block.hh"
#include "parse/ip_address.hh"
#include "parse/security_headers.hh"

namespace hopscope {
namespace {

bool is_service(Family f) {
    return f == Family::Eop || f == Family::ExchangeOnline || f == Family::Gateway || f == Family::Provider ||
           f == Family::List || f == Family::Mx;
}

// The party a system belongs to for the hand-over pass: the organisation a
// service rule names (Microsoft 365, Google), the service itself when its
// hosts span several domains under one product (Proofpoint's pphosted.com
// and ppops.net), else the organisation.
void set_party(System& s) {
    if (s.service != nullptr && !s.service->org.empty())
        s.party = s.service->org;
    else if (s.service != nullptr && !s.service->product.empty())
        s.party = "service:" + s.service->product;
    else
        s.party = s.org;
}

System system_of(const std::optional<RuleMatch>& m, const std::optional<std::string>& host) {
    System s;
    if (m && is_service(m->rule->family)) {
        s.service = m->rule;
        s.subject = m->subject;
    }
    bool microsoft = s.service != nullptr && s.service->org == kMicrosoft365;
    if (microsoft)
        s.org = kMicrosoft365;
    else if (host)
        s.org = org_of_name(*host);
    if (!s.org && s.service != nullptr && !s.service->org.empty()) s.org = s.service->org;  // an address the rule names
    if (s.org) set_party(s);
    return s;
}

// Organisations for stamps whose by-side names none (an address literal, an
// internal name, nothing): the same system seen from a neighbouring stamp.
void infer_systems(const std::vector<Hop>& hops, std::vector<System>& sys, const RuleSet& rules) {
    const std::size_t n = hops.size();
    auto copy_from = [&](std::size_t i, std::size_t j, std::string note) {
        // All but j's own note, which `note` replaces.
        System& to = sys[i];
        const System& from = sys[j];
        to.service = from.service;
        to.subject = from.subject;
        to.org = from.org;
        to.party = from.party;
        to.org_note = std::move(note);
    };
    auto try_fill = [&](std::size_t i) {
        const auto& f = hops[i].fields;
        // A receiver with no domain ("by vm4") that took the message, by name
        // and with no address recorded, from the previous stamp's receiver
        // ("from vm4-ext.prodigy.net"): a hand-on inside that system.
        if (i > 0 && sys[i - 1].org && (!f.by.host || !is_public_name(*f.by.host)) && !f.by.ip && !f.from.ip &&
            f.from.host && hops[i - 1].fields.by.host && iequals(*f.from.host, *hops[i - 1].fields.by.host)) {
            copy_from(i, i - 1,
                      concat({"its receiver has no domain and took the message from ", hop_ref(hops[i - 1]),
                              "'s receiver ", *f.from.host, " with no address recorded: inside that system"}));
            return true;
        }
        if (i + 1 < n) {  // the next stamp's sender is this receiver
            const auto& next = hops[i + 1].fields.from;
            if (!next.ip || !site_local_address(*next.ip)) {
                // A reverse name of another organisation than the name the
                // system gave itself (HELO) names the network it connected
                // from (a home ISP's 50-39-105-78.bvtn.or.frontiernet.net for
                // "helo paulmck-ThinkPad-P72.home"), not who runs it.
                // Not where a stamp's receiver names a host of the reverse
                // name's organisation: the machine calls itself that too
                // (tabara.imago.ro receiving, then sending as "helo
                // www.dtedu.net", a site it hosts).
                auto receiver_of_its_org = [&] {
                    auto org = org_of_name(*next.rdns);
                    return org && std::any_of(hops.begin(), hops.end(), [&](const Hop& h) {
                               return h.fields.by.host && org_of_name(*h.fields.by.host) == org;
                           });
                };
                // A customer line's name (access_line_name) names no one's
                // organisation, whatever the client called itself.
                const bool access_line = next.rdns && access_line_name(*next.rdns, next.ip);
                const bool rdns_is_network =
                    access_line ||
                    (next.rdns && next.helo && !iequals(*next.rdns, *next.helo) && org_of_name(*next.helo) &&
                     org_of_name(*next.rdns) != org_of_name(*next.helo) && !receiver_of_its_org());
                // Its names, unless the HELO is only a claim (helo_only_claim).
                if (!helo_only_claim(next))
                    for (const auto* name : {&next.rdns, &next.host, &next.helo}) {
                        if (!*name || !is_public_name(**name)) continue;
                        if (rdns_is_network && (access_line || name != &next.helo) && iequals(**name, *next.rdns))
                            continue;
                        System cand = system_named(rules, *name, next.ip, std::nullopt);
                        if (!cand.org) continue;
                        cand.org_note = concat({"the next stamp's sender ", **name, " is this receiver"});
                        sys[i] = std::move(cand);
                        return true;
                    }
                if (next.ip) {
                    System cand = system_named(rules, std::nullopt, next.ip, std::nullopt);
                    if (cand.org) {
                        cand.org_note = concat({"the next stamp's sender ", *next.ip, " is this receiver"});
                        sys[i] = std::move(cand);
                        return true;
                    }
                }
            }
        }
        // A mail fetcher's stamp ("from pop.example [127.0.0.1] by localhost
        // with IMAP (fetchmail)"): written on the machine that fetched the
        // message out of its mailbox, which hands it on to its own server
        // next; a loopback sender there is a tunnel on that machine.
        if (fetched_stamp(f) && i + 1 < n && sys[i + 1].org && !names_public_system(hops[i + 1].fields.from)) {
            copy_from(i, i + 1,
                      concat({"a mail fetcher's stamp (with ", *f.with,
                              "): written on the machine that fetched the "
                              "message from its mailbox, which handed it on inside to ",
                              hop_ref(hops[i + 1])}));
            return true;
        }
        if (i > 0 && f.from.ip && site_local_address(*f.from.ip) && sys[i - 1].org && !fetched_stamp(f)) {
            copy_from(i, i - 1,
                      concat({"its sender ", *f.from.ip, " is ", site_local_words(*f.from.ip), ": handed on inside ",
                              hop_ref(hops[i - 1]), "'s system"}));
            return true;
        }
        if (i + 1 < n && hops[i + 1].fields.from.ip && site_local_address(*hops[i + 1].fields.from.ip) &&
            sys[i + 1].org) {
            copy_from(i, i + 1, concat({"it handed the message on inside one system to ", hop_ref(hops[i + 1])}));
            return true;
        }
        if (i > 0 && sys[i - 1].org && f.by.host && !is_public_name(*f.by.host) &&
            (!f.from.ip || site_local_address(*f.from.ip))) {
            // An internal receiver the previous organisation's own host handed the message to.
            for (const auto* name : {&f.from.rdns, &f.from.host, &f.from.helo}) {
                if (!*name || org_of_name(**name) != sys[i - 1].org) continue;
                copy_from(i, i - 1,
                          concat({"its sender ", **name, " belongs to ", *sys[i - 1].org,
                                  " and its receiver has no public name: an internal host there"}));
                return true;
            }
        }
        for (std::size_t j : {i - 1, i + 1}) {    // the same host as a neighbouring receiver
            if (j >= n || !sys[j].org) continue;  // i - 1 wraps for i == 0
            const auto& other = hops[j].fields.by;
            bool same = (f.by.ip && other.ip && *f.by.ip == *other.ip) ||
                        (f.by.host && other.host && iequals(*f.by.host, *other.host));
            if (same) {
                copy_from(i, j, concat({"the same receiver as ", hop_ref(hops[j])}));
                return true;
            }
        }
        // A receiver named in an internal domain (Active Directory's
        // ice-ex-sn01.RES.AD.JPL) beside a receiver of the same domain whose
        // organisation is known: one site. Domains of two labels or more,
        // and none that many sites share (AWS's ec2.internal).
        if (f.by.host && !org_of_name(*f.by.host)) {
            auto internal_domain = [](std::string_view name) -> std::string_view {
                auto dot = name.find('.');
                if (dot == std::string_view::npos) return {};
                std::string_view parent = name.substr(dot + 1);
                if (parent.find('.') == std::string_view::npos || iequals(parent, "ec2.internal") ||
                    iends_with(parent, ".compute.internal") || iequals(parent, "localdomain"))
                    return {};
                return parent;
            };
            std::string_view mine = internal_domain(*f.by.host);
            for (std::size_t j : {i - 1, i + 1}) {
                if (mine.empty() || j >= n || !sys[j].org) continue;  // i - 1 wraps for i == 0
                const auto& other = hops[j].fields.by.host;
                if (!other || org_of_name(*other) || !iequals(internal_domain(*other), mine)) continue;
                copy_from(i, j,
                          concat({"its receiver ", *f.by.host, " is in the internal domain ", mine, ", as ",
                                  hop_ref(hops[j]), "'s receiver: one site"}));
                return true;
            }
        }
        // A receiver with no name of its own that names no outside sender
        // either: the message went on inside the system that received it
        // last (Gmail's "by 10.237.46.131 with SMTP id", a product's
        // "by pps.reinject").
        if (i > 0 && sys[i - 1].org && !names_public_system(f.from)) {
            copy_from(i, i - 1,
                      concat({"its receiver has no public name and its sender names no outside system: the message "
                              "went on inside ",
                              hop_ref(hops[i - 1]), "'s system"}));
            return true;
        }
        // The same, looking forward: the next stamp names no sender at all,
        // so the message went on inside this receiver's system. Not into an
        // authenticated submission, which hides its client: a client logged
        // in there, from any system (a provider's "send through another
        // server", smtp.kernel.org's ESMTPSA stamps that name no client).
        const bool next_login = i + 1 < n && authenticated_submission(hops[i + 1].fields);
        if (i + 1 < n && !next_login && sys[i + 1].org && !names_public_system(hops[i + 1].fields.from) &&
            !hops[i + 1].fields.from.ip && !hops[i + 1].fields.from.host && !hops[i + 1].fields.from.helo &&
            !hops[i + 1].fields.from.rdns) {
            copy_from(i, i + 1,
                      concat({"its receiver has no public name and the next stamp names no sender: the message went "
                              "on inside ",
                              hop_ref(hops[i + 1]), "'s system"}));
            return true;
        }
        // A receiver whose name has no domain ("by localhost", a bare host
        // name) that took the message from outside: the system of the next
        // receiver, when the next stamp names no outside sender (fetchmail's
        // "by localhost with POP3" on the machine that stamps next).
        if (i + 1 < n && !next_login && sys[i + 1].org && (!f.by.host || !is_public_name(*f.by.host)) &&
            (!f.by.ip || site_local_address(*f.by.ip)) && !names_public_system(hops[i + 1].fields.from)) {
            copy_from(i, i + 1,
                      concat({"its receiver ", f.by.host ? std::string_view(*f.by.host) : std::string_view("(no name)"),
                              " has no domain of its own, and the next stamp names no outside sender: the same "
                              "system as ",
                              hop_ref(hops[i + 1])}));
            return true;
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

}  // namespace

// A sender that names a system of its own: a public address or a name with
// an organisation.
bool names_public_system(const SenderSide& f) {
    if (f.ip) return !site_local_address(*f.ip);
    for (const auto* name : {&f.rdns, &f.host, &f.helo})
        if (*name && is_public_name(**name)) return true;
    return false;
}

bool names_its_address(std::string_view name, std::string_view ip) {
    std::array<std::string_view, 4> octets;
    std::size_t count = 0;
    for (std::size_t start = 0; count < 4;) {
        auto dot = ip.find('.', start);
        octets[count++] = ip.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    if (count != 4) return false;
    // The address as one number: eight hex digits (Deutsche Telekom's
    // p5b034af6.dip.t-dialin.net for 91.3.74.246) or in decimal (Bell
    // Canada's bas2-toronto63-1088792724.dsl.bell.ca for 64.229.168.148).
    bool v6 = false;
    std::array<unsigned char, 16> b{};
    if (!ip_bytes(ip, v6, b) || v6) return false;
    const std::uint32_t value =
        (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | std::uint32_t{b[3]};
    static constexpr std::string_view kHex = "0123456789abcdef";
    std::array<char, 8> hex{};
    for (std::size_t k = 0; k < hex.size(); ++k) hex[k] = kHex[(value >> (28 - 4 * k)) & 0xFU];
    if (icontains(name, std::string_view(hex.data(), hex.size()))) return true;
    std::array<char, 10> digits{};
    auto [digits_end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), value);
    const std::string_view decimal(digits.data(), static_cast<std::size_t>(digits_end - digits.data()));
    // The numbers of the name, in order.
    std::size_t matched = 0;
    std::size_t next_octet = 0;
    for (std::size_t i = 0; i < name.size() && next_octet < 4;) {
        if (name[i] < '0' || name[i] > '9') {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < name.size() && name[j] >= '0' && name[j] <= '9') ++j;
        std::string_view number = name.substr(i, j - i);
        if (value >= (1U << 24) && number == decimal) return true;
        for (std::size_t k = next_octet; k < 4; ++k)
            if (number == octets[k]) {
                ++matched;
                next_octet = k + 1;
                break;
            }
        i = j;
    }
    return matched >= 3;
}

bool access_line_name(std::string_view name, const std::optional<std::string>& ip) {
    if (ip && names_its_address(name, *ip)) return true;
    // The labels before the registrable domain: a word of a customer line's
    // (cpc3-sgyl4-0-0-cust125.sgyl.cable.virginmedia.com,
    // c-24-3-96-11.client.comcast.net, p351355.pool.example.ne.jp).
    auto org = org_of_name(name);
    if (!org || name.size() <= org->size()) return false;
    std::string_view prefix = name.substr(0, name.size() - org->size());
    static constexpr std::array<std::string_view, 26> kWords{
        "cust",    "customer",  "dsl",  "adsl", "vdsl",  "xdsl",   "sdsl",   "cable", "dyn",
        "dynamic", "dhcp",      "pool", "ppp",  "pppoe", "dialup", "dialin", "dial",  "client",
        "clients", "broadband", "ftth", "fttp", "fttc",  "fttb",   "cpe",    "dip"};
    for (std::size_t i = 0; i < prefix.size();) {
        if (std::isalpha(static_cast<unsigned char>(prefix[i])) == 0) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < prefix.size() && std::isalpha(static_cast<unsigned char>(prefix[j])) != 0) ++j;
        std::string_view word = prefix.substr(i, j - i);
        for (auto w : kWords)
            if (iequals(word, w)) return true;
        i = j;
    }
    return false;
}

std::optional<Family> family(const System& s) {
    if (s.service == nullptr) return std::nullopt;
    return s.service->family;
}

std::string service_evidence(const System& s) {
    if (s.service == nullptr) return {};
    // A system found from a neighbouring stamp: its name matched, not this
    // stamp's by-host (org_note says which neighbour).
    if (!s.org_note.empty() && s.service->kind == MatchKind::ByHost && s.service->evidence.empty() &&
        !s.subject.empty())
        return concat({s.subject, " matches ", s.service->pattern,
                       s.service->product.empty() ? std::string_view() : std::string_view(" ("), s.service->product,
                       s.service->product.empty() ? std::string_view() : std::string_view(")")});
    return RuleMatch{s.service, s.subject}.evidence();
}

bool note_has(const ReceivedFields& f, std::string_view what) {
    return std::ranges::any_of(f.notes, [&](const std::string& n) { return n.find(what) != std::string::npos; });
}

bool gmail_submission_id(const ReceivedFields& f) {
    if (!f.id || !f.by.host) return false;
    std::string_view by = *f.by.host;
    if (!(iends_with(by, ".google.com") || iends_with(by, ".gmail.com"))) return false;
    // "u23sm1686152bkw.11", "d9443c01a7336-20e5a6d6c3csm10285545ad.73".
    std::string_view id = *f.id;
    auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    for (std::size_t at = id.find("sm"); at != std::string_view::npos; at = id.find("sm", at + 1))
        if (at > 0 && alnum(id[at - 1]) && at + 2 < id.size() && digit(id[at + 2])) return true;
    return false;
}

bool esmtp_login(const ReceivedFields& f) {
    return f.with && (iequals(*f.with, "ESMTPA") || iequals(*f.with, "ESMTPSA"));
}

bool authenticated_submission(const ReceivedFields& f) {
    if (esmtp_login(f)) return true;
    return note_has(f, "Authenticated sender") || note_has(f, "authenticated") || gmail_submission_id(f);
}

bool fetched_stamp(const ReceivedFields& f) {
    return f.with && (istarts_with(*f.with, "POP") || istarts_with(*f.with, "IMAP"));
}

std::optional<std::string_view> qmail_invoked(const ReceivedFields& f) {
    for (std::string_view what : {"invoked by uid", "invoked by alias", "invoked from network"})
        if (note_has(f, what)) return what;
    return std::nullopt;
}

bool mailbox_stamp(const ReceivedFields& f) {
    return f.with && (iequals(*f.with, "mapi") || iequals(*f.with, "HTTP") || iequals(*f.with, "HTTPS"));
}

std::optional<std::string_view> proxied_smtp_client(const Trace& t, const Hop& h) {
    if (!h.fields.with || !iequals(*h.fields.with, "mapi")) return std::nullopt;
    return find_signal(t, "X-ClientProxiedBy");
}

std::optional<std::string_view> smtp_auth_by_mechanism(const Trace& t, const Hop& h) {
    if (!h.fields.with || !iequals(*h.fields.with, "mapi") || find_signal(t, "X-ClientProxiedBy")) return std::nullopt;
    auto mechanism = find_signal(t, "X-MS-Exchange-Organization-AuthMechanism");
    if (!mechanism || auth_mechanism_name(*mechanism) != "TLSAuthLogin") return std::nullopt;
    return trim_wsp(*mechanism);
}

System system_named(const RuleSet& rules, const std::optional<std::string>& host, const std::optional<std::string>& ip,
                    const std::optional<std::string>& with) {
    return system_of(rules.match_by(host, ip, with), host);
}

void append_hop_ref(std::string& out, const Hop& h) {
    std::array<char, 24> buf{'h', 'o', 'p', ' ', '#'};
    out.append(buf.data(), std::to_chars(buf.data() + 5, buf.data() + buf.size(), h.index).ptr);
}

std::string concat(std::initializer_list<std::string_view> parts) {
    std::size_t size = 0;
    for (auto p : parts) size += p.size();
    std::string out;
    out.reserve(size);
    for (auto p : parts) out.append(p);
    return out;
}

std::string hop_ref(const Hop& h) {
    std::string out;  // short enough to need no allocation
    append_hop_ref(out, h);
    return out;
}

void who_wrote(const std::vector<Hop>& hops, const RuleSet& rules, std::vector<std::optional<RuleMatch>>& by_match,
               std::vector<System>& sys) {
    sys.clear();
    by_match.clear();
    by_match.reserve(hops.size());
    sys.reserve(hops.size());
    for (const auto& h : hops) {
        const auto& f = h.fields;
        auto m = rules.match_by(f.by.host, f.by.ip, f.with);
        const bool login_at_mx = m && m->rule->family == Family::Mx && authenticated_submission(f);
        if (login_at_mx) m = rules.match_by(f.by.host, f.by.ip, f.with, true);
        by_match.push_back(m);
        sys.push_back(system_of(by_match.back(), f.by.host));
        sys.back().login_at_mx = login_at_mx;
    }
    infer_systems(hops, sys, rules);
}

}  // namespace hopscope
