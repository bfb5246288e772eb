// Every lint rule of analyzer/data/connector-rules.txt on a configuration
// that breaks it (and one that does not), with the property, line and
// severity it names.
#define BOOST_TEST_MODULE connector_lint
#include <boost/test/unit_test.hpp>

#include <set>
#include <string>
#include <vector>

#include "classify/connector_lint.hh"
#include "test_support.hh"

using namespace hopscope;

namespace {

std::set<std::string> rules_tested;

ConnectorConfig read(const std::string& text, const std::string& name = "t.json") {
    auto c = read_connector_config(text, name);
    BOOST_REQUIRE_MESSAGE(c, (c ? std::string() : c.error().message));
    return *c;
}

// One connector as ConvertTo-Json writes it; `extra` is more members. The
// public addresses are ICANN's (192.0.32.0/20), no one's relay.
std::string one(const std::string& extra, const std::string& type = "OnPremises") {
    return "{\n  \"Name\": \"C\",\n  \"Enabled\": true,\n  \"ConnectorType\": \"" + type + "\",\n" + extra +
           "\n  \"SenderDomains\": [\"smtp:*;1\"]\n}\n";
}

std::vector<LintFinding> of_rule(const std::vector<LintFinding>& all, const std::string& rule) {
    rules_tested.insert(rule);
    std::vector<LintFinding> out;
    for (const auto& f : all)
        if (f.rule == rule) out.push_back(f);
    return out;
}

const std::string clean_ip = "  \"SenderIPAddresses\": [\"192.0.33.160\"],";

}  // namespace

BOOST_AUTO_TEST_CASE(a_clean_configuration_has_no_findings) {
    ConnectorConfig c = read(one(clean_ip + "\n  \"RequireTls\": false,"));
    BOOST_TEST(lint_connectors(c).empty());
    c = read(one("  \"TlsSenderCertificateName\": \"*.contoso.com\",\n  \"RequireTls\": true,"));
    BOOST_TEST(lint_connectors(c).empty());
}

