#include "classify/connector_match.hh"

#include <algorithm>
#include <charconv>

#include "input/header_block.hh"  // iequals
#include "parse/ip_address.hh"

namespace hopscope {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    while (!out.empty() && out.back() == '.') out.pop_back();
    return out;
}

std::string quoted(std::string_view name) {
    return "'" + std::string(name) + "'";
}

std::string joined(const std::vector<std::string>& items, std::size_t max = 6) {
    std::string out;
    for (std::size_t i = 0; i < items.size() && i < max; ++i) out += (i == 0 ? "" : ", ") + items[i];
    if (items.size() > max) out += ", and " + std::to_string(items.size() - max) + " more";
    return out;
}

bool is_partner(const InboundConnector& c) {
    return c.connector_type && iequals(*c.connector_type, "Partner");
}

// A name worth comparing with a certificate name: not an address literal.
bool host_name(const std::optional<std::string>& h) {
    return h && !h->empty() && !ip_from_literal(*h) && h->find('.') != std::string::npos;
}

struct Side {
    ConnectorOutcome outcome = ConnectorOutcome::CannotMatch;
    std::string why;
    std::vector<std::string> notes;
    bool applies = false;  // the connector identifies senders this way
};

Side by_ip(const InboundConnector& c, const EopEntry& e) {
    Side s;
    const LostValue* lost = c.lost_value("SenderIPAddresses");
    if (c.sender_ip_addresses.empty() && lost == nullptr) return s;
    s.applies = true;
    std::vector<std::string> skipped;
    std::vector<std::string> accepted;
    std::optional<std::string> hit;
    IpKey key = IpKey::parse(e.ip.value_or(""));
    for (const auto& text : c.sender_ip_addresses) {
        SenderIpEntry entry = read_sender_ip(text);
        if (!entry.accepted()) {
            skipped.push_back(text);
            continue;
        }
        accepted.push_back(text);
        if (!hit && key.valid && entry.network->contains(key)) hit = text;
    }
    if (!skipped.empty())
        s.notes.push_back("SenderIPAddresses " + joined(skipped) +
                          (skipped.size() == 1 ? " is not an entry" : " are not entries") +
                          " Exchange Online accepts (an IPv4 address or CIDR /24 to /32): left aside");
    std::string source = e.ip_source.empty() ? "" : " (" + e.ip_source + ")";
    if (!e.ip || !key.valid) {
        s.outcome = ConnectorOutcome::Unknown;
        s.why = "the headers do not show the address EOP received the message from, to compare with SenderIPAddresses";
    } else if (key.v6) {
        // connector-rules section 3: New-InboundConnector, "IPv6 addresses are not supported".
        s.outcome = ConnectorOutcome::CannotMatch;
        s.why = "EOP received it from " + *e.ip + source +
                ", an IPv6 address: SenderIPAddresses holds IPv4 addresses only, so no connector matches it by IP";
    } else if (hit) {
        s.outcome = ConnectorOutcome::Matches;
        s.why = "EOP received it from " + *e.ip + source + ", which SenderIPAddresses " + *hit + " covers";
    } else if (lost != nullptr) {
        s.outcome = ConnectorOutcome::Unknown;
        s.why = *e.ip + source + " is not among the " + std::to_string(c.sender_ip_addresses.size()) +
                " SenderIPAddresses the file shows, and the others were lost (" + lost->why + ")";
    } else {
        s.outcome = ConnectorOutcome::CannotMatch;
        s.why = "EOP received it from " + *e.ip + source + ", which is not in SenderIPAddresses (" +
                (accepted.empty() ? std::string("no entry Exchange Online accepts") : joined(accepted)) + ")";
    }
    return s;
}

