#include "classify/hop_classifier.hh"

#include "classify/handover.hh"
#include "classify/relay_verdict.hh"
#include "classify/roles.hh"
#include "classify/systems.hh"
#include "input/header_block.hh"
#include "parse/security_headers.hh"

namespace hopscope {
namespace {

// The tenants the message passed: one per run of Microsoft's hops between
// tenant hand-overs, with its side and, where the headers name it, its id.
std::vector<TenantRun> tenants(const Trace& t, const std::vector<System>& sys, const Sides& sides) {
    const std::size_t n = t.hops.size();
    const auto& group = sides.tenant_group;
    thread_local std::vector<std::size_t> first;  // each tenant's first hop (per thread: its storage reused)
    first.clear();
    for (std::size_t i = 0; i < n; ++i)
        if (group[i] >= 0 && static_cast<std::size_t>(group[i]) == first.size()) first.push_back(i);
    std::vector<TenantRun> out(first.size());
    if (out.size() >= 2) {
        out.front().side = "sender";
        out.back().side = "recipient";
    } else if (out.size() == 1) {
        auto entity = find_signal(t, "X-MS-Exchange-CrossTenant-FromEntityHeader");
        auto as = find_signal(t, "X-MS-Exchange-Organization-AuthAs");
        if (!as) as = find_signal(t, "X-MS-Exchange-CrossTenant-AuthAs");
        // A tenant that took the message in from outside and sent a copy on
        // (a mailbox's forwarding) is the recipient's, not the sender's.
        if (sent_on_out(t, sides, first[0]) && last_pass_incoming(t) &&
            t.hops[first[0]].fields.with.value_or("") != "mapi")
            out[0].side = "recipient";
        else if (senders_tenant(t, sys, sides) || (entity && !iequals(*entity, "Internet")) ||
                 t.hops[first[0]].fields.with.value_or("") == "mapi")
            out[0].side = "sender";
        else if ((entity && iequals(*entity, "Internet")) || (as && iequals(*as, "Anonymous")))
            out[0].side = "recipient";
    }
    if (out.empty()) return out;
    // X-MS-Exchange-CrossTenant-Id belongs to the tenant whose server
    // authenticated the sender (CrossTenant-AuthSource), else the last one.
    if (auto id = find_signal(t, "X-MS-Exchange-CrossTenant-Id")) {
        std::size_t which = out.size() - 1;
        if (auto source = find_signal(t, "X-MS-Exchange-CrossTenant-AuthSource"))
            for (std::size_t i = 0; i < n; ++i)
                if (group[i] >= 0 && t.hops[i].fields.by.host && iequals(*t.hops[i].fields.by.host, *source))
                    which = static_cast<std::size_t>(group[i]);
        out[which].id = std::string(*id);
    }
    // The tenant the message was attributed to on entry from that address.
    if (auto attributed = find_signal(t, "X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp")) {
        std::string_view v = *attributed;
        auto at = v.find("TenantId=");
        auto ip = attributed_ip(v);
        if (at != std::string_view::npos && ip) {
            std::string_view id = v.substr(at + 9);
            id = id.substr(0, id.find_first_of("; "));
            for (std::size_t k = 0; k < first.size(); ++k)
                if (!out[k].id && t.hops[first[k]].fields.from.ip == *ip && !id.empty()) out[k].id = std::string(id);
        }
    }
    return out;
}

}  // namespace

namespace {

void classify_chain(Trace& t, const RuleSet& rules) {
    for (auto& h : t.hops) {
        h.role = "unknown";
        h.org.reset();
        h.evidence.clear();
        h.evidence.reserve(2);  // a hop's role evidence and its org, mostly
    }
    // Read only while the trace is classified (what the trace keeps is
    // copied or moved from them): per thread, so their storage is reused.
    thread_local std::vector<std::optional<RuleMatch>> by_match;
    thread_local std::vector<System> sys;
    thread_local Sides sides;
    who_wrote(t.hops, rules, by_match, sys);       // (a) who wrote each stamp
    find_sides(t, sys, rules, sides);              // (b) where it changed hands
    assign_roles(t, sys, sides, by_match, rules);  // (c) roles per run
    leave_cut_stamps_unknown(t);                   //     but for stamps cut short,
    note_unstamped_systems(t, rules);              //     and the hand-overs no stamp records
    decide_relay(t, sys, sides, rules);            // (d) the verdict

    // The chain read as a story: runs of one organisation in one role, cut
    // again where the message changed hands (two Microsoft 365 tenants).
    const std::vector<TenantRun> tenant = tenants(t, sys, sides);
    const auto& group = sides.tenant_group;
    t.orgs.clear();
    t.orgs.reserve(t.hops.size());  // at most one segment per hop
    for (std::size_t i = 0; i < t.hops.size(); ++i) {
        const Hop& h = t.hops[i];
        Link& link = sides.links[i];
        bool crossing = link.kind == LinkKind::Crossing;
        if (t.orgs.empty() || t.orgs.back().org != h.org || t.orgs.back().role != h.role || crossing) {
            t.orgs.push_back({h.org, h.role, h.index, h.index, std::nullopt, std::nullopt, std::nullopt});
            if (crossing) t.orgs.back().handover = std::move(link.why);  // decide_relay has read the links
            if (group[i] >= 0) t.orgs.back().tenant = tenant[static_cast<std::size_t>(group[i])];
        }
        OrgSegment& o = t.orgs.back();
        o.last_hop = h.index;
        // A list run names a list service only (Google's hosts carrying a
        // Google Groups list are not "Gmail").
        bool named_service = h.role != "eop" && h.role != "exchange-online" && sys[i].service != nullptr &&
                             !sys[i].service->product.empty() &&
                             (h.role != std::string_view("mailing-list") || family(sys[i]) == Family::List);
        if (named_service && !o.service) o.service = sys[i].service->product;
    }
}

}  // namespace

void classify(Trace& t, const RuleSet& rules) {
    const std::size_t again = t.sent_again_at;
    if (again == 0 || again >= t.hops.size()) {
        classify_chain(t, rules);
        return;
    }
    // An earlier delivery, then the message sent again from another system:
    // two stories, each read from its own start; the relay answer is about
    // the sending again.
    Trace earlier;
    earlier.from = t.from;
    earlier.to = t.to;
    earlier.hops.assign(std::make_move_iterator(t.hops.begin()),
                        std::make_move_iterator(t.hops.begin() + static_cast<std::ptrdiff_t>(again)));
    t.hops.erase(t.hops.begin(), t.hops.begin() + static_cast<std::ptrdiff_t>(again));
    classify_chain(earlier, rules);
    classify_chain(t, rules);
    const std::string note =
        "an earlier delivery of the message, before it was sent again at " + hop_ref(t.hops.front());
    for (auto& h : earlier.hops) h.evidence.insert(h.evidence.begin(), note);
    if (!t.orgs.empty()) {
        auto& first = t.orgs.front().handover;
        first = "sent again at " + hop_ref(t.hops.front()) + ", after an earlier delivery" +
                (first ? "; " + *first : std::string());
    }
    t.hops.insert(t.hops.begin(), std::make_move_iterator(earlier.hops.begin()),
                  std::make_move_iterator(earlier.hops.end()));
    t.orgs.insert(t.orgs.begin(), std::make_move_iterator(earlier.orgs.begin()),
                  std::make_move_iterator(earlier.orgs.end()));
    for (auto& a : earlier.anomalies) t.anomalies.push_back(std::move(a));
}

}  // namespace hopscope
