#include "classify/role_rules.hh"

#include <algorithm>
#include <array>
#include <atomic>
#include <sstream>

#include "classify/mail_services.hh"
#include "classify/microsoft_ranges.hh"
#include "input/header_block.hh"
#include "parse/ip_address.hh"

namespace hopscope {
namespace {

struct BuiltinRule {
    const char* id;
    Family family;
    MatchKind kind;
    const char* pattern;
    const char* evidence;
};

// Order matters: the first match wins, specific before general. The mail
// services (gateways, providers, lists, MXs) follow these, from
// analyzer/data/mail-services.txt.
constexpr std::array<BuiltinRule, 29> kBuiltin = {{
    {"eop-protection-host", Family::Eop, MatchKind::ByHost, "*.mail.protection.outlook.com", ""},
    {"eop-regional-host", Family::Eop, MatchKind::ByHost, "*.eop-*.prod.protection.outlook.com", ""},
    {"eop-outbound-host", Family::Eop, MatchKind::ByHost, "*.outbound.protection.outlook.com", ""},
    {"eop-protection-any", Family::Eop, MatchKind::ByHost, "*.protection.outlook.com", ""},
    {"eop-pepf-frontend", Family::Eop, MatchKind::ByHost, "*pepf*.prod.outlook.com",
     "by-host is an EOP front end (PEPF name) in *.prod.outlook.com"},
    {"eop-ft-frontend", Family::Eop, MatchKind::ByHost, "*ft###.*.prod.outlook.com",
     "by-host is an EOP front end (FT name) in *.prod.outlook.com"},
    {"eop-ft-frontend-v2", Family::Eop, MatchKind::ByHost, "*ft####.*.prod.outlook.com",
     "by-host is an EOP front end (FT name) in *.prod.outlook.com"},
    {"exo-frontend-host", Family::ExchangeOnline, MatchKind::ByHost, "*.outlook.office365.com", ""},
    {"exo-submission-host", Family::ExchangeOnline, MatchKind::ByHost, "smtp.office365.com", ""},
    {"exo-prod-host", Family::ExchangeOnline, MatchKind::ByHost, "*.prod.outlook.com", ""},
    {"exo-exchangelabs-host", Family::ExchangeOnline, MatchKind::ByHost, "*.prod.exchangelabs.com", ""},
    {"exo-outlook-host", Family::ExchangeOnline, MatchKind::ByHost, "*.outlook.com", ""},
    {"eop-outbound-sender", Family::Eop, MatchKind::FromHost, "*.outbound.protection.outlook.com",
     "sender is EOP's outbound service (*.outbound.protection.outlook.com)"},
    // Microsoft 365 for the US Government (GCC High, DoD): the same services
    // under office365.us (Microsoft Learn, "Microsoft 365 U.S. Government GCC
    // High endpoints"; corpus: USG02-CY1-obe.outbound.protection.office365.us).
    {"eop-gov-protection-host", Family::Eop, MatchKind::ByHost, "*.protection.office365.us",
     "by-host is EOP for the US Government cloud (*.protection.office365.us)"},
    {"exo-gov-host", Family::ExchangeOnline, MatchKind::ByHost, "*.office365.us",
     "by-host is Exchange Online for the US Government cloud (*.office365.us)"},
    {"eop-outbound-sender-gov", Family::Eop, MatchKind::FromHost, "*.outbound.protection.office365.us",
     "sender is EOP's outbound service for the US Government cloud (*.outbound.protection.office365.us)"},
    // Office 365 operated by 21Vianet (China): the same services under
    // partner.outlook.cn (Microsoft Learn, "Office 365 API endpoints operated
    // by 21Vianet": partner.outlook.cn is its Outlook host; corpus:
    // CHN02-BJS-obe.outbound.protection.partner.outlook.cn,
    // SHXPR01MB0623.CHNPR01.prod.partner.outlook.cn).
    {"eop-cn-protection-host", Family::Eop, MatchKind::ByHost, "*.protection.partner.outlook.cn",
     "by-host is EOP of Office 365 operated by 21Vianet (*.protection.partner.outlook.cn)"},
    {"exo-cn-host", Family::ExchangeOnline, MatchKind::ByHost, "*.partner.outlook.cn",
     "by-host is Exchange Online of Office 365 operated by 21Vianet (*.partner.outlook.cn)"},
    {"eop-outbound-sender-cn", Family::Eop, MatchKind::FromHost, "*.outbound.protection.partner.outlook.cn",
     "sender is EOP's outbound service of Office 365 operated by 21Vianet "
     "(*.outbound.protection.partner.outlook.cn)"},
    {"private-10", Family::Internal, MatchKind::FromIp, "10.0.0.0/8", ""},
    {"private-172", Family::Internal, MatchKind::FromIp, "172.16.0.0/12", ""},
    {"private-192", Family::Internal, MatchKind::FromIp, "192.168.0.0/16", ""},
    {"loopback-v4", Family::Internal, MatchKind::FromIp, "127.0.0.0/8", ""},
    {"link-local-v4", Family::Internal, MatchKind::FromIp, "169.254.0.0/16", ""},
    {"cgnat", Family::Internal, MatchKind::FromIp, "100.64.0.0/10", ""},
    {"loopback-v6", Family::Internal, MatchKind::FromIp, "::1/128", ""},
    {"link-local-v6", Family::Internal, MatchKind::FromIp, "fe80::/10", ""},
    {"unique-local-v6", Family::Internal, MatchKind::FromIp, "fc00::/7", ""},
    {"internal-name", Family::Internal, MatchKind::ByHost, "*.local", "by-host ends in .local (an internal name)"},
}};

constexpr std::array<const char*, 5> kInternalSuffixes = {"*.lan", "*.internal", "*.corp", "*.home.arpa", "*.intranet"};

Rule make_rule(std::string id, Family family, MatchKind kind, std::string pattern, std::string evidence) {
    Rule r;
    r.id = std::move(id);
    r.family = family;
    r.kind = kind;
    r.pattern = std::move(pattern);
    r.evidence = std::move(evidence);
    return r;
}

const char* kind_name(MatchKind k) {
    switch (k) {
        case MatchKind::ByHost:
            return "by-host";
        case MatchKind::FromHost:
            return "from-host";
        case MatchKind::ByIp:
            return "by-ip";
        case MatchKind::FromIp:
            return "from-ip";
        case MatchKind::With:
            return "with";
    }
    return "?";
}

std::optional<MatchKind> kind_of(std::string_view s) {
    for (auto k : {MatchKind::ByHost, MatchKind::FromHost, MatchKind::ByIp, MatchKind::FromIp, MatchKind::With})
        if (s == kind_name(k)) return k;
    return std::nullopt;
}

std::optional<Family> family_of(std::string_view s) {
    for (auto f : {Family::Eop, Family::ExchangeOnline, Family::Provider, Family::Internal, Family::Relay,
                   Family::Gateway, Family::List, Family::Mx})
        if (s == family_name(f)) return f;
    return std::nullopt;
}

bool is_ip_kind(MatchKind k) {
    return k == MatchKind::ByIp || k == MatchKind::FromIp;
}

std::string describe(const Rule& r, std::string_view subject) {
    if (!r.evidence.empty()) return r.evidence;
    // The usual texts in one allocation each.
    std::string out;
    auto product = [&] {
        if (!r.product.empty()) out.append(" (").append(r.product).append(")");
    };
    switch (r.kind) {
        case MatchKind::ByHost:
            out.reserve(19 + r.pattern.size() + r.product.size());
            out.append("by-host matches ").append(r.pattern);
            product();
            return out;
        case MatchKind::FromHost:
            out.reserve(16 + subject.size() + r.pattern.size());
            out.append("sender ").append(subject).append(" matches ").append(r.pattern);
            return out;
        case MatchKind::ByIp:
            out.reserve(19 + subject.size() + r.pattern.size() + r.product.size());
            out.append("receiver ").append(subject).append(" is in ").append(r.pattern);
            product();
            return out;
        case MatchKind::FromIp: {
            std::string_view what = r.id.starts_with("private")      ? "a private address"
                                    : r.id.starts_with("loopback")   ? "a loopback address"
                                    : r.id.starts_with("link-local") ? "a link-local address"
                                    : r.id == "cgnat"                ? "a carrier-grade NAT address"
                                    : r.id == "unique-local-v6"      ? "a unique-local IPv6 address"
                                                                     : "";
            out.reserve(14 + subject.size() + std::max(what.size(), r.pattern.size()));
            out.append("sender ").append(subject).append(" is ");
            if (what.empty())
                out.append("in ").append(r.pattern);
            else
                out.append(what);
            return out;
        }
        case MatchKind::With:
            return "protocol is " + r.pattern;
    }
    return {};
}

// host_matches after its tail check: whether the rest of the pattern
// matches the rest of the host.
[[gnu::noinline]] bool host_matches_head(const Rule& r, std::string_view host) {
    const std::size_t t = r.tail.size();
    const std::size_t p = r.pattern.size();
    if (p == t) return host.size() == t;  // a host named in full
    if (p == t + 1) return true;          // "*" and the tail: "*.pphosted.com"
    // The tail can only match the end of the host: the rest of the pattern
    // (which ends with '*') against the rest of the host.
    return host_glob(std::string_view(r.pattern).substr(0, p - t), host.substr(0, host.size() - t));
}

bool host_matches(const Rule& r, std::string_view host) {
    if (r.tail.empty()) return host_glob(r.pattern, host);
    // The literal text after the last '*' must end the host: a cheap no for most hosts.
    if (host.size() < r.tail.size() || !iequals(host.substr(host.size() - r.tail.size()), r.tail)) return false;
    return host_matches_head(r, host);
}

bool matches(const Rule& r, const std::optional<std::string>& host, const IpKey& ip,
             const std::optional<std::string>& with) {
    switch (r.kind) {
        case MatchKind::ByHost:
        case MatchKind::FromHost:
            return host && host_matches(r, *host);
        case MatchKind::ByIp:
        case MatchKind::FromIp:
            return r.network && r.network->contains(ip);
        case MatchKind::With:
            return with && iequals(*with, r.pattern);
    }
    return false;
}

}  // namespace

std::string RuleMatch::evidence() const {
    return describe(*rule, subject);
}

std::string_view family_name(Family f) {
    switch (f) {
        case Family::Eop:
            return "eop";
        case Family::ExchangeOnline:
            return "exchange-online";
        case Family::Provider:
            return "provider";
        case Family::Internal:
            return "internal";
        case Family::Relay:
            return "relay";
        case Family::Gateway:
            return "gateway";
        case Family::List:
            return "list";
        case Family::Mx:
            return "mx";
    }
    return "?";
}

bool host_glob(std::string_view p, std::string_view h) {
    // The common "*.suffix" pattern: one case-insensitive suffix compare.
    if (p.size() > 1 && p[0] == '*' && p.find_first_of("*?#", 1) == std::string_view::npos)
        return h.size() >= p.size() - 1 && iequals(h.substr(h.size() - (p.size() - 1)), p.substr(1));
    // Iterative matcher with one backtrack point: linear in practice, never exponential.
    std::size_t pi = 0;
    std::size_t hi = 0;
    std::size_t star = std::string_view::npos;
    std::size_t mark = 0;
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    while (hi < h.size()) {
        if (pi < p.size() && p[pi] == '*') {
            if (pi + 1 == p.size()) return true;  // a '*' that ends the pattern takes the rest
            star = pi++;
            mark = hi;
        } else if (pi < p.size() &&
                   (p[pi] == '?' || (p[pi] == '#' && h[hi] >= '0' && h[hi] <= '9') || lower(p[pi]) == lower(h[hi]))) {
            ++pi;
            ++hi;
        } else if (star != std::string_view::npos) {
            pi = star + 1;
            hi = ++mark;
        } else {
            return false;
        }
    }
    while (pi < p.size() && p[pi] == '*') ++pi;
    return pi == p.size();
}

namespace {

constexpr std::string_view kEopOutbound = "eop-outbound-sender";

std::uint64_t next_generation() {
    static std::atomic<std::uint64_t> generations{0};
    return ++generations;
}

}  // namespace

void RuleSet::set_connectors(ConnectorConfig config) {
    generation_ = next_generation();
    connectors_ = std::make_shared<const ConnectorConfig>(std::move(config));
}

Result<bool> RuleSet::add(Rule rule) {
    generation_ = next_generation();
    if (is_ip_kind(rule.kind)) {
        rule.network = Network::parse(rule.pattern);
        if (!rule.network) return make_error("rule " + rule.id + ": '" + rule.pattern + "' is not an address or CIDR");
    }
    if (rule.pattern.empty()) return make_error("rule " + rule.id + ": empty pattern");
    const std::string& p = rule.pattern;
    if (auto star = p.rfind('*'); star != std::string::npos && p.find_first_of("?#", star) == std::string::npos)
        rule.tail = p.substr(star + 1);
    else if ((rule.kind == MatchKind::ByHost || rule.kind == MatchKind::FromHost) &&
             p.find_first_of("*?#") == std::string::npos)
        rule.tail = p;  // a host named in full (smtp.office365.com): filed under its own ending
    rule.user = rule.id.starts_with("user-") || rule.id == "config";
    if (rule.user) ++user_rules_;
    // Rules by kind, each list in trial order: the user's first (the admin
    // knows their own network better than we do), then ours, in table order.
    std::size_t at = rules_.size();
    auto place = [&](std::vector<std::size_t>& order) {
        auto pos = order.end();
        if (rule.user)  // after the last user rule already there
            pos = std::find_if(order.begin(), order.end(), [&](std::size_t i) { return !rules_[i].user; });
        order.insert(pos, at);
    };
    if (!rule.network) place(order_[static_cast<std::size_t>(rule.kind)]);
    if (rule.kind == MatchKind::ByHost || rule.kind == MatchKind::FromHost) {
        auto& buckets = host_index_[rule.kind == MatchKind::ByHost ? 0 : 1];
        if (rule.tail.size() >= kHostKey)
            place(buckets[host_bucket(rule.tail)]);
        else
            for (auto& b : buckets) place(b);
    }
    if (rule.network) {  // by-ip and from-ip rules live in the address index only
        auto& buckets = ip_index_[rule.kind == MatchKind::ByIp ? 0 : 1];
        unsigned bits = rule.network->prefix() >= 8 ? 8U : static_cast<unsigned>(rule.network->prefix());
        unsigned first = rule.network->first_byte() & (0xffU << (8 - bits)) & 0xffU;
        unsigned span = 1U << (8 - bits);
        for (unsigned b = first; b < first + span; ++b) place(buckets[(rule.network->v6() ? 256 : 0) + b]);
    }
    if (rule.id.starts_with(kEopOutbound)) eop_outbound_.push_back(at);
    rules_.push_back(std::move(rule));
    return true;
}

RuleSet RuleSet::builtin() {
    RuleSet set;
    for (const auto& b : kBuiltin) {
        Rule r = make_rule(b.id, b.family, b.kind, b.pattern, b.evidence);
        if (b.family == Family::Eop || b.family == Family::ExchangeOnline) r.org = kMicrosoft365;
        (void)set.add(std::move(r));
    }
    // "FAMILY KIND PATTERN ORG PRODUCT... | SOURCE"
    std::istringstream services{std::string(mail_services_text())};
    std::string line;
    while (std::getline(services, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::string source;
        if (auto bar = line.find('|'); bar != std::string::npos) {
            source = line.substr(bar + 1);
            line.erase(bar);
        }
        std::istringstream words(line);
        std::string fam;
        std::string kind;
        std::string pattern;
        std::string org;
        words >> fam >> kind >> pattern >> org;
        std::string product;
        std::getline(words >> std::ws, product);
        while (!product.empty() && product.back() == ' ') product.pop_back();
        auto f = family_of(fam);
        auto k = kind_of(kind);
        if (!f || !k) continue;
        Rule r = make_rule("service-" + fam, *f, *k, pattern, "");
        r.product = product;
        if (org != "-") r.org = org;
        (void)set.add(std::move(r));
    }
    for (const auto* s : kInternalSuffixes)
        (void)set.add(make_rule("internal-name", Family::Internal, MatchKind::ByHost, s,
                                std::string("by-host ends in ") + (s + 1) + " (an internal name)"));
    std::istringstream ranges{std::string(microsoft_ranges_text())};
    while (std::getline(ranges, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream words(line);
        std::string fam;
        std::string net;
        words >> fam >> net;
        auto f = family_of(fam);
        if (!f) continue;
        std::string where = "Microsoft's published ";
        where.append(fam).append(" range ").append(net).append(" (microsoft-365-ranges.txt, transcribed 2026-11-28)");
        for (auto [k, side] : {std::pair{MatchKind::ByIp, "receiver"}, std::pair{MatchKind::FromIp, "sender"}}) {
            Rule r = make_rule("microsoft-range", *f, k, net, std::string(side) + " address is in " + where);
            r.org = kMicrosoft365;
            (void)set.add(std::move(r));
        }
    }
    return set;
}

Result<bool> RuleSet::add_rule_line(std::string_view line) {
    std::istringstream words{std::string(line)};
    std::string fam;
    std::string kind;
    std::string pattern;
    words >> fam >> kind >> pattern;
    auto f = family_of(fam);
    auto k = kind_of(kind);
    if (!f)
        return make_error("rule '" + std::string(line) +
                          "': family must be eop, exchange-online, provider, gateway, list, mx, internal or relay");
    if (!k)
        return make_error("rule '" + std::string(line) + "': kind must be by-host, from-host, by-ip, from-ip or with");
    std::string evidence;
    std::getline(words >> std::ws, evidence);
    Rule r = make_rule("config", *f, *k, pattern, "");
    if (*f == Family::Eop || *f == Family::ExchangeOnline) r.org = kMicrosoft365;
    bool service = *f == Family::Gateway || *f == Family::Provider || *f == Family::List || *f == Family::Mx;
    // A service's evidence text is its product name; the generated evidence then names the pattern.
    if (service)
        r.product = evidence.empty() ? pattern : evidence;
    else if (!evidence.empty())
        r.evidence = evidence + " (config rule)";
    if (service && !evidence.empty()) r.product += ", config rule";
    return add(std::move(r));
}

Result<bool> RuleSet::add_relay(std::string_view what) {
    ++user_relays_;
    std::string w(what);
    // A fully qualified name's root dot ("mail.nvidia.com.") names the same host.
    if (w.size() > 1 && w.back() == '.' && !Network::parse(w)) w.pop_back();
    relay_words_ += (relay_words_.empty() ? "" : ", ") + w;
    if (Network::parse(w)) {
        // The relay is the sending side EOP saw, and also the receiving side of the hop before.
        auto r = add(make_rule("user-relay", Family::Relay, MatchKind::FromIp, w, "relay " + w + " named by --relay"));
        if (!r) return r;
        return add(make_rule("user-relay", Family::Relay, MatchKind::ByIp, w, "relay " + w + " named by --relay"));
    }
    for (char c : w)
        if (!(isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '*' || c == '_'))
            return make_error("--relay '" + w + "' is neither a host name, an address nor a CIDR");
    auto r = add(make_rule("user-relay", Family::Relay, MatchKind::FromHost, w, "relay " + w + " named by --relay"));
    if (!r) return r;
    return add(make_rule("user-relay", Family::Relay, MatchKind::ByHost, w, "relay " + w + " named by --relay"));
}

Result<bool> RuleSet::add_internal_net(std::string_view cidr) {
    std::string c(cidr);
    if (!Network::parse(c)) return make_error("--internal-net '" + c + "' is not a CIDR network");
    auto r = add(make_rule("user-internal-net", Family::Internal, MatchKind::FromIp, c,
                           "sender is in " + c + " named by --internal-net"));
    if (!r) return r;
    return add(make_rule("user-internal-net", Family::Internal, MatchKind::ByIp, c,
                         "receiver is in " + c + " named by --internal-net"));
}

std::size_t RuleSet::host_bucket(std::string_view s) {
    std::size_t h = 0;
    for (char c : s.substr(s.size() - kHostKey)) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        h = h * 31 + static_cast<unsigned char>(c);
    }
    return h % kHostBuckets;
}

// The first rule in trial order among the given kinds. Each kind's list is
// in trial order, so its first match is its best; the lists of kinds whose
// subject the stamp lacks are never walked.
std::optional<RuleMatch> RuleSet::first_match(std::initializer_list<MatchKind> kinds,
                                              const std::optional<std::string>& host,
                                              const std::optional<std::string>& ip,
                                              const std::optional<std::string>& with, bool skip_mx) const {
    const IpKey key = ip ? IpKey::parse(*ip) : IpKey{};
    const Rule* best = nullptr;
    auto rank = [&](const Rule* r) { return std::pair{!r->user, r - rules_.data()}; };
    for (MatchKind k : kinds) {
        bool host_kind = k == MatchKind::ByHost || k == MatchKind::FromHost;
        bool ip_kind = k == MatchKind::ByIp || k == MatchKind::FromIp;
        if ((host_kind && !host) || (ip_kind && !ip) || (k == MatchKind::With && !with)) continue;
        static const std::vector<std::size_t> none;
        // Host rules: only those whose tail can end this host (hosts
        // shorter than the key take the whole list).
        const auto& list = host_kind && host->size() >= kHostKey
                               ? host_index_[k == MatchKind::ByHost ? 0 : 1][host_bucket(*host)]
                           : !ip_kind  ? order_[static_cast<std::size_t>(k)]
                           : key.valid ? ip_index_[k == MatchKind::ByIp ? 0 : 1][(key.v6 ? 256 : 0) + key.bytes[0]]
                                       : none;
        for (std::size_t i : list) {
            const Rule& r = rules_[i];
            if (best != nullptr && rank(best) < rank(&r)) break;  // cannot beat what we have
            if (skip_mx && r.family == Family::Mx) continue;
            if (matches(r, host, key, with)) {
                best = &r;
                break;
            }
        }
    }
    if (best == nullptr) return std::nullopt;
    bool host_kind = best->kind == MatchKind::ByHost || best->kind == MatchKind::FromHost;
    const auto& subject = host_kind ? host : ip;
    return RuleMatch{best, subject ? std::string_view(*subject) : std::string_view()};
}

std::optional<RuleMatch> RuleSet::match_by(const std::optional<std::string>& host, const std::optional<std::string>& ip,
                                           const std::optional<std::string>& with, bool login) const {
    return first_match({MatchKind::ByHost, MatchKind::ByIp, MatchKind::With}, host, ip, with, login);
}

std::optional<RuleMatch> RuleSet::match_from(const std::optional<std::string>& host,
                                             const std::optional<std::string>& ip) const {
    return first_match({MatchKind::FromHost, MatchKind::FromIp}, host, ip, std::nullopt);
}

bool RuleSet::names_microsoft_365_server(std::string_view server) const {
    std::string_view name = server.substr(0, server.find_first_of(" [("));
    while (!name.empty() && name.back() == '.') name.remove_suffix(1);
    if (name.empty()) return false;
    if (auto ip = normalise_ip(name)) return names_microsoft_365(std::nullopt, ip);
    return names_microsoft_365(std::string(name), std::nullopt);
}

bool RuleSet::names_microsoft_365(const std::optional<std::string>& host, const std::optional<std::string>& ip) const {
    auto m = match_by(host, ip, std::nullopt);
    return m && (m->rule->family == Family::Eop || m->rule->family == Family::ExchangeOnline);
}

bool RuleSet::names_eop_outbound(const std::string& name, const std::optional<std::string>& ip) const {
    // Most names match none of those rules at all: then no match can be one.
    if (std::none_of(eop_outbound_.begin(), eop_outbound_.end(),
                     [&](std::size_t i) { return host_matches(rules_[i], name); }))
        return false;
    auto m = match_from(name, ip);
    return m && m->rule->id.starts_with(kEopOutbound);
}

std::optional<RuleMatch> RuleSet::match_user_relay(const std::optional<std::string>& host,
                                                   const std::optional<std::string>& ip) const {
    const IpKey key = ip ? IpKey::parse(*ip) : IpKey{};
    for (const auto& r : rules_) {
        if (r.family != Family::Relay || (r.kind != MatchKind::FromHost && r.kind != MatchKind::FromIp)) continue;
        if (matches(r, host, key, std::nullopt)) return RuleMatch{&r, {}};
    }
    return std::nullopt;
}

}  // namespace hopscope