Side by_certificate(const InboundConnector& c, const EopEntry& e) {
    Side s;
    if (!c.tls_sender_certificate_name) return s;
    s.applies = true;
    const std::string& name = *c.tls_sender_certificate_name;
    if (auto problem = certificate_name_problem(name); !problem.empty()) {
        s.why = "TlsSenderCertificateName " + name + " is " + problem + ": no certificate matches it";
        return s;
    }
    if (!e.tls) {
        s.why = "EOP received it without TLS: a connector that identifies the sender by TlsSenderCertificateName (" +
                name + ") needs TLS";
        return s;
    }
    std::string tls = e.tls_version ? "TLS " + *e.tls_version : std::string("TLS");
    std::vector<std::pair<std::string, std::string>> hosts;  // name, what says it
    if (host_name(e.helo)) hosts.emplace_back(lower(*e.helo), "HELO");
    if (host_name(e.rdns) && (hosts.empty() || hosts.front().first != lower(*e.rdns)))
        hosts.emplace_back(lower(*e.rdns), "reverse DNS");
    for (const auto& [h, what] : hosts) {
        bool bare = false;
        if (certificate_name_covers(name, h, &bare)) {
            s.outcome = ConnectorOutcome::Matches;
            s.why = "consistent with TlsSenderCertificateName " + name + ": EOP received it over " + tls +
                    (what == "HELO" ? " from a host that gave its name as " + h +
                                          " (HELO: the sender's own claim), a name under it"
                                    : " from " + h + " (" + what + "), a host under that name") +
                    "; the certificate itself is not in the headers";
            if (bare)
                s.notes.push_back(h + " is the bare domain of " + name +
                                  ": the reference says *.domain stands for the domain and all its subdomains, but "
                                  "how a certificate naming only the bare domain is treated is not documented");
            return s;
        }
    }
    s.outcome = ConnectorOutcome::Unknown;
    if (hosts.empty()) {
        s.why = "EOP received it over " + tls +
                ", but the headers name no host to compare with "
                "TlsSenderCertificateName " +
                name + ", and the certificate itself is not in them";
    } else {
        std::string seen;
        for (const auto& [h, what] : hosts) seen += (seen.empty() ? "" : ", ") + h + " (" + what + ")";
        s.why = "EOP received it over " + tls + " from " + seen + ", not a host under TlsSenderCertificateName " +
                name + "; the certificate is not in the headers, so whether it names a host under " + name +
                " cannot be seen";
    }
    return s;
}

// A SenderDomains entry as Exchange Online shows it ("smtp:contoso.com;1"):
// the domain ("contoso.com", "*.contoso.com", "*").
std::string sender_domain(std::string_view entry) {
    if (istarts_with(entry, "smtp:")) entry.remove_prefix(5);
    entry = entry.substr(0, entry.find(';'));
    return lower(trim_wsp(entry));
}

bool domain_covered(const std::string& pattern, const std::string& domain) {
    if (pattern == "*") return true;
    if (pattern.starts_with("*.")) return certificate_name_covers(pattern, domain);
    return pattern == domain;
}

// Whether a Partner connector's SenderDomains take this message's sender:
// Matches when they do (or name any domain), else why not, or why it cannot
// be told. Which sender domain they compare (the envelope's or From's) is
// not documented: one of them covered is enough to leave it open.
Side partner_scope(const InboundConnector& c, const EopEntry& e) {
    Side s;
    s.outcome = ConnectorOutcome::Matches;
    if (c.lost_value("SenderDomains") != nullptr || c.sender_domains.empty()) return s;
    std::vector<std::string> domains;
    for (const auto& d : c.sender_domains) {
        domains.push_back(sender_domain(d));
        if (domains.back() == "*") return s;
    }
    auto covered = [&](const std::optional<std::string>& d) {
        return d && !d->empty() &&
               std::any_of(domains.begin(), domains.end(), [&](const std::string& p) { return domain_covered(p, *d); });
    };
    if (covered(e.envelope_domain)) return s;
    const bool envelope_known = e.envelope_domain && !e.envelope_domain->empty();
    if (covered(e.from_domain) || (!envelope_known && !e.from_domain)) {
        s.outcome = ConnectorOutcome::Unknown;
        s.why = "it is a Partner connector for SenderDomains " + joined(domains) + ", and " +
                (envelope_known ? "the envelope sender's domain " + *e.envelope_domain +
                                      " is not among them while the From domain is: which of the two it compares is "
                                      "not documented"
                                : std::string("the headers do not show the envelope sender to compare"));
        return s;
    }
    s.outcome = ConnectorOutcome::CannotMatch;
    std::string sender =
        envelope_known ? "the envelope sender's domain " + *e.envelope_domain : "the From domain " + *e.from_domain;
    if (envelope_known && e.from_domain && *e.from_domain != *e.envelope_domain)
        sender += " (From: " + *e.from_domain + ")";
    s.why = "it is a Partner connector for SenderDomains " + joined(domains) + " only, and " + sender +
            " is not among them";
    return s;
}

