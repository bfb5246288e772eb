#include "classify/connector_lint.hh"

#include <algorithm>
#include <unordered_map>

#include "classify/connector_match.hh"
#include "classify/data_table.hh"
#include "input/header_block.hh"  // iequals, istarts_with

namespace hopscope {
namespace {

struct RuleText {
    std::string_view id;
    std::string_view severity;
    std::string_view message;
    std::string source;
};

struct SpecialNet {
    Network network;
    std::string_view what;
};

struct Rules {
    std::vector<RuleText> rules;
    std::vector<SpecialNet> special;
};

const Rules& rules() {
    static const Rules table = [] {
        Rules r;
        DataTable t(connector_rules_text());
        for (const auto& row : t.rows()) {
            if (row.kind == "rule" && row.cells.size() >= 4)
                r.rules.push_back({row.cells[0], row.cells[1], row.cells[2], t.cite(row.cells[3])});
            if (row.kind == "net" && row.cells.size() >= 2)
                if (auto n = Network::parse(row.cells[0])) r.special.push_back({*n, row.cells[1]});
        }
        return r;
    }();
    return table;
}

std::string fill(std::string_view text, std::string_view value, std::string_view detail) {
    std::string out;
    while (!text.empty()) {
        auto open = text.find('{');
        out += text.substr(0, open);
        if (open == std::string_view::npos) break;
        text = text.substr(open);
        if (text.starts_with("{value}")) {
            out += value;
            text.remove_prefix(7);
        } else if (text.starts_with("{detail}")) {
            out += detail;
            text.remove_prefix(8);
        } else {
            out.push_back('{');
            text.remove_prefix(1);
        }
    }
    return out;
}

class Linter {
  public:
    explicit Linter(std::vector<LintFinding>& out) : out_(out) {}

    void add(const InboundConnector& c, std::string_view rule, std::string_view property, std::string_view value,
             std::string_view detail = {}) {
        for (const auto& r : rules().rules)
            if (r.id == rule) {
                out_.push_back({c.name, std::string(property), std::string(r.severity), fill(r.message, value, detail),
                                r.source, std::string(r.id), c.file, c.line_of(property)});
                return;
            }
    }

