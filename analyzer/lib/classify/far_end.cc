#include "classify/far_end.hh"

#include <algorithm>
#include <vector>

#include "classify/data_table.hh"
#include "classify/network.hh"
#include "classify/public_suffix.hh"
#include "classify/role_rules.hh"  // kMicrosoft365
#include "input/header_block.hh"   // iequals
#include "parse/security_headers.hh"

namespace hopscope {
namespace {

struct Hint {
    std::string_view id;
    std::string_view severity;
    std::string_view message;
    std::string_view hint;
    std::string source;
};

struct Tables {
    std::vector<Hint> hints;
    std::vector<Network> eop_outbound;
    std::vector<Network> relay_pool;
};

const Tables& tables() {
    static const Tables t = [] {
        Tables out;
        DataTable d(far_end_hints_text());
        for (const auto& row : d.rows()) {
            if (row.kind == "hint" && row.cells.size() >= 5)
                out.hints.push_back({row.cells[0], row.cells[1], row.cells[2], row.cells[3], d.cite(row.cells[4])});
            if (row.kind == "net" && row.cells.size() >= 2)
                if (auto n = Network::parse(row.cells[1]))
                    (row.cells[0] == "relay-pool" ? out.relay_pool : out.eop_outbound).push_back(*n);
        }
        return out;
    }();
    return t;
}

bool in(const std::vector<Network>& nets, const std::optional<std::string>& ip) {
    if (!ip) return false;
    IpKey k = IpKey::parse(*ip);
    return std::any_of(nets.begin(), nets.end(), [&](const Network& n) { return n.contains(k); });
}

// `s` in lower case, without a trailing '.', '>' or ' ', into `out`.
void lower_into(std::string& out, std::string_view s) {
    out.assign(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    while (!out.empty() && (out.back() == '.' || out.back() == '>' || out.back() == ' ')) out.pop_back();
}

std::string lower(std::string_view s) {
    std::string out;
    lower_into(out, s);
    return out;
}

// The domain of an address ("NAS01 <alerts@tailspin.example>", "@x.example",
// "bounces+SRS=ab=12@contoso.com"), lower case.
std::optional<std::string> domain_of(std::string_view address) {
    auto lt = address.rfind('<');
    if (lt != std::string_view::npos) {
        address = address.substr(lt + 1);
        address = address.substr(0, address.find('>'));
    }
    auto at = address.rfind('@');
    std::string d = lower(at == std::string_view::npos ? address : address.substr(at + 1));
    while (!d.empty() && d.front() == ' ') d.erase(0, 1);
    if (d.empty() || d.find('.') == std::string::npos) return std::nullopt;
    return d;
}

// Does `text` name `ip` as a whole address (not inside a longer one)?
bool names_ip(std::string_view text, std::string_view ip) {
    auto part = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '.' || c == ':'; };
    for (auto at = text.find(ip); at != std::string_view::npos; at = text.find(ip, at + 1)) {
        bool start = at == 0 || !part(text[at - 1]);
        bool end = at + ip.size() == text.size() || !part(text[at + ip.size()]);
        if (start && end) return true;
    }
    return false;
}

std::string org_domain(const std::string& domain) {
    return PublicSuffixList::instance().registrable_domain(domain).value_or(domain);
}

std::string fill(std::string_view text, const std::vector<std::pair<std::string_view, std::string>>& values) {
    std::string out;
    while (!text.empty()) {
        auto open = text.find('{');
        out += text.substr(0, open);
        if (open == std::string_view::npos) break;
        text = text.substr(open);
        bool done = false;
        for (const auto& [key, value] : values)
            if (text.size() > key.size() + 1 && text[key.size() + 1] == '}' && text.substr(1, key.size()) == key) {
                out += value;
                text.remove_prefix(key.size() + 2);
                done = true;
                break;
            }
        if (!done) {
            out.push_back('{');
            text.remove_prefix(1);
        }
    }
    return out;
}

// The hop where the message reached a receiver from Microsoft 365: the
// newest whose sender is Microsoft's outbound server, or whose receiver's
// organisation follows a Microsoft 365 one.
std::optional<std::size_t> hand_over(const Trace& t) {
    for (std::size_t k = t.hops.size(); k-- > 0;) {
        const Hop& h = t.hops[k];
        std::string_view host = h.fields.from.host ? std::string_view(*h.fields.from.host) : std::string_view();
        while (!host.empty() && (host.back() == '.' || host.back() == '>' || host.back() == ' ')) host.remove_suffix(1);
        constexpr std::string_view kOutbound = ".outbound.protection.outlook.com";
        bool outbound =
            host.size() >= kOutbound.size() && iequals(host.substr(host.size() - kOutbound.size()), kOutbound);
        bool leaves = k > 0 && t.hops[k - 1].org == kMicrosoft365 && h.org && *h.org != kMicrosoft365;
        if (outbound || leaves) return k;
    }
    return std::nullopt;
}

const AuthResult* first(const AuthenticationResults& ar, std::string_view method) {
    for (const auto& r : ar.results)
        if (r.method == method) return &r;
    return nullptr;
}

// A property's value, without the quotes a value with '=' or '+' may carry
// (smtp.mailfrom="bounces+SRS=...").
std::optional<std::string_view> prop(const AuthResult& r, std::string_view key) {
    for (const auto& [k, v] : r.properties)
        if (k == key) {
            std::string_view value = v;
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
                value = value.substr(1, value.size() - 2);
            return value;
        }
    return std::nullopt;
}

std::string spf_words(std::string_view result, const std::string& domain) {
    if (result == "fail") return "SPF fails for " + domain;
    if (result == "softfail") return "SPF soft-fails for " + domain;
    if (result == "neutral") return "SPF is neutral for " + domain;
    if (result == "none") return domain + " publishes no SPF record (spf=none)";
    if (result == "permerror") return "the SPF record of " + domain + " is broken (spf=permerror)";
    if (result == "temperror") return "SPF could not be checked for " + domain + " (spf=temperror, a DNS error)";
    return "SPF is " + std::string(result) + " for " + domain;
}

}  // namespace

std::vector<std::string> far_end_hint_ids() {
    std::vector<std::string> ids;
    for (const auto& h : tables().hints) ids.emplace_back(h.id);
    return ids;
}

std::optional<FarEnd> assess_far_end(const Trace& t) {
    auto k = hand_over(t);
    if (!k) return std::nullopt;
    // The far end's own results: of the Authentication-Results (topmost
    // first), then the ARC copies (highest instance first), the first that
    // names the address the far end received the message from. The others
    // are older: Microsoft's own, of the message's way in.
    std::vector<std::pair<int, const SignalHeader*>> arc;
    std::vector<const SignalHeader*> candidates;
    for (const auto& s : t.signals) {
        if (iequals(s.name, "Authentication-Results")) candidates.push_back(&s);
        if (iequals(s.name, "ARC-Authentication-Results")) arc.emplace_back(arc_instance(s.value).value_or(0), &s);
    }
    std::stable_sort(arc.begin(), arc.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
    for (const auto& a : arc) candidates.push_back(a.second);
    const auto& handover_ip = t.hops[*k].fields.from.ip;
    const SignalHeader* chosen = nullptr;
    std::string ip_text;
    if (handover_ip) lower_into(ip_text, *handover_ip);
    thread_local std::string text;  // each candidate in lower case, in one buffer per thread
    for (const SignalHeader* c : candidates) {
        if (handover_ip) lower_into(text, c->value);
        if (!handover_ip || names_ip(text, ip_text)) {
            chosen = c;
            break;
        }
    }
    if (chosen == nullptr) return std::nullopt;
    AuthenticationResults ar = parse_authentication_results(chosen->name, chosen->value);
    // A receiver may write one Authentication-Results per check (its DKIM,
    // DMARC and SPF milters each add their own): the far end's results are
    // all of those its authserv-id wrote.
    if (ar.authserv_id && iequals(chosen->name, "Authentication-Results"))
        for (const SignalHeader* c : candidates) {
            if (c == chosen || !iequals(c->name, "Authentication-Results") ||
                c->value.find(*ar.authserv_id) == std::string::npos)
                continue;
            AuthenticationResults more = parse_authentication_results(c->name, c->value);
            if (!more.authserv_id || !iequals(*more.authserv_id, *ar.authserv_id)) continue;
            for (auto& r : more.results) ar.results.push_back(std::move(r));
        }
    FarEnd fe;
    fe.header =
        iequals(chosen->name, "Authentication-Results") ? "Authentication-Results" : "ARC-Authentication-Results";
    if (ar.authserv_id) fe.authserv_id = std::string(*ar.authserv_id);
    fe.hop = t.hops[*k].index;
    fe.sender_ip = t.hops[*k].fields.from.ip;

    const AuthResult* spf = first(ar, "spf");
    const AuthResult* dmarc = first(ar, "dmarc");
    if (dmarc != nullptr)
        if (auto hf = prop(*dmarc, "header.from")) fe.from_domain = domain_of(*hf);
    if (!fe.from_domain && t.from) fe.from_domain = domain_of(*t.from);
    std::optional<std::string> from_org;
    if (fe.from_domain) from_org = org_domain(*fe.from_domain);
    auto aligned = [&](const std::optional<std::string>& d) -> std::optional<bool> {
        if (!d || !from_org) return std::nullopt;
        return org_domain(*d) == *from_org;
    };

    if (spf != nullptr) {
        if (auto mf = prop(*spf, "smtp.mailfrom")) fe.envelope = std::string(*mf);
        std::optional<std::string> d = fe.envelope ? domain_of(*fe.envelope) : std::nullopt;
        if (!d)
            if (auto helo = prop(*spf, "smtp.helo")) d = domain_of(*helo);
        fe.spf = FarEndCheck{"spf", std::string(spf->result), d, aligned(d)};
    }
    if (!fe.envelope)
        if (auto rp = find_signal(t, "Return-Path")) {
            std::string_view v = *rp;
            while (!v.empty() && (v.front() == ' ' || v.front() == '<')) v.remove_prefix(1);
            while (!v.empty() && (v.back() == ' ' || v.back() == '>')) v.remove_suffix(1);
            if (!v.empty()) fe.envelope = std::string(v);
        }
    for (const auto& r : ar.results) {
        if (r.method != "dkim") continue;
        std::optional<std::string> d;
        if (auto hd = prop(r, "header.d"); hd && *hd != "none") d = lower(*hd);
        if (!d)
            if (auto hi = prop(r, "header.i")) d = domain_of(*hi);
        if (!d && r.result == "none") continue;  // dkim=none (message not signed): no signature
        fe.dkim.push_back({"dkim", std::string(r.result), d, aligned(d)});
    }
    if (dmarc != nullptr) fe.dmarc = FarEndCheck{"dmarc", std::string(dmarc->result), fe.from_domain, std::nullopt};

    // The findings, in the table's order.
    std::string from = fe.from_domain.value_or("the From domain");
    std::string ip = fe.sender_ip.value_or("?");
    auto add = [&](std::string_view id, const std::string& domain, const std::string& detail) {
        for (const auto& h : tables().hints)
            if (h.id == id) {
                std::vector<std::pair<std::string_view, std::string>> values = {
                    {"ip", ip}, {"domain", domain}, {"from", from}, {"detail", detail}};
                fe.findings.push_back({std::string(h.id), std::string(h.severity), fill(h.message, values),
                                       fill(h.hint, values), h.source});
                return;
            }
    };
    bool pool = in(tables().relay_pool, fe.sender_ip);
    std::string spf_domain = fe.spf && fe.spf->domain ? *fe.spf->domain : std::string("the envelope sender's domain");
    if (fe.spf && fe.spf->result != "pass" && !pool && in(tables().eop_outbound, fe.sender_ip))
        add("spf-eop-not-included", spf_domain, spf_words(fe.spf->result, spf_domain));
    if (pool) add("relay-pool", spf_domain, "");
    std::vector<std::string> passing;
    for (const auto& d : fe.dkim)
        if (d.result == "pass" && d.domain) passing.push_back(*d.domain);
    bool custom_from = fe.from_domain && !fe.from_domain->ends_with(".onmicrosoft.com");
    if (!passing.empty() && custom_from && std::all_of(passing.begin(), passing.end(), [](const std::string& d) {
            return d.ends_with(".onmicrosoft.com");
        }))
        add("dkim-onmicrosoft-only", passing.front(), "");
    if (fe.envelope) {
        std::string local = lower(fe.envelope->substr(0, fe.envelope->rfind('@')));
        if (local.starts_with("bounces+srs=") || local.starts_with("<bounces+srs="))
            add("srs-rewritten", domain_of(*fe.envelope).value_or("?"), *fe.envelope);
    }
    if (fe.dmarc) {
        // Which identifier carried DMARC, or why neither did.
        std::vector<std::string> parts;
        if (fe.spf) {
            std::string d = fe.spf->domain.value_or("an unknown domain");
            if (fe.spf->result != "pass")
                parts.push_back("SPF " + fe.spf->result + " for " + d);
            else if (fe.spf->aligned.value_or(false))
                parts.push_back("SPF passes for " + d + ", aligned with " + from);
            else
                parts.push_back("SPF passes for " + d + ", which is not aligned with " + from);
        } else {
            parts.emplace_back("no SPF result");
        }
        if (fe.dkim.empty()) parts.emplace_back("no DKIM signature");
        for (const auto& d : fe.dkim) {
            std::string dd = "d=" + d.domain.value_or("?");
            if (d.result != "pass")
                parts.push_back("DKIM " + d.result + " for " + dd);
            else if (d.aligned.value_or(false))
                parts.push_back("DKIM passes for " + dd + ", aligned with " + from);
            else
                parts.push_back("DKIM passes for " + dd + ", which is not aligned with " + from);
        }
        std::string detail;
        for (const auto& p : parts) detail += (detail.empty() ? "" : "; ") + p;
        if (fe.dmarc->result == "fail") add("dmarc-fail", spf_domain, detail);
        if (fe.dmarc->result == "pass") add("dmarc-pass", spf_domain, detail);
    }
    return fe;
}

}  // namespace hopscope
