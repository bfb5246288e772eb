#include "classify/handover.hh"

#include <algorithm>
#include <array>

#include "base/duration.hh"
#include "classify/organisation.hh"
#include "classify/roles.hh"
#include "input/header_block.hh"
#include "parse/ip_address.hh"

namespace hopscope {
namespace {

bool contains(const std::vector<std::string>& v, const std::optional<std::string>& s) {
    return s && std::find(v.begin(), v.end(), *s) != v.end();
}

void add_org(std::vector<std::string>& out, std::optional<std::string> org) {
    if (!org || contains(out, org)) return;
    if (out.capacity() == 0) out.reserve(4);  // a message names a few: one allocation, not three
    out.push_back(std::move(*org));
}

// The organisation a stamp's sender names of itself: the first of its
// names (looked-up name, then the name it used, then its HELO) that has
// one.
std::optional<std::string> sender_org(const SenderSide& f) {
    if (helo_only_claim(f)) return std::nullopt;
    for (const auto* name : {&f.rdns, &f.host, &f.helo})
        if (*name)
            if (auto org = org_of_name(**name)) return org;
    return std::nullopt;
}

bool sender_named_under(const SenderSide& f, const std::optional<std::string>& org) {
    if (!org || helo_only_claim(f)) return false;
    return std::ranges::any_of(std::array{&f.rdns, &f.host, &f.helo}, [&](const std::optional<std::string>* name) {
        return *name && in_organisation(**name, *org);
    });
}

bool site_local_sender(const SenderSide& f) {
    return f.ip && site_local_address(*f.ip);
}

// A sender that says nothing of a system outside: no address, and no name
// with an organisation ("from localhost", "from userid 1000", no from).
bool sender_says_nothing(const SenderSide& f) {
    if (f.ip) return false;
    return std::ranges::none_of(std::array{&f.rdns, &f.host, &f.helo},
                                [](const std::optional<std::string>* name) { return *name && is_public_name(**name); });
}

std::string_view org_view(const System& s) {
    if (s.org) return *s.org;
    return "an unnamed system";
}

std::string org_words(const System& s) {
    return std::string(org_view(s));
}

// The recipients' organisations: where the message was delivered
// (Delivered-To, X-Original-To), the addresses the stamps say it was for,
// and To.
void recipient_orgs_of(const Trace& t, Sides& sides) {
    std::vector<std::string>& out = sides.recipient_orgs;
    // Each address asked once: the stamps of one delivery repeat its "for".
    // The first few are remembered; past them an address is asked again,
    // which gives the same answer.
    std::array<std::string_view, 16> asked;
    std::size_t n_asked = 0;
    // Each address's organisation, once; where delivery wrote it (`named_by`),
    // kept in `delivered` too.
    auto add = [&](std::string_view address, std::string_view named_by = {}) {
        const auto end = asked.begin() + static_cast<std::ptrdiff_t>(n_asked);
        if (std::find(asked.begin(), end, address) != end) return;
        if (n_asked < asked.size()) asked[n_asked++] = address;
        auto org = org_of_address(address);
        if (org && !named_by.empty()) sides.delivered.push_back({*org, named_by});
        add_org(out, std::move(org));
    };
    sides.delivered.clear();
    for (const auto& s : t.signals)
        if (iequals(s.name, "Delivered-To") || iequals(s.name, "X-Original-To")) add(s.value, s.name);
    for (auto h = t.hops.rbegin(); h != t.hops.rend(); ++h)
        if (h->fields.for_) add(*h->fields.for_);
    if (t.to) add(*t.to);
}

}  // namespace

// Whether Exchange's single-valued headers, written at the last entry into
// Microsoft 365, record mail coming in from outside (DIR:INB,
// MessageDirectionality Incoming, FromEntityHeader Internet) and nothing of
// the tenant's own (HybridOnPrem, Originating, DIR:OUT, AuthAs Internal).
bool recorded_incoming(const EntryWords& w) {
    auto is = [](const std::optional<std::string_view>& v, std::string_view want) {
        return v && iequals(trim_wsp(*v), want);
    };
    if (w.dir_out || is(w.direction, "Originating") || is(w.entity, "HybridOnPrem") || is(w.auth_as, "Internal"))
        return false;
    return w.dir_inb || is(w.direction, "Incoming") || is(w.entity, "Internet");
}

std::optional<std::size_t> sent_on_out(const Trace& t, const Sides& sides, std::size_t entry) {
    for (std::size_t i = entry + 1; i < t.hops.size(); ++i)
        if (sides.tenant_group[i] < 0 && t.hops[i].role != std::string_view("unknown") && t.hops[i].org &&
            !sides.is_sender_org(t.hops[i].org))
            return i;
    return std::nullopt;
}

bool last_pass_incoming(const Trace& t) {
    EntryWords w;
    auto report = find_signal(t, "X-Forefront-Antispam-Report");
    w.dir_out = report && report->find("DIR:OUT") != std::string_view::npos;
    w.dir_inb = report && report->find("DIR:INB") != std::string_view::npos;
    w.direction = find_signal(t, "X-MS-Exchange-Organization-MessageDirectionality");
    w.entity = find_signal(t, "X-MS-Exchange-CrossTenant-FromEntityHeader");
    w.auth_as = find_signal(t, "X-MS-Exchange-Organization-AuthAs");
    if (!w.auth_as) w.auth_as = find_signal(t, "X-MS-Exchange-CrossTenant-AuthAs");
    return recorded_incoming(w);
}

bool senders_tenant(const Trace& t, const std::vector<System>& sys, const Sides& sides) {
    if (auto report = find_signal(t, "X-Forefront-Antispam-Report");
        report && report->find("DIR:OUT") != std::string_view::npos)
        return true;
    if (auto dir = find_signal(t, "X-MS-Exchange-Organization-MessageDirectionality");
        dir && iequals(*dir, "Originating"))
        return true;
    for (const auto& org : sides.sender_orgs)
        if (contains(sides.recipient_orgs, org)) return true;
    bool ms = false;
    for (const auto& s : sys) {
        bool is_ms = s.party && *s.party == kMicrosoft365;
        if (ms && !is_ms && s.party) return true;
        ms = ms || is_ms;
    }
    return false;
}

namespace {}  // namespace

bool Sides::is_sender_org(const std::optional<std::string>& org) const {
    return contains(sender_orgs, org);
}

std::optional<std::string> self_stamp(const Hop& h) {
    const auto& f = h.fields;
    if (f.from.ip) return std::nullopt;
    if (f.with && iequals(*f.with, "local"))
        return "stamp with local: the sending host's own MTA took the message from a local user";
    if (note_has(f, "from userid") || note_has(f, "local user"))
        return "local pickup: the sending host's own MTA took the message from a local program";
    // qmail-inject run by a local program ("qmail 13807 invoked by uid 99"),
    // not qmail-smtpd's "invoked from network".
    if (auto invoked = qmail_invoked(f); !f.by.host && !f.from.host && invoked && *invoked != "invoked from network")
        return "qmail took the message from a program on the sending host (" + std::string(*invoked) + ")";
    for (const auto& n : f.notes)
        if (n.starts_with("from ") && n.find("@localhost") != std::string::npos)
            return "stamped by the sending host for a local user (" + n + ")";
    // No sender, no protocol, at most the software's version ("by host
    // (8.9.3+Sun) id X", sendmail's local submission) or a send-only
    // sendmail stand-in ("(sSMTP sendmail emulation)").
    const bool version_only = f.notes.size() == 1 && !f.notes[0].empty() && f.notes[0][0] >= '0' &&
                              f.notes[0][0] <= '9' && f.notes[0].find('.') != std::string::npos &&
                              f.notes[0].find(' ') == std::string::npos;
    const bool emulation = f.notes.size() == 1 && f.notes[0].find("sendmail emulation") != std::string::npos;
    if (!f.from.host && !f.from.ip && f.by.host && !f.with && (f.notes.empty() || version_only || emulation))
        return {"stamp has no sender: written by the sending host itself"};
    return std::nullopt;
}

const char* describe_kind(RunKind k) {
    switch (k) {
        case RunKind::Microsoft:
            return "Microsoft 365";
        case RunKind::Gateway:
            return "a security gateway";
        case RunKind::List:
            return "the mailing list";
        case RunKind::Mx:
            return "the recipient's provider";
        case RunKind::Provider:
            return "a mail provider";
        case RunKind::Generic:
            return "another system";
    }
    return "?";
}

namespace {

// sender_words in parts: the sender's first name (looked up, given, HELO),
// its address in brackets, "an unnamed sender" when it has neither.
const std::optional<std::string>& sender_name(const ReceivedFields& f) {
    return f.from.rdns ? f.from.rdns : f.from.host ? f.from.host : f.from.helo;
}

std::size_t sender_words_size(const ReceivedFields& f) {
    if (helo_only_claim(f.from) && f.from.helo) return f.from.helo->size() + f.from.ip->size() + 18;
    const auto& name = sender_name(f);
    return std::max<std::size_t>((name ? name->size() : 0) + (f.from.ip ? f.from.ip->size() + 3 : 0), 17);
}

void append_sender_words(std::string& out, const ReceivedFields& f) {
    if (helo_only_claim(f.from) && f.from.helo) {  // "unknown (helo hotmail.com) [96.202.181.20]"
        out.append("unknown (helo ").append(*f.from.helo).append(") [").append(*f.from.ip).append("]");
        return;
    }
    const auto& name = sender_name(f);
    // A name that is the address itself ("from [192.0.2.12]"): said once.
    auto is_address = [&](const std::string& n) {
        const std::string& ip = *f.from.ip;
        return n == ip ||
               (n.size() == ip.size() + 2 && n.front() == '[' && n.back() == ']' && n.compare(1, ip.size(), ip) == 0);
    };
    const bool named = name && !name->empty() && !(f.from.ip && is_address(*name));
    if (named) out.append(*name);
    if (f.from.ip) out.append(named ? " [" : "[").append(*f.from.ip).append("]");
    if (!named && !f.from.ip) out.append("an unnamed sender");
}

// "SENDER handed it over the internet", where the stamp shows that much: a
// client it names at a public address, or by name alone. A stamp naming no
// client, one at a site-local address (a service's internal hop) or at a
// placeholder (Exchange's 255.255.255.255) does not show the internet.
void append_handed_over(std::string& out, const ReceivedFields& f) {
    const auto& name = sender_name(f);
    const bool named = name && !name->empty();
    if (!named && !f.from.ip) {
        out.append("the stamp names no client: it took the message from one it leaves out");
        return;
    }
    append_sender_words(out, f);
    if (!f.from.ip) {
        out.append(" handed it over the internet");
        return;
    }
    if (site_local_address(*f.from.ip)) {
        out.append(" handed it over from ").append(site_local_words(*f.from.ip));
        return;
    }
    // The address is normalised: its text says whether it is Exchange's placeholder.
    const bool placeholder = *f.from.ip == "255.255.255.255" || *f.from.ip == "0.0.0.0";
    out.append(placeholder               ? " handed it over (its address is a placeholder, no address)"
               : helo_only_claim(f.from) ? " handed it over from a public address its receiver recorded no name for"
                                         : " handed it over the internet");
}

}  // namespace

std::string sender_words(const ReceivedFields& f) {
    std::string who;
    who.reserve(sender_words_size(f));
    append_sender_words(who, f);
    return who;
}

std::optional<std::string> microsoft_took_as_own(const Trace& t) {
    auto entity = find_signal(t, "X-MS-Exchange-CrossTenant-FromEntityHeader");
    if (entity && iequals(*entity, "HybridOnPrem"))
        return "Microsoft 365 took it as the tenant's own on-premises mail (FromEntityHeader: HybridOnPrem)";
    // Written in a mailbox, or taken as internet mail.
    if (entity && (iequals(*entity, "Hosted") || iequals(*entity, "Internet"))) return std::nullopt;
    for (const char* name : {"X-MS-Exchange-Organization-AuthAs", "X-MS-Exchange-CrossTenant-AuthAs"})
        if (auto as = find_signal(t, name); as && iequals(*as, "Internal"))
            return "Microsoft 365 authenticated the sender as internal (" + std::string(name) + ": Internal)";
    return std::nullopt;
}

void find_sides(const Trace& t, const std::vector<System>& sys, const RuleSet& rules, Sides& sides) {
    {
        Sides fresh;
        auto keep = [](auto& to, auto& from) {
            from.clear();
            to.swap(from);
        };
        keep(fresh.links, sides.links);
        keep(fresh.runs, sides.runs);
        keep(fresh.sender_orgs, sides.sender_orgs);
        keep(fresh.recipient_orgs, sides.recipient_orgs);
        keep(fresh.rewriters, sides.rewriters);
        keep(fresh.tenant_group, sides.tenant_group);
        sides = std::move(fresh);
    }
    const auto& hops = t.hops;
    const std::size_t n = hops.size();
    const OrgHeaders headers = OrgHeaders::of(t);
    recipient_orgs_of(t, sides);
    sides.list = list_org(headers, &sides.list_named_by);
    // A list server's own stamp (L-Soft's LISTSERV) names the list's host
    // where the list set no header of its own; not on mail its own
    // organisation wrote (LISTSERV's replies to commands, From LISTSERV@).
    const auto from_org = t.from ? org_of_address(*t.from) : std::nullopt;
    if (!sides.list)
        for (const auto& h : hops)
            if (h.fields.mta && *h.fields.mta == "LISTSERV" && h.fields.by.host)
                if (auto org = org_of_name(*h.fields.by.host); org && org != from_org) {
                    sides.list = std::move(org);
                    sides.list_named_by = "its LISTSERV stamp";
                    break;
                }
    sides.list_headers = sides.list || headers.list();
    // A list domain of a list service the rules name (googlegroups.com,
    // Google Groups): that service's hosts are the list's too, whatever
    // their own domain (google.com).
    std::optional<std::string> list_party;
    if (sides.list) {
        const std::optional<std::string> host = "list." + *sides.list;
        if (auto m = rules.match_by(host, std::nullopt, std::nullopt);
            m && m->rule->family == Family::List && !m->rule->org.empty())
            list_party = m->rule->org;
    }
    // From names the author's organisation, unless a list rewrote it to its
    // own address ("Jane via kasan-dev <kasan-dev@googlegroups.com>").
    if (t.from)
        if (auto org = org_of_address(*t.from); org && org != sides.list) add_org(sides.sender_orgs, org);
    // Exchange Online names the organisation the message came from.
    if (auto originator = find_signal(t, "X-OriginatorOrg")) add_org(sides.sender_orgs, org_of_name(*originator));
    // Google Groups keeps the author it replaced in From ("'lizetao' via kasan-dev").
    if (auto author = find_signal(t, "X-Original-Sender"))
        if (auto org = org_of_address(*author); org && org != sides.list) add_org(sides.sender_orgs, org);

    auto user_inside = [&](std::size_t i) -> std::optional<std::string> {
        if (!rules.has_user_rules()) return std::nullopt;  // only the user's own rules answer here
        const auto& f = hops[i].fields;
        // (sent to a named host of another organisation, it left yours: a
        // forwarder after your relay)
        if (auto m = rules.match_from(f.from.host, f.from.ip);
            m && m->rule->user && (m->rule->family == Family::Internal || m->rule->family == Family::Relay)) {
            auto to = f.by.host ? org_of_name(*f.by.host) : std::nullopt;
            auto own = f.from.host ? org_of_name(*f.from.host) : std::nullopt;
            if (!to || !own || to == own) return m->evidence() + ": a system of your own sent it";
        }
        if (auto m = rules.match_by(f.by.host, f.by.ip, f.with);
            m && m->rule->user && (m->rule->family == Family::Internal || m->rule->family == Family::Relay))
            return m->evidence() + ": a system of your own received it";
        return std::nullopt;
    };
    auto from_named = [&](std::size_t i) {
        const auto& f = hops[i].fields.from;
        return f.ip || f.host || f.helo || f.rdns;
    };

    auto compute_links = [&] {
        sides.links.assign(n, Link{});
        for (std::size_t i = 0; i < n; ++i) {
            Link& link = sides.links[i];
            const System& b = sys[i];
            const Hop& h = hops[i];
            const auto& f = h.fields.from;
            if (i == 0) {
                link.kind = LinkKind::Start;
                if (auto why = user_inside(i)) {
                    link.why = *why;
                    continue;
                }
                if (site_local_sender(f)) {
                    auto m = rules.match_from(std::nullopt, f.ip);
                    link.why = (m ? m->evidence() : "sender " + *f.ip + " is " + std::string(site_local_words(*f.ip))) +
                               ": the message starts inside " + (b.org ? *b.org + "'s" : std::string("this")) + " site";
                    continue;
                }
                if (sender_named_under(f, b.org)) {
                    link.why = "its sender " + sender_words(h.fields) + " is a host of " + *b.org +
                               ": the message starts inside " + *b.org;
                    continue;
                }
                if (self_stamp(h) || sender_says_nothing(f)) continue;
                auto other = sender_org(f);
                link.kind = LinkKind::Crossing;
                // A client that names no organisation of its own (an address,
                // "localhost", a bare HELO): a submission, not a server's hand-over.
                link.from_device = !other;
                // "received from SENDER (ORG) over the internet by ORG", in one allocation.
                std::string& why = link.why;
                why.reserve(40 + sender_words_size(h.fields) + (other ? other->size() : 0) + org_view(b).size());
                why.assign("received from ");
                append_sender_words(why, h.fields);
                if (other) why.append(" (").append(*other).append(")");
                // A client its receiver could not name: only its address says
                // where it was, and an address alone shows no internet path.
                why.append(helo_only_claim(f) ? ", a public address its receiver recorded no name for, by "
                                              : " over the internet by ")
                    .append(org_view(b));
                continue;
            }
            const System& a = sys[i - 1];
            auto fam_a = family(a);
            auto fam_b = family(b);
            // A content filter's stamp naming the client of the stamp before
            // it again (qmail-scanner's "from 192.0.2.9 by mail.example with
            // qmail-scanner"): written on the system that stamp's receiver
            // is, not a second hand-over from that client.
            if (const auto& before = hops[i - 1].fields.from; f.ip && before.ip && *f.ip == *before.ip &&
                                                              h.fields.with &&
                                                              istarts_with(*h.fields.with, "qmail-scanner")) {
                link.kind = a.party && b.party && a.party != b.party ? LinkKind::Joined : LinkKind::Inside;
                if (link.kind == LinkKind::Joined)
                    link.why = org_words(a) + " and " + org_words(b) + " are one system: " + hop_ref(h) +
                               " is qmail-scanner's stamp of the client " + *f.ip + " that " + hop_ref(hops[i - 1]) +
                               " received";
                continue;
            }
            // A provider's inbound MX or a list service's receiving host starts
            // the recipient's or the list's side, even inside one provider.
            if (fam_b && (*fam_b == Family::Mx || *fam_b == Family::List) && fam_a != fam_b && from_named(i)) {
                link.kind = LinkKind::Crossing;
                const std::string service = service_evidence(b);
                std::string_view takes = *fam_b == Family::Mx ? ", the recipient's provider takes it in here"
                                                              : ", the list takes it in here";
                std::string& why = link.why;
                why.reserve(40 + service.size() + takes.size());
                why.assign("hand-over at ");
                append_hop_ref(why, h);
                why.append(": ").append(service).append(takes);
                continue;
            }
            bool same_domain = a.org && b.org && *a.org == *b.org;
            if ((a.party && b.party && *a.party == *b.party) || same_domain) {
                link.kind = LinkKind::Inside;
                if (b.party && *b.party == kMicrosoft365 && fam_b == Family::Eop && !site_local_sender(f)) {
                    for (const auto* name : {&f.rdns, &f.host, &f.helo}) {
                        if (!*name || !rules.names_eop_outbound(**name, f.ip)) continue;
                        link.kind = LinkKind::Crossing;
                        link.tenant = true;
                        link.why = "hand-over at " + hop_ref(h) +
                                   " from one Microsoft 365 tenant to another: " + **name +
                                   " is EOP's outbound service, and " + h.fields.by.host.value_or("the receiver") +
                                   " takes the message in for the recipient's tenant";
                        break;
                    }
                }
                continue;
            }
            // Into or out of a service (Microsoft 365, a gateway, a provider, a
            // list) is always a hand-over, private addresses or not: a service
            // is never one site with its customer.
            bool service_edge = (fam_a || fam_b) && a.party && b.party;
            if (!service_edge && !a.party && sender_says_nothing(f))
                continue;  // nothing says it left an unknown system
            // A stamp that names no outside sender (a site-local address, a
            // local name, or no sender at all: "qmail invoked by uid",
            // "from userid 0") shows the message handed on inside one
            // system, never a hand-over over the internet; but a stamp "with
            // SMTP" or ESMTP(S)(A) took it from an SMTP client it leaves out
            // (Postfix's "by smtp.example.org with ESMTPSA"), which may have
            // been anywhere.
            bool smtp = h.fields.with &&
                        std::ranges::any_of(std::array<std::string_view, 4>{"SMTP", "ESMTP", "UTF8SMTP", "UTF8ESMTP"},
                                            [&](std::string_view p) { return istarts_with(*h.fields.with, p); });
            bool nameless = !f.ip && !f.host && !f.helo && !f.rdns && !smtp && !authenticated_submission(h.fields);
            if (!service_edge &&
                (site_local_sender(f) || (sender_says_nothing(f) && (f.host || f.helo || f.rdns)) || nameless)) {
                link.kind = a.party && b.party ? LinkKind::Joined : LinkKind::Inside;
                if (link.kind == LinkKind::Joined)
                    link.why =
                        org_words(a) + " and " + org_words(b) + " are one site: " +
                        (f.ip ? "the message was handed on over the site-local address " + *f.ip
                         : (f.host || f.helo || f.rdns) ? "its sender " + sender_words(h.fields) + " is a local name"
                                                        : "the stamp at " + hop_ref(h) +
                                                              " names no sender: the message was handed on inside the "
                                                              "system that received it at " +
                                                              hop_ref(hops[i - 1]));
                continue;
            }
            // A stamp cut short (its receiver, protocol and time lost, as in a
            // copy whose folding was lost) whose sender is the system before
            // it, or none outside: no hand-over is told (its role is left
            // unknown). One naming another organisation's public host still
            // shows that host handing the message on.
            if (cut_stamp(h.fields) &&
                (!names_public_system(f) || sender_named_under(f, a.org) ||
                 (a.party && *a.party == kMicrosoft365 && rules.names_microsoft_365(f.host, f.ip)))) {
                link.kind = LinkKind::Inside;
                continue;
            }
            if (!b.party) {  // an unnamed receiver a public sender handed the message to
                link.kind = LinkKind::Crossing;
                link.why = "hand-over at " + hop_ref(h) + ": ";
                if (!f.ip && !f.rdns && !f.host && !f.helo) {
                    link.why.append("the stamp names neither its client nor its receiver");
                } else {
                    append_handed_over(link.why, h.fields);
                    link.why.append(" to an unnamed receiver");
                }
                continue;
            }
            if (sender_named_under(f, b.org)) {
                // The sender is the previous stamp's receiver itself (its HELO
                // is that by-host) and has a name in b's domain: one system
                // named in both, so a and b are one organisation
                // (ns.netscape.com, reverse name ns.netscape.com.mcom.com).
                const auto& prev_by = hops[i - 1].fields.by.host;
                if (a.org && b.org && prev_by && in_organisation(*prev_by, *a.org) &&
                    ((f.helo && iequals(*f.helo, *prev_by)) || (f.host && iequals(*f.host, *prev_by)))) {
                    link.kind = LinkKind::Joined;
                    link.why = *a.org + " and " + *b.org + " are one organisation: " + hop_ref(h) + "'s sender " +
                               *prev_by + ", the receiver at " + hop_ref(hops[i - 1]) + ", is " +
                               sender_words(h.fields) + " in " + *b.org + "'s names";
                    continue;
                }
                // The stamp shows the message already inside b (its sender is a
                // host of b's own): it came over from a by a way no stamp shows.
                link.kind = a.party ? LinkKind::Crossing : LinkKind::Inside;
                if (a.party)
                    link.why = "hand-over at " + hop_ref(h) + " from " + org_words(a) + " to " + *b.org +
                               ": its sender " + sender_words(h.fields) + " is a host of " + *b.org +
                               " already, so the message came over by a way no stamp shows";
                continue;
            }
            if (a.org && b.org && sides.is_sender_org(a.org) && sides.is_sender_org(b.org)) {
                link.kind = LinkKind::Joined;
                link.why =
                    *a.org + " and " + *b.org + " are both the sender's own domains (From, Sender or Return-Path)";
                continue;
            }
            // The user's own systems are one organisation, but never one with
            // a service they hand the message to (Microsoft 365 taking it from
            // the --relay host is the hand-over the relay answer is about).
            if (!service_edge)
                if (auto why = user_inside(i)) {
                    link.kind = LinkKind::Joined;
                    link.why = *why;
                    continue;
                }
            link.kind = LinkKind::Crossing;
            // Out of the sending device's own stamps: a host that only stamps
            // itself at the start of the chain and whose organisation is its
            // first server's name for it (a dial-up or office address), not the
            // sender's own domain.
            bool device = true;
            for (std::size_t j = 0; j < i && device; ++j)
                device = self_stamp(hops[j]).has_value() && (!sys[j].org || !sys[j].org_note.empty()) &&
                         !sides.is_sender_org(sys[j].org) && family(sys[j]) == std::nullopt;
            link.from_device = device;
            // "hand-over at hop #N from A to B: SENDER handed it over the internet", in one allocation.
            std::string& why = link.why;
            why.reserve(80 + org_view(a).size() + org_view(b).size() + sender_words_size(h.fields));
            why.assign("hand-over at ");
            append_hop_ref(why, h);
            why.append(" from ").append(org_view(a)).append(" to ").append(org_view(b)).append(": ");
            append_handed_over(why, h.fields);
        }
        // A crossing from A to B that B undoes at once, handing the message
        // back to A over a site-local address (Huawei's huawei.com, then
        // mail.maildlp.com, then huawei.com again from 172.19.x): A and B
        // are one site, and the first hand-over was inside it too.
        for (std::size_t i = 1; i + 1 < n; ++i) {
            Link& link = sides.links[i];
            const Link& back = sides.links[i + 1];
            if (link.kind != LinkKind::Crossing || back.kind != LinkKind::Joined || link.tenant) continue;
            const System& a = sys[i - 1];
            const System& b = sys[i];
            if (!a.org || !b.org || sys[i + 1].org != a.org || family(a) || family(b)) continue;
            const auto& back_ip = hops[i + 1].fields.from.ip;
            if (!back_ip || !site_local_address(*back_ip)) continue;
            link.kind = LinkKind::Joined;
            link.from_device = false;
            link.why = *a.org + " and " + *b.org + " are one site: " + *b.org + " hands the message back to " + *a.org +
                       " over the site-local address " + *back_ip + " at " + hop_ref(hops[i + 1]);
        }
        // Two domains an earlier link proved one organisation stay one: a
        // crossing between them later is inside it.
        for (std::size_t i = 2; i < n; ++i) {
            Link& link = sides.links[i];
            const System& a = sys[i - 1];
            const System& b = sys[i];
            if (link.kind != LinkKind::Crossing || link.tenant || !a.org || !b.org || family(a) || family(b)) continue;
            for (std::size_t j = 1; j < i; ++j) {
                if (sides.links[j].kind != LinkKind::Joined || !sys[j - 1].org || !sys[j].org) continue;
                if ((*sys[j - 1].org == *a.org && *sys[j].org == *b.org) ||
                    (*sys[j - 1].org == *b.org && *sys[j].org == *a.org)) {
                    link.kind = LinkKind::Joined;
                    link.from_device = false;
                    link.why = *a.org + " and " + *b.org + " are one organisation, as at " + hop_ref(hops[j]);
                    break;
                }
            }
        }
    };
    compute_links();

    auto build_runs = [&] {
        sides.runs.clear();
        sides.runs.reserve(n);  // at most one run per hop
        for (std::size_t i = 0; i < n; ++i) {
            if (i == 0 || sides.links[i].kind == LinkKind::Crossing) {
                Run r;
                r.first = i;
                sides.runs.push_back(r);
            }
            sides.runs.back().last = i;
        }
        // Runs the list's own domain makes the list's, and their kinds before.
        std::vector<std::pair<std::size_t, RunKind>> list_domain_runs;
        for (auto& r : sides.runs) {
            r.kind = RunKind::Generic;
            for (std::size_t i = r.first; i <= r.last; ++i) {
                if (!r.party) r.party = sys[i].party;
                if (!r.org) r.org = sys[i].org;
                auto f = family(sys[i]);
                RunKind k = RunKind::Generic;
                if (sys[i].party && *sys[i].party == kMicrosoft365)
                    k = RunKind::Microsoft;
                else if (f == Family::Gateway)
                    k = RunKind::Gateway;
                else if (f == Family::List && i == r.first)
                    k = RunKind::List;
                else if (f == Family::Mx && i == r.first && from_named(i))
                    k = RunKind::Mx;
                else if (f == Family::Provider)
                    k = RunKind::Provider;
                if (static_cast<int>(k) < static_cast<int>(r.kind)) {
                    r.kind = k;
                    r.service = &sys[i];
                }
            }
            // A run with a host of the list's own domain is the list's (its
            // front relay may have another name).
            bool list_host = false;
            for (std::size_t i = r.first; i <= r.last && sides.list && !list_host; ++i)
                list_host = sys[i].org == sides.list || (list_party && sys[i].party == list_party);
            if (r.kind != RunKind::Microsoft && r.kind != RunKind::Gateway && list_host) {
                list_domain_runs.emplace_back(static_cast<std::size_t>(&r - sides.runs.data()), r.kind);
                r.kind = RunKind::List;
            }
        }
        // A sender of the list's own domain (a kernel.org account posting to
        // a vger.kernel.org list): the message leaves that domain's servers
        // and comes back to them at the list. Only the last run of the list's
        // domain is the list's; the ones before are the sender's.
        if (list_domain_runs.size() > 1)
            for (std::size_t j = 0; j + 1 < list_domain_runs.size(); ++j)
                sides.runs[list_domain_runs[j].first].kind = list_domain_runs[j].second;
    };
    build_runs();

    // Sender and Return-Path name the sender's organisation too, unless they
    // are the list's, or the chain shows their organisation receiving the
    // message from another one (a forwarder or the recipient rewrote them on
    // the way). Decided on the links found from the author's own domain.
    for (const auto& [field, value] :
         {std::pair{"Sender", headers.sender}, std::pair{"Return-Path", headers.return_path}}) {
        if (!value) continue;
        auto org = org_of_address(*value);
        if (!org || sides.is_sender_org(org)) continue;
        std::string rewritten;
        if (sides.list && *org == *sides.list) {
            rewritten = std::string(field) + "'s " + *org + " is the mailing list's: the list set it";
        } else {
            for (const auto& r : sides.runs) {
                bool has = false;
                for (std::size_t i = r.first; i <= r.last && !has; ++i) has = sys[i].org == org;
                if (!has) continue;
                const Link& entry = sides.links[r.first];
                if (entry.kind == LinkKind::Crossing && !entry.from_device) {
                    rewritten = std::string(field) + "'s " + *org + " first appears after a hand-over (" + entry.why +
                                "): a forwarder or the recipient set it, so it does not name the sender";
                    add_org(sides.rewriters, org);
                }
                break;
            }
        }
        if (!rewritten.empty()) {
            if (!sides.return_path_note.empty()) sides.return_path_note += "; ";
            sides.return_path_note += rewritten;
            continue;
        }
        add_org(sides.sender_orgs, org);
        compute_links();
        build_runs();
    }

    // Microsoft 365 taking the sender's mail from a run as the tenant's own
    // on-premises server proves that run one organisation with the
    // sender's systems before it (the relay of a device whose first server
    // has another domain).
    if (auto own = microsoft_took_as_own(t); own && senders_tenant(t, sys, sides)) {
        std::size_t entry = sides.runs.size();
        for (std::size_t k = 1; k < sides.runs.size(); ++k)
            if (sides.runs[k].kind == RunKind::Microsoft && sides.runs[k - 1].kind != RunKind::Microsoft) entry = k;
        if (entry < sides.runs.size()) {
            std::size_t k = entry - 1;
            Run& relay = sides.runs[k];
            if (relay.kind == RunKind::Generic && k > 0 && sides.runs[k - 1].kind == RunKind::Generic &&
                sides.links[relay.first].kind == LinkKind::Crossing) {
                Link& link = sides.links[relay.first];
                link.kind = LinkKind::Joined;
                link.why = org_words(sys[relay.first - 1]) + " and " + org_words(sys[relay.first]) +
                           " are one organisation: " + *own + " from " +
                           sender_words(hops[sides.runs[entry].first].fields);
                build_runs();
            }
        }
    }
    sides.tenant_group.assign(n, -1);
    int g = -1;
    std::size_t prev = n;          // the last Microsoft 365 hop so far
    bool group_wrote = false;      // the current tenant's mailbox wrote the message
    std::optional<bool> incoming;  // asked only where a second tenant may start
    for (std::size_t i = 0; i < n; ++i) {
        if (!sys[i].party || *sys[i].party != kMicrosoft365) continue;
        // Another tenant after a stretch outside Microsoft 365 (the
        // recipient's gateway): the message was written in a mailbox of the
        // first, and Exchange recorded the last entry as mail coming in
        // from outside, which a tenant's own mail coming back (a signature
        // service's round trip) never is.
        const bool after_gap = prev != n && i > prev + 1;
        if (g < 0 || sides.links[i].tenant ||
            (after_gap && group_wrote && (incoming ? *incoming : *(incoming = last_pass_incoming(t))))) {
            ++g;
            group_wrote = i == 0 || mailbox_stamp(hops[i].fields);
        }
        sides.tenant_group[i] = g;
        prev = i;
    }
}

bool cut_stamp(const ReceivedFields& f) {
    return !f.by.host && !f.by.ip && !f.with && !f.time;
}

void leave_cut_stamps_unknown(Trace& t) {
    for (Hop& h : t.hops)
        if (cut_stamp(h.fields) && h.index > 1 && !h.org) {
            h.role = "unknown";
            h.evidence.assign(1, "the stamp is cut short (no receiver, protocol or time): whose it is is not told");
        }
}

void note_unstamped_systems(Trace& t, const RuleSet& rules) {
    auto microsoft = [](const Hop& h) { return h.role == "eop" || h.role == "exchange-online"; };
    for (std::size_t i = 1; i < t.hops.size(); ++i) {
        Hop& h = t.hops[i];
        const Hop& before = t.hops[i - 1];
        if (!microsoft(h) || !microsoft(before)) continue;
        const SenderSide& from = h.fields.from;
        // Named, by a public name that is not Microsoft's: a nameless
        // address of Microsoft's own network (2603:10b6::, which its
        // published ranges leave out) is no outside system.
        if (!from.ip || !from.host || loopback_address(*from.ip) || site_local_address(*from.ip) ||
            !is_public_name(*from.host))
            continue;
        if (rules.names_microsoft_365(from.host, from.ip)) continue;
        std::string detail = "the message left Microsoft 365 after " + hop_ref(before) + " and came back from " +
                             *from.host + " [" + *from.ip + "], which wrote no stamp: ";
        detail += h.delay_s ? "this hop's " + duration_text(*h.delay_s) + " include the time there"
                            : "the time there is not told";
        h.anomalies.push_back({"unstamped-system", std::move(detail)});
    }
}

}  // namespace hopscope