ConnectorVerdict evaluate(const InboundConnector& c, const EopEntry& e) {
    ConnectorVerdict v;
    v.connector = c.name;
    if (c.enabled && !*c.enabled) {
        v.why.emplace_back("it is disabled (Enabled False): Exchange Online ignores it");
        return v;
    }
    // EOP authenticated the sender as a partner: a Partner connector took
    // it (another organisation's mail, inbound); else only an OnPremises
    // connector takes the organisation's own mail for relay.
    const bool partner_mail = e.auth_as && iequals(trim_wsp(*e.auth_as), "Partner");
    const bool own_mail = (e.from_entity && iequals(*e.from_entity, "HybridOnPrem")) ||
                          (e.auth_as && iequals(trim_wsp(*e.auth_as), "Internal")) || e.connector_signal;
    if (is_partner(c) && !partner_mail) {
        if (own_mail || !e.auth_as)
            v.why.emplace_back(
                "it is a Partner connector: only an OnPremises connector takes an organisation's own "
                "mail for relay");
        else
            v.why.push_back("it is a Partner connector, and EOP did not take the message as a partner's (AuthAs: " +
                            std::string(trim_wsp(*e.auth_as)) + ", where a Partner connector's mail reads Partner)");
        return v;
    }
    if (c.connector_type && !is_partner(c) && !iequals(*c.connector_type, "OnPremises")) {
        v.outcome = ConnectorOutcome::Unknown;
        v.why.push_back("its ConnectorType " + *c.connector_type +
                        " is neither OnPremises nor Partner, the two types the cmdlet takes: what it does cannot be "
                        "told");
        return v;
    }
    if (is_partner(c)) {
        // A Partner connector takes mail from its SenderDomains only
        // ("smtp:contoso.com;1", "smtp:*;1" for any).
        if (auto scope = partner_scope(c, e); scope.outcome != ConnectorOutcome::Matches) {
            v.outcome = scope.outcome;
            v.why.push_back(scope.why);
            return v;
        }
        if (c.require_tls.value_or(false) && !e.tls) {
            v.why.emplace_back("it requires TLS (RequireTls True), and EOP received the message without TLS");
            return v;
        }
    }
    if (!is_partner(c) && partner_mail) {
        v.why.emplace_back(
            "it is an OnPremises connector, and EOP authenticated the sender as a partner (AuthAs: Partner), as a "
            "Partner connector does");
        return v;
    }
    Side ip = by_ip(c, e);
    Side cert = by_certificate(c, e);
    if (!ip.applies && !cert.applies) {
        v.why.emplace_back("it identifies no sender: it has neither SenderIPAddresses nor TlsSenderCertificateName");
        return v;
    }
    const Side* first = nullptr;
    if (ip.outcome == ConnectorOutcome::Matches) {
        first = &ip;
        v.matched_by = "ip";
    } else if (cert.outcome == ConnectorOutcome::Matches) {
        first = &cert;
        v.matched_by = "certificate";
    }
    if (first != nullptr) {
        v.outcome = ConnectorOutcome::Matches;
        v.why.push_back(first->why);
    } else {
        bool unknown = ip.outcome == ConnectorOutcome::Unknown || cert.outcome == ConnectorOutcome::Unknown;
        v.outcome = unknown ? ConnectorOutcome::Unknown : ConnectorOutcome::CannotMatch;
        for (const Side* s : {&ip, &cert})
            if (s->applies && (!unknown || s->outcome == ConnectorOutcome::Unknown)) v.why.push_back(s->why);
        for (const Side* s : {&ip, &cert})
            if (s->applies && unknown && s->outcome != ConnectorOutcome::Unknown) v.why.push_back(s->why);
    }
    for (const Side* s : {&ip, &cert})
        for (const auto& n : s->notes) v.why.push_back(n);
    if (v.outcome != ConnectorOutcome::CannotMatch) {
        if (!c.connector_type) {
            v.why.emplace_back(
                "ConnectorType is not in the file: whether it is an OnPremises connector (which relays) "
                "cannot be told");
            v.outcome = ConnectorOutcome::Unknown;
            v.matched_by.reset();
        }
        if (!c.enabled) v.why.emplace_back("Enabled is not in the file: taken as enabled, the cmdlet's default");
        if (!c.associated_accepted_domains.empty() && e.envelope_domain && !e.envelope_domain->empty()) {
            bool listed = std::any_of(c.associated_accepted_domains.begin(), c.associated_accepted_domains.end(),
                                      [&](const std::string& d) { return lower(d) == *e.envelope_domain; });
            if (!listed) {
                v.why.push_back("AssociatedAcceptedDomains (" + joined(c.associated_accepted_domains) +
                                ") does not list the envelope sender's domain " + *e.envelope_domain +
                                "; the reference does not say which sender domain it compares");
                v.outcome = ConnectorOutcome::Unknown;
                v.matched_by.reset();
            }
        }
        if (v.matched_by == "ip" && !is_partner(c) && c.require_tls.value_or(false) && !e.tls)
            v.why.emplace_back(
                "RequireTls is True but EOP received it without TLS; the reference says RequireTls "
                "applies to Partner connectors only");
    }
    return v;
}