BOOST_AUTO_TEST_CASE(special_addresses) {
    struct Case {
        const char* entry;
        const char* says;
    };
    const Case cases[] = {
        {"10.20.30.50", "a private address (RFC 1918)"},
        {"172.16.5.4", "a private address (RFC 1918)"},
        {"192.168.40.0/24", "a private address (RFC 1918)"},
        {"100.64.1.2", "carrier-grade NAT"},
        {"127.0.0.1", "loopback"},
        {"169.254.10.1", "link-local"},
        {"198.51.100.77", "documentation address (TEST-NET-2"},
        {"192.0.2.10", "TEST-NET-1"},
        {"203.0.113.0/24", "TEST-NET-3"},
        {"224.0.0.5", "multicast"},
        {"255.255.255.255", "reserved"},
        {"0.0.0.0", "this network"},
    };
    for (const auto& c : cases) {
        ConnectorConfig cfg = read(one(std::string("  \"SenderIPAddresses\": [\"") + c.entry + "\"],"));
        auto f = of_rule(lint_connectors(cfg), "ip-special");
        BOOST_REQUIRE_EQUAL(f.size(), 1U);
        BOOST_TEST(f[0].severity == "error");
        BOOST_TEST(f[0].property == "SenderIPAddresses");
        BOOST_TEST(f[0].connector == "C");
        BOOST_TEST(f[0].line == 5);
        BOOST_TEST(f[0].file == "t.json");
        BOOST_TEST(f[0].message.find(c.says) != std::string::npos, f[0].message);
        BOOST_TEST(f[0].message.find(c.entry) == 0U);
        BOOST_TEST(f[0].source.find("https://") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(entries_exchange_online_refuses) {
    ConnectorConfig c =
        read(one("  \"SenderIPAddresses\": [\"2001:db8::25\", \"192.0.33.1-192.0.33.9\", \"192.0.32.0/20\", "
                 "\"relay.contoso.com\", \"192.0.32.0/23\", \"192.0.33.0/24\"],"));
    auto all = lint_connectors(c);
    auto v6 = of_rule(all, "ip-ipv6");
    BOOST_REQUIRE_EQUAL(v6.size(), 1U);
    BOOST_TEST(v6[0].message.find("2001:db8::25 is an IPv6 address") == 0U);
    auto range = of_rule(all, "ip-range");
    BOOST_REQUIRE_EQUAL(range.size(), 1U);
    BOOST_TEST(range[0].message.find("192.0.33.1-192.0.33.9") == 0U);
    auto prefix = of_rule(all, "ip-prefix");
    BOOST_REQUIRE_EQUAL(prefix.size(), 2U);  // /16 and /23; the /24 is accepted
    BOOST_TEST(prefix[1].message.find("192.0.32.0/23 is wider than a /24") == 0U);
    auto invalid = of_rule(all, "ip-invalid");
    BOOST_REQUIRE_EQUAL(invalid.size(), 1U);
    BOOST_TEST(invalid[0].message.find("'relay.contoso.com'") == 0U);
    for (const auto& f : all) BOOST_TEST(f.severity == "error");
    BOOST_TEST(all.size() == 5U);
}

BOOST_AUTO_TEST_CASE(the_same_address_on_several_connectors) {
    ConnectorConfig c = read(R"([{"Name":"A","ConnectorType":"OnPremises","SenderIPAddresses":["192.0.33.0/24"]},
{"Name":"B","ConnectorType":"OnPremises","SenderIPAddresses":["192.0.33.160"]},
{"Name":"Off","Enabled":false,"ConnectorType":"OnPremises","SenderIPAddresses":["192.0.33.160"]},
{"Name":"D","ConnectorType":"OnPremises","SenderIPAddresses":["192.0.34.1"]}])");
    auto f = of_rule(lint_connectors(c), "ip-shared");
    BOOST_REQUIRE_EQUAL(f.size(), 1U);  // a disabled connector shares nothing
    BOOST_TEST(f[0].connector == "B");
    BOOST_TEST(f[0].severity == "warning");
    BOOST_TEST(f[0].message.find("192.0.33.160 is on connector 'A' (as 192.0.33.0/24) too") == 0U, f[0].message);
    BOOST_TEST(f[0].source == "not documented by Microsoft");
}

BOOST_AUTO_TEST_CASE(many_connectors_sharing_addresses_in_linear_time) {
    std::string all = "[";
    for (int i = 0; i < 10000; ++i)
        all += "{\"Name\":\"C" + std::to_string(i) + "\",\"ConnectorType\":\"OnPremises\",\"SenderIPAddresses\":[" +
               "\"192.0.33.1\",\"192.0.33.2\",\"192.0.33." + std::to_string(i % 250) + "\",\"192.0.34.0/24\"]},";
    all.back() = ']';
    auto f = of_rule(lint_connectors(read(all)), "ip-shared");
    BOOST_TEST(f.size() >= 9999U * 3);
    BOOST_TEST(f.back().message.find("connector 'C0'") != std::string::npos, f.back().message);
}

BOOST_AUTO_TEST_CASE(an_onpremises_connector_that_identifies_nothing) {
    ConnectorConfig c = read(one("  \"SenderIPAddresses\": [],\n  \"TlsSenderCertificateName\": null,"));
    auto f = of_rule(lint_connectors(c), "no-identity");
    BOOST_REQUIRE_EQUAL(f.size(), 1U);
    BOOST_TEST(f[0].severity == "error");
    // A Partner connector scopes by SenderDomains: not this rule.
    BOOST_TEST(of_rule(lint_connectors(read(one("  \"SenderIPAddresses\": [],", "Partner"))), "no-identity").empty());
    // Lost values are not "none".
    c = read("Name,ConnectorType,SenderIPAddresses,TlsSenderCertificateName\nC,OnPremises,System.String[],\n");
    BOOST_TEST(of_rule(lint_connectors(c), "no-identity").empty());
}

BOOST_AUTO_TEST_CASE(certificate_names) {
    auto all =
        lint_connectors(read(one("  \"TlsSenderCertificateName\": \"*.contoso.com\",\n  \"RequireTls\": false,")));
    auto f = of_rule(all, "cert-no-require-tls");
    BOOST_REQUIRE_EQUAL(f.size(), 1U);
    BOOST_TEST(f[0].severity == "warning");
    BOOST_TEST(f[0].property == "TlsSenderCertificateName");
    BOOST_TEST(f[0].line == 5);
    f = of_rule(lint_connectors(read(one("  \"TlsSenderCertificateName\": \"*\",\n  \"RequireTls\": true,"))),
                "cert-lone-wildcard");
    BOOST_REQUIRE_EQUAL(f.size(), 1U);
    BOOST_TEST(f[0].severity == "error");
    for (const char* name : {"mail.*.contoso.com", "*contoso.com", "*.*.contoso.com"}) {
        f = of_rule(lint_connectors(read(one(std::string("  \"TlsSenderCertificateName\": \"") + name +
                                             "\",\n  \"RequireTls\": true,"))),
                    "cert-embedded-wildcard");
        BOOST_REQUIRE_EQUAL(f.size(), 1U);
        BOOST_TEST(f[0].message.find(name) != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(certificate_domain_among_the_accepted_domains) {
    const std::string domains = R"([{"DomainName":"contoso.com","DomainType":"Authoritative","Default":true},
{"DomainName":"contoso.onmicrosoft.com","DomainType":"Authoritative","Default":false}])";
    auto with = [&](const std::string& name) {
        ConnectorConfig c = read(one("  \"TlsSenderCertificateName\": \"" + name + "\",\n  \"RequireTls\": true,"));
        merge_config(c, read(domains, "d.json"));
        return of_rule(lint_connectors(c), "cert-domain-not-accepted");
    };
    BOOST_TEST(with("*.contoso.com").empty());
    BOOST_TEST(with("relay2.contoso.com").empty());
    auto f = with("mail.fabrikam.example");
    BOOST_REQUIRE_EQUAL(f.size(), 1U);
    BOOST_TEST(f[0].severity == "warning");
    BOOST_TEST(f[0].message.find("accepted: contoso.com, contoso.onmicrosoft.com") != std::string::npos);
    BOOST_TEST(f[0].source.find("updated-requirements-smtp-relay") != std::string::npos);
    // Without accepted domains nothing can be said.
    BOOST_TEST(of_rule(lint_connectors(read(one("  \"TlsSenderCertificateName\": \"mail.fabrikam.example\",\n"
                                                "  \"RequireTls\": true,"))),
                       "cert-domain-not-accepted")
                   .empty());
}

BOOST_AUTO_TEST_CASE(a_partner_connector_where_relay_is_wanted) {
    auto f = of_rule(lint_connectors(read(one(clean_ip, "Partner"))), "partner-relay");
    BOOST_REQUIRE_EQUAL(f.size(), 1U);
    BOOST_TEST(f[0].property == "ConnectorType");
    BOOST_TEST(f[0].message.find("its address (SenderIPAddresses)") != std::string::npos);
    // A partner's own, scoped to its domain: a real partner connector.
    ConnectorConfig c = read(R"({"Name":"Fabrikam","ConnectorType":"Partner","SenderDomains":["smtp:fabrikam.com;1"],
"TlsSenderCertificateName":"mail.fabrikam.com","RequireTls":true,"RestrictDomainsToCertificate":true})");
    BOOST_TEST(lint_connectors(c).empty());
}

BOOST_AUTO_TEST_CASE(disabled_and_untyped) {
    auto f = of_rule(lint_connectors(read(R"({"Name":"Off","Enabled":false,"ConnectorType":"OnPremises",
"SenderIPAddresses":["192.0.33.160"]})")),
                     "disabled");
    BOOST_REQUIRE_EQUAL(f.size(), 1U);
    BOOST_TEST(f[0].severity == "note");
    BOOST_TEST(f[0].property == "Enabled");
    f = of_rule(lint_connectors(read("Name              : X\nSenderIPAddresses : {192.0.33.160}\n")), "type-missing");
    BOOST_REQUIRE_EQUAL(f.size(), 1U);
    BOOST_TEST(f[0].severity == "warning");
    f = of_rule(lint_connectors(read(R"({"Name":"BadType","ConnectorType":"Hybrid","SenderIPAddresses":["192.0.33.160"]})")),
                "type-unknown");
    BOOST_REQUIRE_EQUAL(f.size(), 1U);
    BOOST_TEST(f[0].severity == "error");
    BOOST_TEST(f[0].message.find("Hybrid is neither OnPremises nor Partner") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(values_lost_in_format_list_and_csv) {
    std::string fl = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/connectors/contoso-connectors-fl.txt");
    auto cut = of_rule(lint_connectors(read(fl, "fl.txt")), "values-cut");
    BOOST_REQUIRE_EQUAL(cut.size(), 2U);
    BOOST_TEST(cut[0].connector == "Branch office printers");
    BOOST_TEST(cut[0].property == "SenderIPAddresses");
    BOOST_TEST(cut[0].message.find("$FormatEnumerationLimit") != std::string::npos);
    BOOST_TEST(cut[1].property == "SenderDomains");
    std::string csv = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/connectors/contoso-connectors.csv");
    auto lost = of_rule(lint_connectors(read(csv, "c.csv")), "values-lost");
    BOOST_REQUIRE_EQUAL(lost.size(), 9U);  // three lists on each of three connectors
    BOOST_TEST(lost[0].message.find("ConvertTo-Json -Depth 5") != std::string::npos);
    BOOST_TEST(lost[0].severity == "warning");
    BOOST_TEST(lost[0].line == 3);
}

BOOST_AUTO_TEST_CASE(every_rule_is_tested_and_cited) {
    // Runs last (Boost.Test keeps the file's order): each rule of the table has a case above.
    for (const auto& id : lint_rule_ids()) BOOST_TEST(rules_tested.count(id) == 1U, "no test for rule " + id);
    BOOST_TEST(lint_rule_ids().size() == rules_tested.size());
}
