// Which exported connector took a message into EOP: SenderIPAddresses
// entries and CIDR matching, certificate names and their wildcard, every
// reason a connector did not, the November 2023 relay requirement, and the
// corpus/connectors messages against the exports beside them.
#define BOOST_TEST_MODULE connector_match
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "classify/connector_match.hh"
#include "classify/message_analysis.hh"
#include "classify/role_rules.hh"
#include "parse/security_headers.hh"
#include "test_support.hh"

using namespace hopscope;

namespace {

ConnectorConfig from_file(const std::string& name) {
    auto c = read_connector_config(read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/connectors/" + name), name);
    BOOST_REQUIRE_MESSAGE(c, (c ? std::string() : c.error().message));
    return *c;
}

ConnectorConfig contoso(bool with_domains = true) {
    ConnectorConfig c = from_file("contoso-connectors.json");
    if (with_domains) merge_config(c, from_file("contoso-accepted-domains.json"));
    return c;
}

InboundConnector connector(const std::string& name) {
    InboundConnector c;
    c.name = name;
    c.enabled = true;
    c.connector_type = "OnPremises";
    return c;
}

ConnectorConfig config_of(std::vector<InboundConnector> connectors, std::vector<std::string> accepted = {}) {
    ConnectorConfig c;
    c.connectors = std::move(connectors);
    for (auto& d : accepted) c.accepted_domains.push_back({d, "Authoritative", false, false, d, "test", 1});
    c.accepted_domains_given = !accepted.empty();
    return c;
}

EopEntry entry(const std::string& ip, bool tls = false, const std::string& helo = "") {
    EopEntry e;
    e.ip = ip;
    e.ip_source = "CIP of X-Forefront-Antispam-Report";
    e.tls = tls;
    if (!helo.empty()) e.helo = helo;
    e.envelope_domain = "contoso.com";
    e.from_entity = "HybridOnPrem";
    return e;
}

bool any(const std::vector<std::string>& lines, const std::string& needle) {
    for (const auto& l : lines)
        if (l.find(needle) != std::string::npos) return true;
    return false;
}

std::string all(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

// What a message's own headers say about its entry into EOP, read here the
// way the relay verdict reads it (EOP's records: the Forefront report's CIP,
// H and PTR; the EOP stamp's TLS; Return-Path; the CrossTenant stamp).
EopEntry entry_from_message(const std::string& name) {
    static const RuleSet rules = RuleSet::builtin();
    auto t = analyse_message(read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/connectors/" + name), rules);
    BOOST_REQUIRE(t);
    EopEntry e;
    auto report = find_signal(*t, "X-Forefront-Antispam-Report");
    for (const auto& f : parse_forefront_report(report.value_or(""))) {
        if (f.key == "CIP") e.ip = std::string(f.value);
        if (f.key == "H") e.helo = std::string(f.value);
        if (f.key == "PTR") e.rdns = std::string(f.value);
    }
    e.ip_source = "CIP of X-Forefront-Antispam-Report";
    for (const auto& h : t->hops)
        if (h.role == "eop") {
            e.tls = h.fields.tls.has_value();
            break;
        }
    if (auto rp = find_signal(*t, "Return-Path")) e.envelope_domain = std::string(rp->substr(rp->find('@') + 1));
    if (auto fe = find_signal(*t, "X-MS-Exchange-CrossTenant-FromEntityHeader")) e.from_entity = std::string(*fe);
    if (auto as = find_signal(*t, "X-MS-Exchange-Organization-AuthAs")) e.auth_as = std::string(*as);
    return e;
}

const ConnectorVerdict& verdict(const ConnectorMatch& m, const std::string& name) {
    for (const auto& v : m.connectors)
        if (v.connector == name) return v;
    BOOST_FAIL("no verdict for " + name);
    return m.connectors.front();
}

}  // namespace

BOOST_AUTO_TEST_CASE(sender_ip_entries_as_exchange_online_reads_them) {
    struct Case {
        const char* text;
        SenderIpEntry::Kind kind;
        bool accepted;
    };
    using K = SenderIpEntry::Kind;
    const Case cases[] = {
        {"198.51.100.77", K::Address, true},
        {"198.51.100.0/24", K::Cidr, true},
        {"198.51.100.128/25", K::Cidr, true},
        {"198.51.100.77/32", K::Cidr, true},
        {"192.168.0.1/25", K::Cidr, true},  // host bits set, as Microsoft's own example
        {"198.51.0.0/23", K::Cidr, false},
        {"10.0.0.0/8", K::Cidr, false},
        {"198.51.100.1-198.51.100.9", K::Range, false},
        {"2001:db8::25", K::Ipv6, false},
        {"2001:db8::/48", K::Ipv6, false},
        {"relay.contoso.com", K::Invalid, false},
        {"198.51.100.0/33", K::Invalid, false},
        {"198.51.100.0/", K::Invalid, false},
        {"198.51.100.0/024", K::Invalid, false},
        {"010.1.1.1", K::Invalid, false},
        {"", K::Invalid, false},
        {"1.2.3.4-x", K::Invalid, false},
    };
    for (const auto& c : cases) {
        SenderIpEntry e = read_sender_ip(c.text);
        BOOST_TEST((e.kind == c.kind), c.text);
        BOOST_TEST(e.accepted() == c.accepted, c.text);
    }
}

BOOST_AUTO_TEST_CASE(cidr_matching) {
    struct Case {
        const char* entry;
        const char* ip;
        bool matches;
    };
    const Case cases[] = {
        {"198.51.100.77", "198.51.100.77", true},        {"198.51.100.77", "198.51.100.78", false},
        {"198.51.100.0/24", "198.51.100.255", true},     {"198.51.100.0/24", "198.51.101.0", false},
        {"198.51.100.128/25", "198.51.100.127", false},  {"198.51.100.128/25", "198.51.100.200", true},
        {"198.51.100.64/26", "198.51.100.127", true},    {"198.51.100.64/26", "198.51.100.128", false},
        {"198.51.100.76/31", "198.51.100.77", true},     {"198.51.100.76/31", "198.51.100.78", false},
        {"192.168.0.1/25", "192.168.0.100", true},        // host bits ignored, as a network
        {"198.51.100.0/23", "198.51.100.77", false},      // not accepted by Exchange Online: never matches
        {"198.51.100.77", "::ffff:198.51.100.77", true},  // an IPv4-mapped EOP record
    };
    for (const auto& c : cases) {
        auto m = match_connectors(entry(c.ip), config_of({[&] {
                                      auto x = connector("C");
                                      x.sender_ip_addresses = {c.entry};
                                      return x;
                                  }()}));
        BOOST_TEST(m.name.has_value() == c.matches, std::string(c.entry) + " vs " + c.ip);
        if (c.matches) BOOST_TEST(m.matched_by.value_or("") == "ip");
    }
}

BOOST_AUTO_TEST_CASE(certificate_names_and_wildcards) {
    struct Case {
        const char* name;
        const char* host;
        bool covers;
        bool bare;
    };
    const Case cases[] = {
        {"*.contoso.com", "relay.contoso.com", true, false},
        {"*.contoso.com", "a.b.contoso.com", true, false},
        {"*.contoso.com", "RELAY.Contoso.COM.", true, false},
        {"*.contoso.com", "contoso.com", true,
         true},  // "a domain and all subdomains"; a bare-only certificate: undocumented
        {"*.contoso.com", "evilcontoso.com", false, false},
        {"*.contoso.com", "contoso.com.evil.example", false, false},
        {"contoso.com", "contoso.com", true, false},
        {"contoso.com", "relay.contoso.com", false, false},
        {"relay.contoso.com", "relay.contoso.com", true, false},
        {"*", "relay.contoso.com", false, false},
        {"mail.*.contoso.com", "mail.a.contoso.com", false, false},
        {"*contoso.com", "xcontoso.com", false, false},
        {"*.", "relay.", false, false},
    };
    for (const auto& c : cases) {
        bool bare = false;
        BOOST_TEST(certificate_name_covers(c.name, c.host, &bare) == c.covers, std::string(c.name) + " / " + c.host);
        BOOST_TEST(bare == c.bare, std::string(c.name) + " / " + c.host);
    }
    BOOST_TEST(certificate_name_problem("*") == "a lone '*'");
    BOOST_TEST(!certificate_name_problem("domain.*.contoso.com").empty());
    BOOST_TEST(!certificate_name_problem("*.*.contoso.com").empty());
    BOOST_TEST(certificate_name_problem("*.contoso.com").empty());
    BOOST_TEST(certificate_domain("*.Contoso.com") == "contoso.com");
}

BOOST_AUTO_TEST_CASE(each_reason_a_connector_did_not) {
    auto by_ip = connector("By IP");
    by_ip.sender_ip_addresses = {"198.51.100.77"};
    auto by_cert = connector("By certificate");
    by_cert.tls_sender_certificate_name = "*.contoso.com";
    by_cert.require_tls = true;

    // Disabled.
    auto disabled = by_ip;
    disabled.enabled = false;
    auto m = match_connectors(entry("198.51.100.77"), config_of({disabled}));
    BOOST_TEST(!m.name);
    BOOST_TEST((m.connectors[0].outcome == ConnectorOutcome::CannotMatch));
    BOOST_TEST(any(m.connectors[0].why, "disabled"));
    // A Partner connector never relays.
    auto partner = by_ip;
    partner.connector_type = "Partner";
    m = match_connectors(entry("198.51.100.77"), config_of({partner}));
    BOOST_TEST(!m.name);
    BOOST_TEST(any(m.connectors[0].why, "Partner connector"));
    // The IP EOP received from is not in SenderIPAddresses.
    m = match_connectors(entry("203.0.113.9"), config_of({by_ip}));
    BOOST_TEST(!m.name);
    BOOST_TEST(any(m.connectors[0].why,
                   "203.0.113.9 (CIP of X-Forefront-Antispam-Report), which is not in "
                   "SenderIPAddresses (198.51.100.77)"));
    // No TLS for a certificate connector.
    m = match_connectors(entry("203.0.113.45", false, "relay2.contoso.com"), config_of({by_cert}));
    BOOST_TEST(!m.name);
    BOOST_TEST((m.connectors[0].outcome == ConnectorOutcome::CannotMatch));
    BOOST_TEST(any(m.connectors[0].why, "without TLS"));
    // Over TLS from a host outside the certificate name: the certificate is not
    // in the headers, so this cannot be ruled out either.
    m = match_connectors(entry("203.0.113.45", true, "mail.fabrikam.example"), config_of({by_cert}));
    BOOST_TEST(!m.name);
    BOOST_TEST((m.connectors[0].outcome == ConnectorOutcome::Unknown));
    BOOST_TEST(any(m.connectors[0].why, "not a host under TlsSenderCertificateName *.contoso.com"));
    // Over TLS from a host under the name: consistent with, never proven.
    m = match_connectors(entry("203.0.113.45", true, "relay2.contoso.com"), config_of({by_cert}));
    BOOST_TEST(m.name.value_or("") == "By certificate");
    BOOST_TEST(m.matched_by.value_or("") == "certificate");
    BOOST_TEST(any(m.evidence, "consistent with TlsSenderCertificateName *.contoso.com"));
    BOOST_TEST(any(m.evidence, "the certificate itself is not in the headers"));
    // The bare domain against *.domain: matched, with the gap in the documentation said.
    m = match_connectors(entry("203.0.113.45", true, "contoso.com"), config_of({by_cert}));
    BOOST_TEST(m.name.has_value());
    BOOST_TEST(any(m.evidence, "is not documented"));
    // Identifies nothing.
    m = match_connectors(entry("198.51.100.77"), config_of({connector("Empty")}));
    BOOST_TEST(any(m.connectors[0].why, "identifies no sender"));
    // The headers do not show the address.
    EopEntry none = entry("198.51.100.77");
    none.ip.reset();
    m = match_connectors(none, config_of({by_ip}));
    BOOST_TEST((m.connectors[0].outcome == ConnectorOutcome::Unknown));
    // A list cut by Format-List: not among the values shown is not "not in the list".
    auto cut = by_ip;
    cut.lost.push_back({"SenderIPAddresses", "Format-List showed only the first 4 values"});
    m = match_connectors(entry("203.0.113.9"), config_of({cut}));
    BOOST_TEST((m.connectors[0].outcome == ConnectorOutcome::Unknown));
    BOOST_TEST(any(m.connectors[0].why, "the others were lost"));
    // ConnectorType not in the file: whether it relays cannot be told.
    auto untyped = by_ip;
    untyped.connector_type.reset();
    m = match_connectors(entry("198.51.100.77"), config_of({untyped}));
    BOOST_TEST(!m.name);
    BOOST_TEST((m.connectors[0].outcome == ConnectorOutcome::Unknown));
    // Entries Exchange Online does not accept never match, and are said.
    auto wide = connector("Wide");
    wide.sender_ip_addresses = {"198.51.0.0/16", "2001:db8::1"};
    m = match_connectors(entry("198.51.100.77"), config_of({wide}));
    BOOST_TEST(!m.name);
    BOOST_TEST(any(m.connectors[0].why, "198.51.0.0/16, 2001:db8::1 are not entries Exchange Online accepts"));
    // Internet mail over TLS from a host under a certificate connector's name:
    // the relay presented no certificate (or another), not a configuration out
    // of force; an IP connector matching internet mail is one.
    EopEntry internet = entry("203.0.113.45", true, "relay2.contoso.com");
    internet.from_entity = "Internet";
    m = match_connectors(internet, config_of({by_cert}));
    BOOST_TEST(!m.config_not_in_force);
    BOOST_TEST(!m.name);
    BOOST_TEST((m.connectors[0].outcome == ConnectorOutcome::CannotMatch));
    BOOST_TEST(any(m.evidence, "the relay presented no certificate, or one of another name"), all(m.evidence));
    BOOST_TEST(!any(m.evidence, "matches"), all(m.evidence));
    internet.ip = "198.51.100.77";
    m = match_connectors(internet, config_of({by_ip, by_cert}));
    BOOST_TEST(m.config_not_in_force);
    // Only the connector matching by IP contradicts the stamp.
    BOOST_TEST(any(m.evidence, "but connector '" + by_ip.name + "' matches by IP"), all(m.evidence));
    BOOST_TEST(!m.tie);
    // An IPv6 sender: no connector matches it by IP, whatever the list shows,
    // and the list said is what Exchange Online accepts.
    auto v6 = connector("With IPv6");
    v6.sender_ip_addresses = {"203.0.113.25", "2001:db8:40::25"};
    m = match_connectors(entry("2001:db8:40::25"), config_of({v6}));
    BOOST_TEST(!m.name);
    BOOST_TEST((m.connectors[0].outcome == ConnectorOutcome::CannotMatch));
    BOOST_TEST(any(m.connectors[0].why, "an IPv6 address: SenderIPAddresses holds IPv4 addresses only"));
    m = match_connectors(entry("198.51.100.9"), config_of({v6}));
    BOOST_TEST(any(m.connectors[0].why, "which is not in SenderIPAddresses (203.0.113.25)"));
}

// Several connectors that match alike: which one Exchange Online uses is not
// documented, so none is named, whatever the order of the file, and the
// relay requirement holds only where it holds for each.
BOOST_AUTO_TEST_CASE(several_match_and_none_is_named) {
    auto a = connector("A");
    a.sender_ip_addresses = {"198.51.100.0/24"};
    auto b = connector("B");
    b.sender_ip_addresses = {"198.51.100.77"};
    auto m = match_connectors(entry("198.51.100.77"), config_of({a, b}));
    BOOST_TEST(!m.name);
    BOOST_TEST(m.tie);
    BOOST_TEST(any(m.evidence, "which one Exchange Online uses is not documented, so none is named"));
    BOOST_TEST((m.not_ruled_out == std::vector<std::string>{"A", "B"}));
    BOOST_TEST(m.matched_by.value_or("") == "ip");  // both match by IP
    auto reversed = match_connectors(entry("198.51.100.77"), config_of({b, a}));
    BOOST_TEST(!reversed.name);
    BOOST_TEST((reversed.not_ruled_out == std::vector<std::string>{"B", "A"}));
    // One by IP, one by certificate, over TLS: how it was matched is not known either.
    auto cert = connector("C");
    cert.tls_sender_certificate_name = "*.contoso.com";
    m = match_connectors(entry("198.51.100.77", true, "relay.contoso.com"), config_of({b, cert}));
    BOOST_TEST(!m.name);
    BOOST_TEST((m.not_ruled_out == std::vector<std::string>{"B", "C"}));
    BOOST_TEST(!m.matched_by.has_value());
    // The certificate's domain is accepted, the envelope's is not: the
    // requirement holds for C, not for B, so it is not decided.
    auto config = config_of({b, cert});
    config.accepted_domains_given = true;
    config.accepted_domains.push_back({"contoso.com", "Authoritative", false, false, "contoso.com", "test", 1});
    auto e = entry("198.51.100.77", true, "relay.contoso.com");
    e.envelope_domain = "fabrikam.example";
    m = match_connectors(e, config);
    BOOST_TEST(!m.relay_requirement_met.has_value());
    BOOST_TEST(any(m.evidence, "it depends on which one took the message"));
    // The envelope's domain accepted: it holds whichever took it.
    e.envelope_domain = "contoso.com";
    m = match_connectors(e, config);
    BOOST_TEST(m.relay_requirement_met.value_or(false));
}

BOOST_AUTO_TEST_CASE(the_relay_requirement_of_november_2023) {
    auto by_ip = connector("By IP");
    by_ip.sender_ip_addresses = {"198.51.100.77"};
    auto by_cert = connector("By certificate");
    by_cert.tls_sender_certificate_name = "*.contoso.com";
    // The envelope sender's domain is accepted (a subdomain of an accepted one too).
    auto m = match_connectors(entry("198.51.100.77"), config_of({by_ip}, {"contoso.com"}));
    BOOST_TEST(m.relay_requirement_met.value_or(false));
    EopEntry sub = entry("198.51.100.77");
    sub.envelope_domain = "alerts.contoso.com";
    BOOST_TEST(match_connectors(sub, config_of({by_ip}, {"contoso.com"})).relay_requirement_met.value_or(false));
    // Neither domain accepted: relay to outside recipients refused.
    EopEntry foreign = entry("198.51.100.77");
    foreign.envelope_domain = "monitor.fabrikam.example";
    m = match_connectors(foreign, config_of({by_ip}, {"contoso.com"}));
    BOOST_TEST(!m.relay_requirement_met.value_or(true));
    BOOST_TEST(any(m.evidence, "5.7.64"));
    // The null sender relays only through the certificate path.
    EopEntry ndr = entry("198.51.100.77");
    ndr.envelope_domain = "";
    BOOST_TEST(!match_connectors(ndr, config_of({by_ip}, {"contoso.com"})).relay_requirement_met.value_or(true));
    ndr.tls = true;
    ndr.helo = "relay2.contoso.com";
    m = match_connectors(ndr, config_of({by_cert}, {"contoso.com"}));
    BOOST_TEST(m.relay_requirement_met.value_or(false));
    BOOST_TEST(any(m.evidence, "the certificate name *.contoso.com is within the accepted domain contoso.com"));
    // No accepted domains given: nothing said either way.
    BOOST_TEST(!match_connectors(entry("198.51.100.77"), config_of({by_ip})).relay_requirement_met);
}

BOOST_AUTO_TEST_CASE(the_seed_connectors_against_their_messages) {
    const ConnectorConfig config = contoso();
    // The scanner relay without TLS, by IP.
    auto m = match_connectors(entry_from_message("via-relay-by-ip.eml"), config);
    BOOST_TEST_MESSAGE(all(m.evidence));
    BOOST_TEST(m.name.value_or("") == "Relay and scanners by IP");
    BOOST_TEST(m.matched_by.value_or("") == "ip");
    BOOST_TEST(any(m.evidence, "198.51.100.77 (CIP of X-Forefront-Antispam-Report)"), all(m.evidence));
    BOOST_TEST(any(m.evidence, "connector 'Relay by certificate' cannot have taken it: EOP received it without TLS"));
    BOOST_TEST(m.relay_requirement_met.value_or(false));
    BOOST_TEST(!m.config_not_in_force);
    // The second relay over TLS, by its certificate name (its attributed-IP
    // header would make a header guess say "ip").
    m = match_connectors(entry_from_message("via-relay-by-certificate.eml"), config);
    BOOST_TEST_MESSAGE(all(m.evidence));
    BOOST_TEST(m.name.value_or("") == "Relay by certificate");
    BOOST_TEST(m.matched_by.value_or("") == "certificate");
    BOOST_TEST(any(m.evidence, "from a host that gave its name as relay2.contoso.com (HELO: the sender's own claim)"),
               all(m.evidence));
    BOOST_TEST(any(m.evidence, "203.0.113.45 (CIP of X-Forefront-Antispam-Report), which is not in SenderIPAddresses"));
    BOOST_TEST(m.relay_requirement_met.value_or(false));
    // EOP says a connector took it; none given can have.
    m = match_connectors(entry_from_message("hybridonprem-no-connector-matches.eml"), config);
    BOOST_TEST_MESSAGE(all(m.evidence));
    BOOST_TEST(!m.name);
    BOOST_TEST(m.config_not_in_force);
    BOOST_TEST(any(m.evidence, "the configuration given is not the one in force"), all(m.evidence));
    // EOP says none took it; one given would.
    m = match_connectors(entry_from_message("internet-but-connector-matches.eml"), config);
    BOOST_TEST_MESSAGE(all(m.evidence));
    BOOST_TEST(m.name.value_or("") == "Relay and scanners by IP");
    BOOST_TEST(m.config_not_in_force);
    BOOST_TEST(any(m.evidence, "FromEntityHeader: Internet"));
}

// A Partner connector takes mail of its SenderDomains only, over TLS when it
// requires it, and only what EOP took as a partner's; a ConnectorType the
// cmdlet does not take leaves a connector open.
BOOST_AUTO_TEST_CASE(partner_connectors_take_only_their_partners_mail) {
    auto partner = connector("Partner contoso only");
    partner.connector_type = "Partner";
    partner.sender_ip_addresses = {"198.51.99.0/24"};
    partner.sender_domains = {"smtp:contoso.com;1"};
    EopEntry e = entry("198.51.99.10", true);
    e.from_entity = "Internet";
    e.auth_as = "Partner";
    e.envelope_domain = "fabrikam.com";
    e.from_domain = "fabrikam.com";
    auto m = match_connectors(e, config_of({partner}));
    BOOST_TEST(!m.name);
    BOOST_TEST((m.connectors[0].outcome == ConnectorOutcome::CannotMatch));
    BOOST_TEST(any(m.connectors[0].why, "for SenderDomains contoso.com only, and the envelope sender's domain fabrikam.com"),
               all(m.connectors[0].why));
    e.envelope_domain = "contoso.com";
    e.from_domain = "contoso.com";
    BOOST_TEST(match_connectors(e, config_of({partner})).name.value_or("") == "Partner contoso only");
    partner.sender_domains = {"smtp:*.contoso.com;1"};
    e.envelope_domain = "mail.contoso.com";
    BOOST_TEST(match_connectors(e, config_of({partner})).name.value_or("") == "Partner contoso only");
    // The envelope outside, From inside: which one it compares is not documented.
    e.envelope_domain = "bounces.esp.example";
    m = match_connectors(e, config_of({partner}));
    BOOST_TEST((m.connectors[0].outcome == ConnectorOutcome::Unknown));
    BOOST_TEST(m.not_ruled_out == std::vector<std::string>{"Partner contoso only"});
    // RequireTls on a Partner connector: without TLS it did not take it.
    partner.sender_domains = {"smtp:*;1"};
    partner.require_tls = true;
    e.tls = false;
    m = match_connectors(e, config_of({partner}));
    BOOST_TEST(!m.name);
    BOOST_TEST(any(m.connectors[0].why, "it requires TLS (RequireTls True)"), all(m.connectors[0].why));
    // Another organisation's internet mail: not a partner's, said as such.
    e.tls = true;
    e.auth_as = "Anonymous";
    m = match_connectors(e, config_of({partner}));
    BOOST_TEST(any(m.connectors[0].why, "EOP did not take the message as a partner's (AuthAs: Anonymous"),
               all(m.connectors[0].why));
    BOOST_TEST(!any(m.connectors[0].why, "organisation's own mail"));
    // A type the cmdlet does not take: open, never a match.
    auto odd = connector("BadType");
    odd.connector_type = "Hybrid";
    odd.sender_ip_addresses = {"198.51.100.77"};
    m = match_connectors(entry("198.51.100.77"), config_of({odd}));
    BOOST_TEST(!m.name);
    BOOST_TEST((m.connectors[0].outcome == ConnectorOutcome::Unknown));
    BOOST_TEST(m.not_ruled_out == std::vector<std::string>{"BadType"});
}

// EOP's spam filter took it as outgoing mail (DIR:OUT) with no
// FromEntityHeader: a connector took it; none given can have is the
// configuration out of force, as with HybridOnPrem.
BOOST_AUTO_TEST_CASE(dir_out_alone_says_a_connector_took_it) {
    auto relay = connector("Relay");
    relay.sender_ip_addresses = {"198.51.100.77"};
    EopEntry e = entry("203.0.113.9");
    e.from_entity.reset();
    e.connector_signal = "the spam filter's X-Forefront-Antispam-Report DIR:OUT";
    auto m = match_connectors(e, config_of({relay}));
    BOOST_TEST(m.config_not_in_force);
    BOOST_TEST(any(m.evidence, "EOP's stamps say an on-premises connector took the message (the spam filter's"),
               all(m.evidence));
    e.ip = "198.51.100.77";
    BOOST_TEST(!match_connectors(e, config_of({relay})).config_not_in_force);
}

BOOST_AUTO_TEST_CASE(lost_values_keep_the_answer_open) {
    // The Format-List paste: the printers' list was cut, so the message from an
    // address none of the shown values covers is not "no connector".
    ConnectorConfig fl = from_file("contoso-connectors-fl.txt");
    auto m = match_connectors(entry_from_message("hybridonprem-no-connector-matches.eml"), fl);
    BOOST_TEST(!m.name);
    BOOST_TEST((verdict(m, "Branch office printers").outcome == ConnectorOutcome::Unknown));
    BOOST_TEST(!m.config_not_in_force);
    BOOST_TEST((verdict(m, "Old fax gateway").outcome == ConnectorOutcome::CannotMatch));
    BOOST_TEST(any(verdict(m, "Fabrikam partner (TLS)").why, "Partner connector"));
    // Export-Csv lost every list: the certificate connector still answers.
    ConnectorConfig csv = from_file("contoso-connectors.csv");
    m = match_connectors(entry_from_message("via-relay-by-ip.eml"), csv);
    BOOST_TEST(!m.name);
    BOOST_TEST((verdict(m, "Relay and scanners by IP").outcome == ConnectorOutcome::Unknown));
    m = match_connectors(entry_from_message("via-relay-by-certificate.eml"), csv);
    BOOST_TEST(m.name.value_or("") == "Relay by certificate");
}

// A message that entered EOP from the relay, left through a gateway and came
// back: the connector is matched against the entry's spam-filter report (its
// CIP is the entry stamp's sender), never the later pass's on top.
BOOST_AUTO_TEST_CASE(a_later_pass_through_eop_is_not_the_entry_matched) {
    std::string message = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/o365-gateway-reentry-two-eop-passes.eml");
    message =
        "X-Forefront-Antispam-Report: CIP:203.0.113.123;CTRY:GB;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;"
        "H:outbound-2.mta.guard.example;PTR:InfoNoRecords;CAT:NONE;SFS:;DIR:INB;\n" +
        message;
    auto relay = connector("Northwind relay");
    relay.sender_ip_addresses = {"198.51.100.48"};
    auto gateway = connector("Guard gateway");
    gateway.sender_ip_addresses = {"203.0.113.123"};
    for (bool relay_first : {true, false}) {
        RuleSet rules = RuleSet::builtin();
        rules.set_connectors(relay_first ? config_of({relay, gateway}) : config_of({gateway, relay}));
        auto t = analyse_message(message, rules);
        BOOST_REQUIRE(t);
        BOOST_REQUIRE(t->relay && t->relay->connector);
        BOOST_TEST(t->relay->connector->name.value_or("") == "Northwind relay");
        BOOST_TEST(t->relay->connector->not_ruled_out.empty());
        BOOST_TEST(any(t->relay->connector->evidence, "198.51.100.48 (CIP of X-Forefront-Antispam-Report)"));
        // The attributed address is the later pass's, with a configuration given as without one.
        BOOST_TEST(any(t->relay->connector->evidence, "names 203.0.113.123: the sender of the later pass through EOP"),
                   all(t->relay->connector->evidence));
    }
}