std::string outcome_words(ConnectorOutcome o) {
    switch (o) {
        case ConnectorOutcome::Matches:
            return "matches";
        case ConnectorOutcome::CannotMatch:
            return "cannot have taken it";
        case ConnectorOutcome::Unknown:
            return "may or may not have taken it";
    }
    return "";
}

}  // namespace

SenderIpEntry read_sender_ip(std::string_view text) {
    SenderIpEntry e;
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    if (text.find(':') != std::string_view::npos) {
        auto slash = text.find('/');
        if (normalise_ip(text.substr(0, slash))) e.kind = SenderIpEntry::Kind::Ipv6;
        return e;
    }
    if (auto dash = text.find('-'); dash != std::string_view::npos) {
        if (read_ipv4(text.substr(0, dash)) && read_ipv4(text.substr(dash + 1))) e.kind = SenderIpEntry::Kind::Range;
        return e;
    }
    auto slash = text.find('/');
    if (!read_ipv4(text.substr(0, slash))) return e;
    if (slash != std::string_view::npos) {
        std::string_view p = text.substr(slash + 1);
        int prefix = -1;
        auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
        if (ec != std::errc() || ptr != p.data() + p.size() || prefix < 0 || prefix > 32 || p.size() > 2) return e;
        e.prefix = prefix;
        e.kind = SenderIpEntry::Kind::Cidr;
    } else {
        e.kind = SenderIpEntry::Kind::Address;
    }
    e.network = Network::parse(text);
    if (!e.network) e.kind = SenderIpEntry::Kind::Invalid;
    return e;
}

std::string certificate_name_problem(std::string_view name) {
    if (name == "*") return "a lone '*'";
    auto star = name.find('*');
    if (star == std::string_view::npos) return {};
    if (star == 0 && name.starts_with("*.") && name.find('*', 1) == std::string_view::npos && name.size() > 2)
        return {};
    return "a wildcard that is not a leading '*.'";
}

bool certificate_name_covers(std::string_view name, std::string_view host, bool* bare) {
    if (bare != nullptr) *bare = false;
    if (!certificate_name_problem(name).empty()) return false;
    std::string n = lower(name);
    std::string h = lower(host);
    if (h.empty()) return false;
    if (n.starts_with("*.")) {
        std::string domain = n.substr(2);
        if (h == domain) {
            if (bare != nullptr) *bare = true;
            return true;
        }
        return h.size() > domain.size() + 1 && h.ends_with(domain) && h[h.size() - domain.size() - 1] == '.';
    }
    return h == n;
}

std::string certificate_domain(std::string_view name) {
    std::string n = lower(name);
    if (n.starts_with("*.")) n.erase(0, 2);
    return n;
}

std::optional<std::string> accepted_domain_of(std::string_view domain, const ConnectorConfig& config) {
    std::string d = lower(domain);
    if (d.empty()) return std::nullopt;
    for (const auto& a : config.accepted_domains) {
        std::string ad = certificate_domain(a.domain);  // "*.contoso.com" accepted: the same rule
        if (d == ad || (d.size() > ad.size() + 1 && d.ends_with(ad) && d[d.size() - ad.size() - 1] == '.'))
            return a.domain;
    }
    return std::nullopt;
}

