#include "classify/roles.hh"

#include <algorithm>
#include <string_view>

#include "classify/organisation.hh"
#include "input/header_block.hh"
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

std::string_view or_text(const std::optional<std::string>& s, std::string_view otherwise) {
    return s ? std::string_view(*s) : otherwise;
}

void set_role(Hop& h, const char* role, std::string evidence) {
    h.role = role;
    h.evidence.push_back(std::move(evidence));
}

// An organisation's name without its public suffix's labels: "gmx" of
// gmx.net and gmx.de, "amazon" of amazon.dev and amazon.com.
std::string_view name_part(std::string_view org) {
    return org.substr(0, org.find('.'));
}

// A host name that says it takes submissions ("smtp.gmail.com").
bool submission_host(const ReceivedFields& f) {
    auto by = f.by.host ? public_name(*f.by.host) : std::nullopt;
    return by && by->find("smtp") != std::string::npos;
}

}  // namespace

void assign_roles(Trace& t, const std::vector<System>& sys, const Sides& sides,
                  const std::vector<std::optional<RuleMatch>>& by_match, const RuleSet& rules) {
    const std::size_t n = t.hops.size();
    const auto& runs = sides.runs;
    // What marks a hop as a system of the sender's own: the user's rules
    // (--relay, --internal-net, `rule = internal|relay`), or an
    // authenticated submission. Asked once per hop at most.
    // Per thread, its storage reused: what is kept is copied from it.
    thread_local std::vector<std::optional<std::optional<std::string>>> own_seen;
    own_seen.clear();
    own_seen.resize(n);
    auto own_evidence = [&](std::size_t i) -> const std::optional<std::string>& {
        if (own_seen[i]) return *own_seen[i];
        const Hop& h = t.hops[i];
        std::optional<std::string> why;
        if (const auto& m = by_match[i];
            m && m->rule->user && (m->rule->family == Family::Relay || m->rule->family == Family::Internal))
            why = m->evidence();
        // Its sender is the user's relay: inside the organisation, unless
        // the receiver is another organisation's named host (the relay
        // handing the message out to a forwarder).
        if (!why && rules.has_user_rules())  // only the user's own rules answer here
            if (auto m = rules.match_from(h.fields.from.host, h.fields.from.ip);
                m && m->rule->user && (m->rule->family == Family::Relay || m->rule->family == Family::Internal)) {
                const std::optional<std::string> sender_org =
                    h.fields.from.host ? org_of_name(*h.fields.from.host) : std::nullopt;
                if (!sys[i].org || !sender_org || sys[i].org == sender_org)
                    why = m->evidence() + " sent this on inside your organisation";
            }
        if (!why && authenticated_submission(h.fields))
            why = "authenticated submission (" + h.fields.with.value_or("AUTH") +
                  "): the sender logged in to it, so it is the mail server the sender uses (its own, or a provider's)";
        own_seen[i] = std::move(why);
        return *own_seen[i];
    };
    // The authserv-id of an Authentication-Results a system of run `r` wrote
    // under its own name: it checked the message as a receiver.
    auto checked_as_receiver = [&](const Run& r) -> std::optional<std::string> {
        for (const auto& sig : t.signals) {
            if (!iequals(sig.name, "Authentication-Results")) continue;
            auto id = parse_authentication_results(sig.name, sig.value).authserv_id;
            auto org = id ? org_of_name(*id) : std::nullopt;
            for (std::size_t i = r.first; i <= r.last && org; ++i)
                if (sys[i].org == org) return std::string(*id);
        }
        return std::nullopt;
    };
    auto target_words = [&](std::size_t k) {
        const Run& r = runs[k];
        const Hop& h = t.hops[r.first];
        std::string what = describe_kind(r.kind);
        if (r.service && r.service->service && !r.service->service->product.empty()) what = r.service->service->product;
        return hop_ref(h) + " (" + what + ", " + h.fields.by.host.value_or(h.fields.by.ip.value_or("?")) + ")";
    };

    // Whether an organisation is the sender's own, by the headers or by the
    // hops before `before` found to be its own systems: the hop, or nullopt.
    auto own_org_hop = [&](const std::string& org, std::size_t before) -> std::optional<std::size_t> {
        for (std::size_t j = 0; j < before; ++j) {
            std::string_view role = t.hops[j].role;
            if ((role == kOrigin || role == kLocal) && sys[j].org == org) return j;
        }
        return std::nullopt;
    };
    auto senders = [&](const std::string& org, std::size_t before) {
        return sides.is_sender_org(org) || own_org_hop(org, before).has_value();
    };
    // Whether run k belongs with the sender's side before it: one of its
    // hosts is of an organisation whose hops were the sender's own (amazon.com's
    // perimeter after amazon.dev's sending service), or its organisation has
    // the name of one of those, or of the From domain, under another public
    // suffix (blacknight.ie's servers, then blacknight.com's outbound).
    auto sender_side_again = [&](std::size_t k) {
        const Run& r = runs[k];
        // Or a system on the sender's side before it, or the one that handed
        // the message to such a system, was of that organisation
        // (smtp2.mailbox.org, then its filter, then mout.mailbox.org).
        auto seen_on_senders_side = [&](const std::string& org) {
            for (std::size_t j = 0; j < r.first; ++j) {
                std::string_view role = t.hops[j].role;
                if (role != kOrigin && role != kLocal && role != kSender) continue;
                if (role == kSender && sys[j].org == org) return true;
                const auto& from = t.hops[j].fields.from.host;
                if (from && org_of_name(*from) == org) return true;
            }
            return false;
        };
        auto same_name = [&](const std::string& org) {
            auto named = [&](const std::string& other) { return other != org && name_part(other) == name_part(org); };
            if (std::ranges::any_of(sides.sender_orgs, named)) return true;
            for (std::size_t j = 0; j < r.first; ++j) {
                std::string_view role = t.hops[j].role;
                if ((role == kOrigin || role == kLocal) && sys[j].org && named(*sys[j].org)) return true;
            }
            return false;
        };
        for (std::size_t i = r.first; i <= r.last; ++i)
            if (sys[i].org &&
                (senders(*sys[i].org, r.first) || seen_on_senders_side(*sys[i].org) || same_name(*sys[i].org)))
                return true;
        return false;
    };

    bool recipient = false;  // the message reached the recipient's side
    std::string recipient_why;
    bool ms_seen = false;
    bool gateway_seen = false;
    bool gateway_after_provider = false;  // a gateway the sender's provider handed the message to: the recipient's
    bool provider_seen = false;
    bool list_done = false;
    const bool list_in_chain = std::ranges::any_of(runs, [](const Run& r) { return r.kind == RunKind::List; });
    for (std::size_t k = 0; k < runs.size(); ++k) {
        const Run& r = runs[k];
        const Link& entry = sides.links[r.first];
        const bool crossed = entry.kind == LinkKind::Crossing;
        auto each = [&](const char* role, const std::string& why) {
            for (std::size_t i = r.first; i <= r.last; ++i) set_role(t.hops[i], role, why);
        };
        auto enter_recipient = [&](const std::string& why) {
            // A mailing list further on: the message has not left the
            // sender's side yet (mailbox.org's filter at heinlein-hosting.de
            // before vger.kernel.org).
            if (!list_done)
                for (std::size_t later = k + 1; later < runs.size(); ++later)
                    if (runs[later].kind == RunKind::List) {
                        std::string said = r.service ? service_evidence(*r.service) : entry.why;
                        each(kSender, concat({said, said.empty() ? "" : "; ", "the mailing list at ",
                                              hop_ref(t.hops[runs[later].first]),
                                              " takes the message later: a system on the sender's side"}));
                        provider_seen = true;
                        return;
                    }
            // A list whose own domain is not in the chain (a list hosted by
            // someone else): the first receiver after the sender's side that
            // sends the message on to another organisation.
            bool sends_on = std::any_of(runs.begin() + static_cast<std::ptrdiff_t>(k) + 1, runs.end(),
                                        [&](const Run& later) { return later.org && later.org != r.org; });
            // Not a system that set the envelope sender to its own: a
            // forwarder, whose Return-Path a list would have set instead.
            bool rewriter = r.org && std::ranges::find(sides.rewriters, *r.org) != sides.rewriters.end();
            // The list server hands the message to the recipient's side: a
            // system with another one before the recipient's organisation
            // is still on the sender's side (a university's server, then the
            // Mailman host that delivers to the subscriber).
            std::optional<std::size_t> recipients_run;
            for (std::size_t later = k + 1; later < runs.size() && !recipients_run; ++later)
                if (runs[later].org &&
                    std::ranges::find(sides.recipient_orgs, *runs[later].org) != sides.recipient_orgs.end())
                    recipients_run = later;
            // Of the systems before it, the list is the last that handed the
            // message back to itself over loopback, as a list manager does
            // (Mailman's "from localhost [127.0.0.1]"); where none did, the
            // last one.
            auto reinjects = [&](const Run& run) {
                for (std::size_t i = run.first + 1; i <= run.last; ++i) {
                    const auto& from = t.hops[i].fields.from;
                    if ((from.ip && loopback_address(*from.ip)) || (from.host && iequals(*from.host, "localhost")))
                        return true;
                }
                return false;
            };
            bool later_list = false;
            if (recipients_run && *recipients_run > k + 1) {
                later_list = !reinjects(r);
                for (std::size_t later = k + 1; later < *recipients_run && !later_list; ++later)
                    later_list = reinjects(runs[later]);
            }
            if (sides.list_headers && !list_in_chain && !list_done && sends_on && !rewriter && later_list) {
                each(kSender,
                     concat({entry.why, entry.why.empty() ? "" : "; ",
                             "the message carries list headers naming no organisation in the chain, "
                             "and another system comes before the recipient's at ",
                             hop_ref(t.hops[runs[*recipients_run].first]), ": a system on the sender's side"}));
                provider_seen = true;
                return;
            }
            if (sides.list_headers && !list_in_chain && !list_done && sends_on && !rewriter) {
                list_done = true;
                recipient = true;
                recipient_why = "sent on by the list from " + hop_ref(t.hops[r.last]);
                set_role(t.hops[r.first], kList,
                         why +
                             "; the message carries list headers naming no organisation in the chain, and this "
                             "system sent it on: the list server");
                std::string inside = "the list's side since " + hop_ref(t.hops[r.first]);
                for (std::size_t i = r.first + 1; i <= r.last; ++i) set_role(t.hops[i], kList, inside);
                return;
            }
            recipient = true;
            recipient_why = concat({"the recipient's side since ", hop_ref(t.hops[r.first])});
            set_role(t.hops[r.first], kExternal, why);
            for (std::size_t i = r.first + 1; i <= r.last; ++i) set_role(t.hops[i], kExternal, recipient_why);
        };
        // The service's name, for the gateway and provider texts.
        auto product = [&]() -> std::string_view {
            return r.service && r.service->service ? std::string_view(r.service->service->product)
                                                   : std::string_view(describe_kind(r.kind));
        };
        switch (r.kind) {
            case RunKind::Microsoft:
                for (std::size_t i = r.first; i <= r.last; ++i) {
                    Hop& h = t.hops[i];
                    std::string why = sys[i].service == nullptr ? concat({"Microsoft 365 (", sys[i].org_note, ")"})
                                                                : service_evidence(sys[i]);
                    if (family(sys[i]) == Family::Eop) {
                        set_role(h, kEop, why);
                    } else {
                        set_role(h, kExo, why);
                        const auto& with = h.fields.with;
                        if (auto proxy = proxied_smtp_client(t, h))
                            h.evidence.push_back(concat({"with mapi and X-ClientProxiedBy (", *proxy,
                                                         "): the mailbox server sending what an SMTP client submitted "
                                                         "to Exchange's front end"}));
                        else if (auto mechanism = smtp_auth_by_mechanism(t, h))
                            h.evidence.push_back(concat({"with mapi and AuthMechanism ", *mechanism,
                                                         " (TLSAuthLogin): the mailbox server sending what an SMTP "
                                                         "client submitted, logged in over TLS"}));
                        else if (with && iequals(*with, "mapi"))
                            h.evidence.emplace_back("with mapi: written in a mailbox and submitted by its client");
                        else if (with && iequals(*with, "HTTPS") && i + 1 == n)
                            h.evidence.emplace_back("with HTTPS: handed to the mailbox server for delivery");
                    }
                }
                if (crossed && entry.tenant) t.hops[r.first].evidence.push_back(entry.why);
                ms_seen = true;
                continue;
            case RunKind::Gateway:
                for (std::size_t i = r.first; i <= r.last; ++i)
                    set_role(t.hops[i], kGateway,
                             sys[i].service
                                 ? service_evidence(sys[i])
                                 : concat({product(), " (", or_text(r.org, "?"), "): ",
                                           sys[i].org_note.empty() ? std::string_view("the same organisation")
                                                                   : std::string_view(sys[i].org_note)}));
                // After the sender's provider, a gateway that recorded its
                // authentication checks of the message under its own name
                // (Authentication-Results) checked it as a receiver: the
                // recipient's inbound filter, not the sender's outbound one.
                if (provider_seen && !ms_seen && !recipient && k > 0 &&
                    t.hops[r.first - 1].role == std::string_view(kSender))
                    if (auto id = checked_as_receiver(r)) {
                        gateway_after_provider = true;
                        t.hops[r.first].evidence.push_back(
                            concat({"the sender's provider handed the message to it, and it checked the message as a "
                                    "receiver (Authentication-Results by ",
                                    *id, "): the recipient's inbound filter"}));
                    }
                gateway_seen = true;
                continue;
            default:
                break;
        }
        if (r.kind == RunKind::List && !list_done) {
            // The sender's own submission inside the list's domain (a
            // kernel.org sender logging in to mail.kernel.org, which hands
            // the post to vger.kernel.org): a client's authenticated
            // submission, and the device's own stamps before it, are the
            // sender's, never the list's first receiving hop.
            // So is every hop of the sender's organisation before the host
            // the list's headers name (List-Post, List-Id), where that host
            // receives it further on (oracle.com's servers, then
            // oss.oracle.com).
            std::size_t start = r.first;
            std::optional<std::string> host_named;
            std::optional<std::size_t> login;  // the sender's authenticated submission before the list
            // (the sender's side starts it: the chain's first run, one of the
            // sender's domains, or one only the sending device's stamps precede)
            const bool device_before =
                std::all_of(t.hops.begin(), t.hops.begin() + static_cast<std::ptrdiff_t>(r.first),
                            [](const Hop& h) { return h.role == kOrigin; });
            if (k == 0 || sides.is_sender_org(r.org) || device_before) {
                if (auto host = list_host(OrgHeaders::of(t)))
                    for (std::size_t i = r.first + 1; i <= r.last && start == r.first; ++i)
                        if (const auto& by = t.hops[i].fields.by.host; by && in_organisation(*by, *host)) {
                            start = i;
                            host_named = std::move(host);
                        }
                // (before it, the device's own stamps and hosts with no
                // public name: a provider's internal hosts that handed it to
                // the server the sender logs in to)
                if (start == r.first) {
                    std::size_t j = r.first;
                    while (j < r.last && (self_stamp(t.hops[j]) || !sys[j].org)) ++j;
                    if (j < r.last && own_evidence(j) && authenticated_submission(t.hops[j].fields)) {
                        start = j + 1;
                        login = j;
                    }
                }
            }
            for (std::size_t i = r.first; i < start && !login; ++i)
                if (own_evidence(i) && authenticated_submission(t.hops[i].fields)) login = i;
            for (std::size_t i = r.first; i < start; ++i) {
                if (auto why = self_stamp(t.hops[i]); why && k == 0 && i == r.first)
                    set_role(t.hops[i], kOrigin, *why);
                else if (own_evidence(i))
                    set_role(t.hops[i], kLocal, *own_evidence(i) + ", before the list's first receiving hop");
                else if (login && i < *login && !sys[i].org)
                    set_role(t.hops[i], kLocal,
                             concat({"a host with no public name before the sender's authenticated submission at ",
                                     hop_ref(t.hops[*login]), ": the sender's side"}));
                else if (!sys[i].org)
                    set_role(t.hops[i], kLocal,
                             concat({"a host with no public name before the list's first receiving hop (",
                                     host_named ? std::string_view(*host_named) : std::string_view("?"),
                                     ", the host the list's headers name, at ", hop_ref(t.hops[start]),
                                     "): the sender's side"}));
                else
                    set_role(t.hops[i], kLocal,
                             concat({"inside ", or_text(r.org, "?"), " before the list's first receiving hop (",
                                     host_named ? std::string_view(*host_named) : std::string_view("?"),
                                     ", the host the list's headers name, at ", hop_ref(t.hops[start]), ")"}));
            }
            for (std::size_t i = start; i <= r.last; ++i) {
                std::string why = family(sys[i]) == Family::List ? service_evidence(sys[i])
                                  : i > start                    ? "the list's side since " + hop_ref(t.hops[start])
                                  : sides.list ? std::string(sides.list_named_by) + " names " + *sides.list +
                                                     ": the list server's first receiving hop"
                                               : "the list service's first receiving hop";
                if (i == start && sides.list && sides.list_named_by != "its LISTSERV stamp")
                    why += " (the message carries list headers)";
                set_role(t.hops[i], kList, why);
            }
            list_done = true;
            recipient = true;
            recipient_why = "sent on by the list from " + hop_ref(t.hops[r.last]);
            continue;
        }
        if (r.kind == RunKind::Mx) {
            enter_recipient(service_evidence(*r.service) + ": the recipient's provider received it");
            continue;
        }
        if (recipient) {
            each(kExternal, recipient_why);
            continue;
        }
        const Hop& first = t.hops[r.first];
        if (r.kind == RunKind::Provider) {
            // At the start of the chain too, a provider that took the message
            // over the internet from a named server of another organisation
            // received it for the recipient: where that server is not the
            // sender's own, or the message is addressed to the provider's
            // own domain (gmx.de at gmx.net's hosts: one name, two suffixes).
            const auto& client = first.fields.from;
            const std::optional<std::string> client_org = helo_only_claim(client) ? std::nullopt
                                                          : client.rdns           ? org_of_name(*client.rdns)
                                                          : client.host           ? org_of_name(*client.host)
                                                                                  : std::nullopt;
            const bool addressed_here = r.org && std::ranges::any_of(sides.recipient_orgs, [&](const std::string& o) {
                                            return name_part(o) == name_part(*r.org);
                                        });
            bool senders = !crossed || entry.from_device || sides.is_sender_org(r.org) ||
                           (k == 0 && !addressed_here && (!client_org || sides.is_sender_org(client_org))) ||
                           authenticated_submission(first.fields) || submission_host(first.fields);
            if (senders) {
                for (std::size_t i = r.first; i <= r.last; ++i)
                    set_role(t.hops[i], kSender,
                             sys[i].service ? service_evidence(sys[i])
                                            : concat({product(), " (", or_text(r.org, "?"), "): ", sys[i].org_note}));
                if (k > 0 && crossed && !provider_seen)
                    t.hops[r.first].evidence.emplace_back("the sender's side submitted it here (" + entry.why + ")");
                provider_seen = true;
                continue;
            }
            enter_recipient(concat({product(), " received it from ", sender_words(first.fields),
                                    ": the recipient's provider (", entry.why, ")"}));
            continue;
        }
        // A system of no known service, on the sender's side so far: the
        // sender's own only where something proves it.
        std::optional<std::string> own_why;
        std::size_t why_hop = r.first;
        for (std::size_t i = r.first; i <= r.last && !own_why; ++i)
            if ((own_why = own_evidence(i))) why_hop = i;
        // The sender's domain receiving the message over the internet from
        // another organisation's systems at the end of the chain, on mail
        // addressed to that domain, where no system before showed the domain
        // sending it: the recipient's own servers (mail to one's own domain
        // from outside, or a From that names the recipient's domain
        // falsely), not the sender's way out.
        if (!own_why && k > 0 && k + 1 == runs.size() && crossed && !entry.from_device) {
            bool addressed_here = false;
            std::optional<std::string> org_here;
            for (std::size_t i = r.first; i <= r.last && !addressed_here; ++i)
                if (sides.is_sender_org(sys[i].org) &&
                    std::ranges::find(sides.recipient_orgs, *sys[i].org) != sides.recipient_orgs.end()) {
                    addressed_here = true;
                    org_here = sys[i].org;
                }
            bool shown_before = false;
            for (std::size_t j = 0; j < r.first && !shown_before; ++j)
                shown_before =
                    sides.is_sender_org(sys[j].org) ||
                    (t.hops[j].fields.from.host && sides.is_sender_org(org_of_name(*t.hops[j].fields.from.host)));
            if (addressed_here && !shown_before) {
                enter_recipient(concat({entry.why, ": the message is addressed to ", *org_here,
                                        ", and no system before this one is of ", *org_here,
                                        ": the recipient's own servers, though From names the same domain"}));
                continue;
            }
        }
        if (!own_why)
            for (std::size_t i = r.first; i <= r.last && !own_why; ++i)
                if (sides.is_sender_org(sys[i].org)) {
                    own_why = "the sender's own organisation " + *sys[i].org;
                    why_hop = i;
                }
        // The list's own domain before the list's run: a sender of that
        // domain, whose message left it and came back to the list.
        if (!own_why && sides.list && r.org == sides.list && !list_done)
            for (std::size_t later = k + 1; later < runs.size() && !own_why; ++later)
                if (runs[later].kind == RunKind::List && runs[later].org == sides.list)
                    own_why = concat({"a server of ", *sides.list,
                                      ", the list's own domain, before the message came "
                                      "back to the list at ",
                                      hop_ref(t.hops[runs[later].first]), ": the sender's own"});
        // A chain that starts and ends inside the domain the message was
        // delivered to (Delivered-To, X-Original-To: written at delivery), of
        // none of the sender's organisations (From names another): only the
        // recipient's side is stamped (a re-injection over loopback, a
        // filter, a fetch), never the sender's own system. Not a returned
        // message, which ends where delivery failed.
        const Sides::Delivered* delivered_here = nullptr;
        if (!own_why && !crossed && k == 0 && runs.size() == 1 && !t.undelivered && r.org)
            for (const auto& d : sides.delivered)
                if (d.org == *r.org) {
                    delivered_here = &d;
                    break;
                }
        if (delivered_here != nullptr && !sides.sender_orgs.empty() &&
            std::ranges::none_of(sys.begin() + static_cast<std::ptrdiff_t>(r.first),
                                 sys.begin() + static_cast<std::ptrdiff_t>(r.last) + 1,
                                 [&](const System& s) { return sides.is_sender_org(s.org); })) {
            enter_recipient(concat(
                {entry.why.empty() ? std::string_view("the chain starts here") : std::string_view(entry.why), ", in ",
                 *r.org, ", where ", delivered_here->named_by, " says the message was delivered, not the sender's (",
                 sides.sender_orgs.front(), "): only the recipient's side is stamped"}));
            continue;
        }
        if (!own_why && !crossed)
            own_why = entry.why.empty() ? "the chain starts here: the sender's own system"
                                        : entry.why + ": the sender's own system";
        // A device's first server, when it sends the message on: the
        // sender's; where the chain ends in it, or it is the recipient's
        // domain, the device sent straight to the recipient.
        // (Any of its hosts: a provider's mail server also named under the
        // recipient's domain, mail.example.com beside mx.provider.net.)
        bool recipient_domain = false;
        for (std::size_t i = r.first; i <= r.last && !recipient_domain; ++i)
            recipient_domain =
                sys[i].org && std::ranges::find(sides.recipient_orgs, *sys[i].org) != sides.recipient_orgs.end();
        // Or the recipient's name under another suffix, handing the message
        // straight to the recipient's domain (smtp.sssss.org, then
        // imap01.sssss.net for mikel@sssss.net): its front end, not a relay
        // of the sender's.
        std::optional<std::string> same_name_as;
        if (!recipient_domain && r.org && k + 1 < runs.size() && runs[k + 1].org && *runs[k + 1].org != *r.org &&
            name_part(*r.org) == name_part(*runs[k + 1].org) &&
            name_part(*r.org) != "example" &&  // RFC 2606's example.com, .net, .org are three domains
            std::ranges::find(sides.recipient_orgs, *runs[k + 1].org) != sides.recipient_orgs.end() &&
            !sides.is_sender_org(r.org)) {
            recipient_domain = true;
            same_name_as = *runs[k + 1].org;
        }
        // Not where the message was addressed to that system's domain, not
        // the sender's, and only the recipient's systems follow: a device (or
        // a client that names no organisation) that handed it straight to the
        // recipient's servers (a list's To names the list, not where a copy went).
        const bool ends_at_recipient = recipient_domain && !sides.is_sender_org(r.org) && !sides.list_headers &&
                                       k + 1 < runs.size() &&
                                       (!runs[k + 1].org || std::ranges::find(sides.recipient_orgs, *runs[k + 1].org) !=
                                                                sides.recipient_orgs.end());
        // Nor where the client, at a public address, named itself only in a
        // HELO its receiver recorded no name for, and this system is of none
        // of the sender's domains (not even by name under another suffix):
        // the sending client's provider (an ISP's smarthost).
        const bool others_server = helo_only_claim(t.hops[r.first].fields.from) && !sides.sender_orgs.empty() &&
                                   r.org && std::ranges::none_of(sides.sender_orgs, [&](const std::string& o) {
                                       return name_part(o) == name_part(*r.org);
                                   });
        if (!own_why && entry.from_device && k + 1 < runs.size() && !ends_at_recipient && !others_server)
            own_why = "the sending device handed the message to it, and it sent it on: the device's first server (" +
                      entry.why + ")";
        // A returned message (a bounce's) ends where delivery failed, not at
        // the recipient: the device's first server, where it ends, is the
        // one that tried to send it on.
        if (!own_why && entry.from_device && k + 1 == runs.size() && t.undelivered && !recipient_domain)
            own_why =
                "the sending device handed the message to it, and the message was returned from here "
                "undelivered: the device's first server (" +
                entry.why + ")";
        if (!own_why) {
            // At the start of the chain, from a client that has no name of
            // its own but what it said in HELO (no reverse DNS: a dial-up
            // or office address): its first server, the sender's.
            if (k == 0 && k + 1 < runs.size() && runs[k + 1].kind == RunKind::List && !list_done &&
                !t.hops[r.first].fields.from.rdns) {
                each(kSender, entry.why + "; it handed the message to the list at " + target_words(k + 1) +
                                  ": the sending client's first server, the sender's provider");
                provider_seen = true;
                continue;
            }
            // The list host's front relay: it took the message in over the
            // internet and handed it straight to the list; unless the
            // sender's side shows again in it (then it is the sender's way
            // out, below).
            if (k + 1 < runs.size() && runs[k + 1].kind == RunKind::List && !list_done && !sender_side_again(k)) {
                each(kList, entry.why + "; it handed the message to the list at " + target_words(k + 1) +
                                ": the list host's front relay");
                continue;
            }
            // Someone else who took the message from the sender's own
            // servers and sent it on over the internet to another
            // organisation (not into Microsoft 365, which takes a recipient's
            // mail from its filter): a relay service on the sender's side,
            // unless the recipient's own domain (a forwarder).
            bool list_elsewhere = sides.list_headers && !list_in_chain && !list_done;
            // A system the next one fetched the message from (POP3, IMAP:
            // fetchmail's "by localhost with POP3") held the recipient's
            // mailbox: it did not send the message on.
            const bool fetched = k + 1 < runs.size() && fetched_stamp(t.hops[runs[k + 1].first].fields);
            bool sends_on =
                k + 1 < runs.size() && sides.links[runs[k + 1].first].kind == LinkKind::Crossing && !fetched;
            // After the sender's Microsoft 365 tenant, a system that hands the
            // message to a security gateway or back to Microsoft 365 is the
            // tenant's own route out (an outbound connector to its servers).
            if (ms_seen && !recipient_domain && sends_on &&
                (runs[k + 1].kind == RunKind::Gateway || runs[k + 1].kind == RunKind::Microsoft)) {
                each(kLocal, entry.why + "; Microsoft 365 handed the sender's mail to it and it passed it to " +
                                 target_words(k + 1) + ": the sender's own route out of its tenant");
                continue;
            }
            bool from_own = k > 0 && (t.hops[r.first - 1].role == kLocal || t.hops[r.first - 1].role == kOrigin);
            // A system that recorded its authentication checks of the message
            // (Authentication-Results under its own name) checked it as a
            // receiver: the recipient's gateway, not the sender's relay.
            const std::optional<std::string> checked_by = from_own && sends_on ? checked_as_receiver(r) : std::nullopt;
            // A system that took the message for one address and whose
            // successor took it for another forwarded it (a recipient's
            // forwarding address), which no relay of the sender's does.
            std::optional<std::string> forwarded;
            if (from_own && sends_on && !sides.list_headers) {  // a list's own expansion is the list's
                const auto& took_for = t.hops[r.first].fields.for_;
                const auto& next_for = t.hops[runs[k + 1].first].fields.for_;
                if (took_for && next_for && !iequals(*took_for, *next_for))
                    forwarded = concat({"it took the message for ", *took_for, " and ", target_words(k + 1),
                                        " took it for ", *next_for, ": a forwarder on the recipient's side"});
            }
            if (from_own && !recipient_domain && !list_elsewhere && sends_on && !checked_by && !forwarded &&
                runs[k + 1].kind != RunKind::Microsoft) {
                each(kSender, entry.why + "; it sent the message on to " + target_words(k + 1) +
                                  ": a relay service on the sender's side");
                // Its hops of the sender's own organisation are the sender's own way out.
                for (std::size_t i = r.first; i <= r.last; ++i)
                    if (sys[i].org)
                        if (auto j = own_org_hop(*sys[i].org, r.first)) {
                            t.hops[i].evidence.clear();
                            set_role(t.hops[i], kLocal,
                                     concat({"a host of ", *sys[i].org, ", the sender's own as at ",
                                             hop_ref(t.hops[*j]), ": its own way out"}));
                        }
                provider_seen = true;
                continue;
            }
            // Past a security gateway, whose the gateway was (the sender's
            // outbound filter, or the recipient's inbound one taking mail
            // straight from the internet) the chain does not always show:
            // the first system past it, on the recipient's side.
            const bool past_gateway = gateway_seen && (!provider_seen || gateway_after_provider) && !ms_seen;
            std::string why = entry.why + (past_gateway ? ": the recipient's first system past the security gateway"
                                                        : ": the first receiver outside the sender's systems");
            if (checked_by && from_own && sends_on)
                why += concat({" (it checked the message as a receiver: Authentication-Results by ", *checked_by, ")"});
            if (forwarded) why += " (" + *forwarded + ")";
            if (same_name_as)
                why += concat({" (", or_text(r.org, "?"), " is the name of the recipient's domain ", *same_name_as,
                               " under another suffix, and hands the message straight to it)"});
            if (provider_seen)
                why += " (after the sender's provider)";
            else if (ms_seen)
                why += " (after Microsoft 365)";

            enter_recipient(why);
            continue;
        }
        // A chain that starts at a system of another organisation than the
        // sender's and goes from it straight to the recipient's, on mail
        // with list headers naming no organisation in the chain: the list
        // server, where the message was posted (Mailman's web archive) or
        // made (a digest).
        // So does one whose From the list rewrote to its own address
        // ("Jane via USRP-users" <usrp-users@lists.ettus.com>): that From
        // names the list, not the sender.
        const bool from_is_list =
            sides.list && t.from && org_of_address(*t.from) == sides.list && sides.sender_orgs.empty();
        if (k == 0 && k + 1 < runs.size() && sides.list_headers && !list_in_chain && !list_done && r.org &&
            !sides.is_sender_org(r.org) && (!sides.sender_orgs.empty() || from_is_list) && runs[k + 1].org &&
            std::ranges::find(sides.recipient_orgs, *runs[k + 1].org) != sides.recipient_orgs.end()) {
            set_role(
                t.hops[r.first], kList,
                from_is_list
                    ? concat({"the message carries list headers, its From is the list's own address (", *sides.list,
                              "), and it starts here and goes to the recipient's: the list server"})
                    : concat({"the message carries list headers naming no organisation in the chain, and starts "
                              "here, at a system that is not the sender's (",
                              sides.sender_orgs.front(), "), which hands it to the recipient's: the list server"}));
            for (std::size_t i = r.first + 1; i <= r.last; ++i)
                set_role(t.hops[i], kList, "the list's side since " + hop_ref(t.hops[r.first]));
            list_done = true;
            recipient = true;
            recipient_why = "sent on by the list from " + hop_ref(t.hops[r.last]);
            continue;
        }
        // The sender's own systems: the device that wrote the first stamps, then its relays.
        std::size_t i = r.first;
        if (k == 0)
            for (; i <= r.last && (i == 0 || t.hops[i - 1].role == kOrigin); ++i) {
                auto why = self_stamp(t.hops[i]);
                if (!why) break;
                set_role(t.hops[i], kOrigin, *why);
            }
        // The device's first server, run by the network it connected from
        // (its reverse name spells the address out: a home ISP's smarthost,
        // mail104.syd.optusnet.com.au for pa49-180-183-60.pa.nsw.optusnet.com.au):
        // the sender's provider, not its own.
        std::optional<std::string> access_network;
        if (i > r.first && i <= r.last) {
            const auto& from = t.hops[i].fields.from;
            if (from.rdns && from.ip && access_line_name(*from.rdns, from.ip)) access_network = org_of_name(*from.rdns);
        }
        for (; i <= r.last; ++i) {
            Hop& h = t.hops[i];
            const Link& link = sides.links[i];
            if (access_network && sys[i].org == access_network && !sides.is_sender_org(sys[i].org) &&
                !authenticated_submission(h.fields)) {
                set_role(h, kSender,
                         concat({"the device's first server, of ", *access_network, ", the network it connected from (",
                                 *h.fields.from.rdns, " [", *h.fields.from.ip, "]): the sender's provider"}));
                provider_seen = true;
                continue;
            }
            if (const auto& own = own_evidence(i))
                set_role(h, kLocal, *own);
            else if (i == why_hop)
                set_role(h, kLocal, *own_why);
            else if (link.kind == LinkKind::Joined)
                set_role(h, kLocal, link.why);
            else
                // A hop of another domain joined to the run: the same site, not r.org.
                set_role(h, kLocal,
                         sys[i].org && r.org && *sys[i].org != *r.org
                             ? concat({"inside the same site as ", hop_ref(t.hops[why_hop]), " (", *own_why, ")"})
                             : concat({"inside ", or_text(r.org, "the same system"), " with ", hop_ref(t.hops[why_hop]),
                                       " (", *own_why, ")"}));
        }
        if (!crossed && !entry.why.empty()) {
            static constexpr std::string_view kOwn = ": the sender's own system";
            std::string_view front = t.hops[r.first].evidence.front();
            // Said once: the entry's words are not added where the role's own
            // evidence already says them (the same user rule, or the same
            // words as the sender's own system).
            const bool said = (front.size() == entry.why.size() + kOwn.size() && front.starts_with(entry.why) &&
                               front.ends_with(kOwn)) ||
                              entry.why.starts_with(front);
            if (!said) t.hops[r.first].evidence.push_back(entry.why);
        }
        if (k > 0 && crossed && entry.why.find("hand-over") != std::string::npos)
            t.hops[r.first].evidence.push_back("after the " + entry.why.substr(0, entry.why.find(':')));
    }

    for (std::size_t i = 0; i < n; ++i) {
        Hop& h = t.hops[i];
        const auto& f = h.fields;
        h.org = sys[i].org;
        bool named = f.by.host || f.by.ip || f.from.host || f.from.ip || f.from.helo || f.from.rdns;
        if (!named && !h.org) {
            // A neighbour that names this system only by a HELO its receiver
            // could not confirm ("unknown (helo x)"): said, not taken.
            std::optional<std::string> claimed;
            if (i + 1 < n && helo_only_claim(t.hops[i + 1].fields.from) && t.hops[i + 1].fields.from.helo)
                claimed = concat({hop_ref(t.hops[i + 1]), " names its sender only by the HELO ",
                                  *t.hops[i + 1].fields.from.helo,
                                  ", for whose address its receiver recorded no reverse name"});
            // qmail's own stamp after the one its SMTP daemon wrote ("qmail
            // 18217 invoked from network" over "from localhost by localhost
            // with SMTP"): handed on inside that system, whatever its name.
            if (i > 0 && qmail_invoked(f) && t.hops[i - 1].role != std::string_view("unknown")) {
                h.role = t.hops[i - 1].role;
                h.evidence.assign({concat(
                    {"qmail's own stamp, naming no system: handed on inside ", hop_ref(t.hops[i - 1]), "'s system"})});
            } else if (auto own = self_stamp(h); i == 0 && own) {
                // The first stamp, written on the sending host itself
                // ("qmail invoked by uid 99"): the sending device, of no
                // organisation the headers prove.
                h.role = kOrigin;
                h.evidence.assign({*own});
                if (claimed) h.evidence.push_back(*claimed);
            } else {
                h.role = "unknown";
                h.evidence.assign({claimed ? "the stamp names no host and no address; " + *claimed
                                           : std::string("the stamp names no host and no address, and no "
                                                         "neighbouring stamp names an organisation for it")});
            }
        }
        if (h.org && !sys[i].org_note.empty()) h.evidence.push_back(concat({"org ", *h.org, ": ", sys[i].org_note}));
        if (h.role == kSender && sys[i].login_at_mx) {
            h.evidence.emplace_back(
                (!esmtp_login(f) && gmail_submission_id(f) ? "id " + *f.id + " (Gmail's form for a client's submission)"
                                                           : "with " + f.with.value_or("an authenticated login")) +
                ": the sender logged in to submit it, so this is the sender's provider, not its inbound MX");
        }
    }
}

}  // namespace hopscope