  private:
    std::vector<LintFinding>& out_;
};

std::optional<std::string_view> special_kind(const Network& n) {
    IpKey base = IpKey::parse(n.text().substr(0, n.text().find('/')));
    for (const auto& s : rules().special)
        if (s.network.contains(base)) return s.what;
    return std::nullopt;
}

// Two accepted IPv4 entries overlap: one holds the other's first address.
bool overlap(const Network& a, const Network& b) {
    auto base = [](const Network& n) { return IpKey::parse(n.text().substr(0, n.text().find('/'))); };
    return a.contains(base(b)) || b.contains(base(a));
}

// The /24 an accepted entry lies in: its first three bytes, as text.
std::string block(const Network& n) {
    std::string_view t = n.text();
    t = t.substr(0, t.find('/'));
    return std::string(t.substr(0, t.rfind('.')));
}

bool any_sender_domain(const InboundConnector& c) {
    if (c.sender_domains.empty()) return true;
    return std::any_of(c.sender_domains.begin(), c.sender_domains.end(), [](const std::string& d) {
        return d == "*" || iequals(d, "smtp:*;1") || istarts_with(d, "smtp:*;");
    });
}

std::string names(const std::vector<AcceptedDomain>& domains) {
    std::string out;
    for (std::size_t i = 0; i < domains.size() && i < 6; ++i) out += (i == 0 ? "" : ", ") + domains[i].domain;
    if (domains.size() > 6) out += ", ...";
    return out.empty() ? std::string("none") : out;
}

}  // namespace

std::vector<std::string> lint_rule_ids() {
    std::vector<std::string> ids;
    for (const auto& r : rules().rules) ids.emplace_back(r.id);
    return ids;
}

std::vector<LintFinding> lint_connectors(const ConnectorConfig& config) {
    std::vector<LintFinding> out;
    Linter lint(out);
    struct Seen {
        const InboundConnector* connector;
        Network network;
        std::string text;
    };
    // The accepted entries of the enabled connectors before, by the /24 they
    // lie in (an entry of /24 to /32 lies in one, so only entries of the same
    // /24 can overlap), each network once: at most 511 per /24.
    std::unordered_map<std::string, std::vector<Seen>> seen;
    auto form_of = [&](const InboundConnector& c) {
        for (const auto& s : config.sources)
            if (s.file == c.file) return s.form;
        return config.form;
    };
    for (const auto& c : config.connectors) {
        // Format-List cuts lists; Export-Csv and a shallow ConvertTo-Json lose them.
        for (const auto& l : c.lost)
            lint.add(c, form_of(c) == "format-list" ? "values-cut" : "values-lost", l.property, l.property, l.why);
        bool disabled = c.enabled && !*c.enabled;
        if (disabled) lint.add(c, "disabled", "Enabled", "False");
        if (!c.connector_type) lint.add(c, "type-missing", "ConnectorType", "");
        if (c.connector_type && !iequals(*c.connector_type, "OnPremises") && !iequals(*c.connector_type, "Partner"))
            lint.add(c, "type-unknown", "ConnectorType", *c.connector_type);
        bool onprem = c.connector_type && iequals(*c.connector_type, "OnPremises");
        bool partner = c.connector_type && iequals(*c.connector_type, "Partner");
        if (onprem && c.sender_ip_addresses.empty() && !c.tls_sender_certificate_name &&
            c.lost_value("SenderIPAddresses") == nullptr && c.lost_value("TlsSenderCertificateName") == nullptr)
            lint.add(c, "no-identity", "SenderIPAddresses", "");
        std::vector<Seen> mine;
        for (const auto& text : c.sender_ip_addresses) {
            SenderIpEntry e = read_sender_ip(text);
            switch (e.kind) {
                case SenderIpEntry::Kind::Ipv6:
                    lint.add(c, "ip-ipv6", "SenderIPAddresses", text);
                    continue;
                case SenderIpEntry::Kind::Range:
                    lint.add(c, "ip-range", "SenderIPAddresses", text);
                    continue;
                case SenderIpEntry::Kind::Invalid:
                    lint.add(c, "ip-invalid", "SenderIPAddresses", text);
                    continue;
                default:
                    break;
            }
            if (!e.accepted()) {
                lint.add(c, "ip-prefix", "SenderIPAddresses", text);
                continue;
            }
            if (auto what = special_kind(*e.network)) lint.add(c, "ip-special", "SenderIPAddresses", text, *what);
            if (!disabled) {
                for (const auto& s : seen[block(*e.network)])
                    if (overlap(s.network, *e.network)) {
                        std::string where = "connector '" + s.connector->name + "'";
                        if (s.text != text) where += " (as " + s.text + ")";
                        lint.add(c, "ip-shared", "SenderIPAddresses", text, where);
                        break;
                    }
                mine.push_back({&c, *e.network, text});
            }
        }
        for (auto& m : mine) {
            auto& group = seen[block(m.network)];
            bool known = std::any_of(group.begin(), group.end(), [&](const Seen& s) {
                return s.network.prefix() == m.network.prefix() && overlap(s.network, m.network);
            });
            if (!known) group.push_back(std::move(m));
        }
        if (c.tls_sender_certificate_name) {
            const std::string& name = *c.tls_sender_certificate_name;
            std::string problem = certificate_name_problem(name);
            if (name == "*")
                lint.add(c, "cert-lone-wildcard", "TlsSenderCertificateName", name);
            else if (!problem.empty())
                lint.add(c, "cert-embedded-wildcard", "TlsSenderCertificateName", name);
            if (c.require_tls && !*c.require_tls) lint.add(c, "cert-no-require-tls", "TlsSenderCertificateName", name);
            if (onprem && problem.empty() && config.accepted_domains_given &&
                !accepted_domain_of(certificate_domain(name), config))
                lint.add(c, "cert-domain-not-accepted", "TlsSenderCertificateName", name,
                         "accepted: " + names(config.accepted_domains));
        }
        if (partner && !disabled && any_sender_domain(c)) {
            if (!c.sender_ip_addresses.empty())
                lint.add(c, "partner-relay", "ConnectorType", "Partner", "its address (SenderIPAddresses)");
            else if (c.tls_sender_certificate_name)
                lint.add(c, "partner-relay", "ConnectorType", "Partner",
                         "its certificate name (TlsSenderCertificateName)");
        }
    }
    return out;
}

}  // namespace hopscope