ConnectorMatch match_connectors(const EopEntry& entry, const ConnectorConfig& config) {
    ConnectorMatch m;
    for (const auto& c : config.connectors) m.connectors.push_back(evaluate(c, entry));
    // EOP's stamp says no connector took it (FromEntityHeader: Internet, no
    // partner): a connector its certificate name is only consistent with did
    // not (the certificate is not in the headers, and a relay that presents
    // none, or one of another name, is taken as internet mail). One that
    // matches by IP contradicts the stamp (below).
    const bool internet = entry.from_entity && iequals(*entry.from_entity, "Internet") &&
                          !(entry.auth_as && iequals(trim_wsp(*entry.auth_as), "Partner"));
    if (internet)
        for (auto& v : m.connectors)
            if (v.outcome == ConnectorOutcome::Matches && v.matched_by == "certificate") {
                v.outcome = ConnectorOutcome::CannotMatch;
                v.matched_by.reset();
                v.why.front() +=
                    ", but EOP's stamp says no connector took the message (FromEntityHeader: Internet): "
                    "the relay presented no certificate, or one of another name (check the certificate "
                    "it sends as a client)";
            }
    std::vector<std::string> matching;
    const ConnectorVerdict* chosen = nullptr;
    for (std::size_t i = 0; i < m.connectors.size(); ++i)
        if (m.connectors[i].outcome == ConnectorOutcome::Matches) {
            matching.push_back(quoted(m.connectors[i].connector));
            if (chosen == nullptr) chosen = &m.connectors[i];
        }
    if (config.connectors.empty()) m.evidence.emplace_back("the configuration given has no inbound connectors");
    if (chosen != nullptr) {
        m.name = chosen->connector;
        m.matched_by = chosen->matched_by;
        m.evidence.push_back("connector " + quoted(chosen->connector) + " matches by " +
                             (chosen->matched_by == "ip" ? "IP" : "certificate") + ": " + chosen->why.front());
        for (std::size_t k = 1; k < chosen->why.size(); ++k) m.evidence.push_back(chosen->why[k]);
        if (matching.size() > 1) {
            m.evidence.push_back("connectors " + joined(matching) +
                                 " all match: which one Exchange Online uses is not documented, so none is named");
            m.name.reset();
            m.tie = true;
            for (const auto& v : m.connectors)
                if (v.outcome == ConnectorOutcome::Matches) m.not_ruled_out.push_back(v.connector);
            // The way they match, only where every one matches the same way.
            for (const auto& v : m.connectors)
                if (v.outcome == ConnectorOutcome::Matches && v.matched_by != chosen->matched_by) m.matched_by.reset();
        }
    }
    for (const auto& v : m.connectors) {
        if (&v == chosen) continue;
        // Where none matches, those the files cannot rule out (a list cut
        // short, a value lost) are the candidates (a tie's are listed above).
        if (v.outcome != ConnectorOutcome::CannotMatch && !(m.tie && v.outcome == ConnectorOutcome::Matches))
            m.not_ruled_out.push_back(v.connector);
        std::string line = "connector " + quoted(v.connector) + " " + outcome_words(v.outcome);
        if (!v.why.empty()) line += ": " + v.why.front();
        m.evidence.push_back(line);
        for (std::size_t k = 1; k < v.why.size(); ++k) m.evidence.push_back(v.why[k]);
    }
    // The relay requirement since November 2023: an OnPremises connector's
    // (a Partner connector relays nothing out whatever the domains). Where
    // several match, it holds only where it holds for each of them.
    std::optional<std::string> by_envelope;
    if (entry.envelope_domain) by_envelope = accepted_domain_of(*entry.envelope_domain, config);
    auto by_cert_of = [&](const ConnectorVerdict& v, const InboundConnector& c) -> std::optional<std::string> {
        if (v.matched_by != "certificate" || !c.tls_sender_certificate_name) return std::nullopt;
        return accepted_domain_of(certificate_domain(*c.tls_sender_certificate_name), config);
    };
    std::vector<std::pair<const ConnectorVerdict*, const InboundConnector*>> relaying;
    if (chosen != nullptr && config.accepted_domains_given)
        for (std::size_t i = 0; i < m.connectors.size(); ++i)
            if ((m.tie ? m.connectors[i].outcome == ConnectorOutcome::Matches : &m.connectors[i] == chosen) &&
                !is_partner(config.connectors[i]))
                relaying.emplace_back(&m.connectors[i], &config.connectors[i]);
    std::size_t certified = 0;
    for (const auto& [v, c] : relaying)
        if (by_cert_of(*v, *c)) ++certified;
    if (!relaying.empty()) {
        if (certified == relaying.size()) {
            m.relay_requirement_met = true;
            for (const auto& [v, c] : relaying)
                m.evidence.push_back("relay to outside recipients: the certificate name " +
                                     *c->tls_sender_certificate_name + " is within the accepted domain " +
                                     *by_cert_of(*v, *c));
        } else if (by_envelope) {
            m.relay_requirement_met = true;
            m.evidence.push_back("relay to outside recipients: the envelope sender's domain " + *entry.envelope_domain +
                                 " is within the accepted domain " + *by_envelope);
        } else if (certified > 0) {
            m.evidence.emplace_back(
                "relay to outside recipients needs the certificate's domain (or the envelope sender's) to be an "
                "accepted domain: that holds for some of the connectors that match, not all, so it depends on "
                "which one took the message");
        } else if (!entry.envelope_domain) {
            m.evidence.emplace_back(
                "relay to outside recipients needs the envelope sender's domain (or the "
                "certificate's) to be an accepted domain; the headers do not show the envelope "
                "sender");
        } else {
            m.relay_requirement_met = false;
            std::string env = entry.envelope_domain->empty() ? std::string("the null sender <>")
                                                             : "the envelope sender's domain " + *entry.envelope_domain;
            m.evidence.push_back("relay to outside recipients is refused (550 5.7.64) since November 2023: neither " +
                                 env +
                                 " nor a certificate domain is an accepted domain; mail to the tenant's own "
                                 "recipients is not affected");
        }
    }
    // The configuration against EOP's own stamp.
    bool any_possible = std::any_of(m.connectors.begin(), m.connectors.end(), [](const ConnectorVerdict& v) {
        return v.outcome != ConnectorOutcome::CannotMatch;
    });
    if (entry.connector_signal && !any_possible &&
        !(entry.from_entity && iequals(*entry.from_entity, "HybridOnPrem"))) {
        m.config_not_in_force = true;
        m.evidence.push_back("EOP's stamps say an on-premises connector took the message (" + *entry.connector_signal +
                             "), but none of the " + std::to_string(config.connectors.size()) +
                             " connectors given can have: the configuration given is not the one in force when the "
                             "message passed (another tenant's, or changed since)");
    } else if (entry.from_entity && iequals(*entry.from_entity, "HybridOnPrem") && !any_possible) {
        m.config_not_in_force = true;
        m.evidence.push_back(
            "EOP's stamp says an on-premises connector took the message (FromEntityHeader: "
            "HybridOnPrem), but none of the " +
            std::to_string(config.connectors.size()) +
            " connectors given can have: the configuration given is not the one in force when the "
            "message passed (another tenant's, or changed since)");
    } else if (entry.auth_as && iequals(trim_wsp(*entry.auth_as), "Partner") && !any_possible) {
        m.config_not_in_force = true;
        m.evidence.push_back(
            "EOP's stamp says a Partner connector took the message (AuthAs: Partner), but none of the " +
            std::to_string(config.connectors.size()) +
            " connectors given can have: the configuration given is not the one in force when the "
            "message passed (another tenant's, or changed since)");
    } else if (internet && chosen != nullptr) {
        m.config_not_in_force = true;
        m.evidence.push_back("EOP's stamp says no connector took the message (FromEntityHeader: Internet), but " +
                             (m.tie ? "connectors " + joined(matching) + " match"
                                    : "connector " + quoted(chosen->connector) + " matches") +
                             " by IP: the configuration given is not the one in force when the message passed "
                             "(a connector added or changed since?)");
    }
    return m;
}

}  // namespace hopscope
