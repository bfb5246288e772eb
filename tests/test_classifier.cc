// Roles, evidence and the relay verdict, on the corpus's relay shapes and
// with the user's own rules.
#define BOOST_TEST_MODULE classifier
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "chain/trace_builder.hh"
#include "classify/hop_classifier.hh"
#include "classify/network.hh"
#include "classify/role_rules.hh"
#include "test_support.hh"

using namespace hopscope;

namespace {

Trace traced(const std::string& corpus_file, const RuleSet& rules = RuleSet::builtin()) {
    auto t = build_trace(read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/" + corpus_file));
    BOOST_REQUIRE(t);
    classify(*t, rules);
    return *t;
}

std::string roles(const Trace& t) {
    std::string out;
    for (const auto& h : t.hops) out += (out.empty() ? "" : " > ") + h.role;
    return out;
}

bool any_evidence(const Trace& t, const std::string& needle) {
    for (const auto& h : t.hops)
        for (const auto& e : h.evidence)
            if (e.find(needle) != std::string::npos) return true;
    return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(glob_and_networks) {
    BOOST_TEST(host_glob("*.mail.protection.outlook.com", "Contoso-com.MAIL.protection.outlook.com"));
    BOOST_TEST(!host_glob("*.mail.protection.outlook.com", "mail.protection.outlook.com.evil.example"));
    BOOST_TEST(host_glob("*ft###.*.prod.outlook.com", "DM6NAM10FT028.eop-nam10.prod.outlook.com"));
    BOOST_TEST(!host_glob("*ft###.*.prod.outlook.com", "DM6NAM10FTX28.eop-nam10.prod.outlook.com"));
    BOOST_TEST(host_glob("*a*a*a*a*b", std::string(5000, 'a') + "b"));
    auto n = Network::parse("10.0.0.0/8");
    BOOST_REQUIRE(n);
    BOOST_TEST(n->contains("10.20.30.41"));
    BOOST_TEST(n->contains("::ffff:10.1.2.3"));
    BOOST_TEST(!n->contains("11.0.0.1"));
    auto v6 = Network::parse("2a01:111:f403::/48");
    BOOST_REQUIRE(v6);
    BOOST_TEST(v6->contains("2a01:111:f403:2805::800"));
    BOOST_TEST(!Network::parse("10.0.0.0/33"));
    BOOST_TEST(!Network::parse("banana/8"));
}

BOOST_AUTO_TEST_CASE(relay_with_tls) {
    auto t = traced("demo-o365-relay.eml");
    BOOST_TEST(roles(t) == "local-relay > eop > exchange-online > exchange-online > exchange-online");
    BOOST_TEST(t.relay->traversed);
    BOOST_TEST(*t.relay->host == "relay.contoso.com");
    BOOST_TEST(*t.relay->ip == "198.51.100.77");
    BOOST_TEST(*t.relay->tls);
    BOOST_TEST(*t.relay->connector == "on-premises (FromEntityHeader: HybridOnPrem)");
    BOOST_TEST(any_evidence(t, "sender 10.20.30.41 is a private address"));
    BOOST_TEST(any_evidence(t, "by-host matches *.mail.protection.outlook.com"));
}

BOOST_AUTO_TEST_CASE(relay_without_tls) {
    auto t = traced("o365-relay-iis-smtpsvc.eml");
    BOOST_TEST(t.relay->traversed);
    BOOST_TEST(!*t.relay->tls);
}

BOOST_AUTO_TEST_CASE(two_local_hops_exchange_frontend_to_hub) {
    auto t = traced("o365-relay-exchange-onprem.eml");
    BOOST_TEST(roles(t) ==
               "local-relay > local-relay > local-relay > eop > exchange-online > exchange-online > exchange-online");
    BOOST_TEST(t.relay->traversed);
    BOOST_TEST(*t.relay->host == "mail.northwind.example");
}

BOOST_AUTO_TEST_CASE(direct_send_is_not_traversed) {
    auto t = traced("o365-direct-send.eml");
    BOOST_TEST(t.hops.front().role == "eop");
    BOOST_TEST(!t.relay->traversed);
    BOOST_TEST(*t.relay->host == "RICOH-IMC3000");
    BOOST_TEST(!*t.relay->tls);
}

BOOST_AUTO_TEST_CASE(authenticated_submission_is_not_traversed) {
    auto t = traced("o365-smtp-auth-submission.eml");
    BOOST_TEST(roles(t) == "exchange-online > exchange-online > exchange-online");
    BOOST_TEST(!t.relay->traversed);
    BOOST_TEST(t.relay->evidence.at(0).find("no EOP hop") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(private_address_relay) {
    auto t = traced("o365-relay-helo-literal.eml");
    BOOST_TEST(t.hops.front().role == "local-relay");
    BOOST_TEST(t.relay->traversed);
    BOOST_TEST(*t.relay->ip == "192.0.2.61");
}

BOOST_AUTO_TEST_CASE(outbound_to_gmail) {
    auto t = traced("o365-relay-to-gmail.eml");
    BOOST_TEST(roles(t) ==
               "local-relay > eop > exchange-online > exchange-online > exchange-online > external-delivery > "
               "external-delivery");
    BOOST_TEST(t.relay->traversed);
    BOOST_TEST(any_evidence(t, "left Microsoft 365 at hop #5"));
}

BOOST_AUTO_TEST_CASE(inbound_from_the_internet) {
    auto t = traced("o365-inbound-from-internet.eml");
    BOOST_TEST(roles(t) ==
               "sender-infrastructure > sender-infrastructure > eop > exchange-online > exchange-online > "
               "exchange-online");
    BOOST_TEST(!t.relay->traversed);
}

BOOST_AUTO_TEST_CASE(relay_named_by_option_matches) {
    auto rules = RuleSet::builtin();
    BOOST_REQUIRE(rules.add_relay("198.51.100.0/24"));
    auto t = traced("demo-o365-relay.eml", rules);
    BOOST_TEST(t.relay->traversed);
    bool cited = false;
    for (const auto& e : t.relay->evidence) cited = cited || e.find("named by --relay") != std::string::npos;
    BOOST_TEST(cited);
}

BOOST_AUTO_TEST_CASE(relay_named_by_option_does_not_match) {
    auto rules = RuleSet::builtin();
    BOOST_REQUIRE(rules.add_relay("relay2.contoso.com"));
    auto t = traced("demo-o365-relay.eml", rules);
    BOOST_TEST(!t.relay->traversed);
    bool said = false;
    for (const auto& e : t.relay->evidence)
        said = said || e.find("not the relay named by --relay") != std::string::npos;
    BOOST_TEST(said);
}

BOOST_AUTO_TEST_CASE(relay_named_by_host_name) {
    auto rules = RuleSet::builtin();
    BOOST_REQUIRE(rules.add_relay("RELAY.contoso.com"));
    BOOST_TEST(traced("demo-o365-relay.eml", rules).relay->traversed);
}

BOOST_AUTO_TEST_CASE(internal_net_makes_a_public_hop_local) {
    auto plain = traced("postfix-basic.eml");
    BOOST_TEST(plain.hops.front().role == "local-relay");  // authenticated submission
    auto rules = RuleSet::builtin();
    BOOST_REQUIRE(rules.add_internal_net("192.0.2.0/24"));
    auto t = traced("zmailer-vger-list.eml", rules);
    BOOST_TEST(t.hops.front().role == "external-delivery");  // sender is Microsoft's outbound EOP
}

// Host rules are looked up by the end of the host (case-insensitively);
// rules with a short tail, or none, are tried for every host, and the
// user's rules still come first.
BOOST_AUTO_TEST_CASE(host_rules_found_by_the_end_of_the_host) {
    auto rules = RuleSet::builtin();
    BOOST_REQUIRE(rules.add_rule_line("internal by-host *.Corp.EXAMPLE.com corp mail"));
    BOOST_REQUIRE(rules.add_rule_line("internal by-host *x.io short tail"));
    BOOST_REQUIRE(rules.add_rule_line("internal by-host relay7.example.org one host"));
    BOOST_REQUIRE(rules.add_rule_line("internal by-host *.protection.outlook.com ours first"));
    auto family_of = [&](const std::string& host) -> std::string {
        auto m = rules.match_by(host, std::nullopt, std::nullopt);
        return m ? std::string(family_name(m->rule->family)) + ": " + m->evidence : "none";
    };
    BOOST_TEST(family_of("MX1.corp.example.COM").starts_with("internal: corp mail"));
    BOOST_TEST(family_of("mail.example.com") == "none");
    BOOST_TEST(family_of("abcX.IO").starts_with("internal: short tail"));
    BOOST_TEST(family_of("x.io").starts_with("internal: short tail"));  // shorter than the key
    BOOST_TEST(family_of("RELAY7.example.org").starts_with("internal: one host"));
    BOOST_TEST(family_of("relay8.example.org") == "none");
    BOOST_TEST(family_of("am0pr01mb1234.eurprd01.prod.protection.outlook.com").starts_with("internal: ours first"));
    BOOST_TEST(family_of("DM6NAM10FT028.eop-nam10.prod.outlook.com").starts_with("eop"));
}

BOOST_AUTO_TEST_CASE(config_rules_extend_the_table) {
    auto rules = RuleSet::builtin();
    BOOST_REQUIRE(rules.add_rule_line("internal by-host h3.example.com our old relay"));
    auto t = traced("named-zones-and-old-forms.eml", rules);
    BOOST_TEST(t.hops[2].role == "local-relay");
    BOOST_TEST(t.hops[2].evidence.at(0) == "our old relay (config rule)");
    BOOST_TEST(!rules.add_rule_line("wizard by-host x"));
    BOOST_TEST(!rules.add_rule_line("internal by-moon x"));
    BOOST_TEST(!rules.add_rule_line("internal by-ip not-a-cidr"));
    BOOST_TEST(!rules.add_relay("bad host!"));
    BOOST_TEST(!rules.add_internal_net("10.0.0.0/99"));
}

BOOST_AUTO_TEST_CASE(device_stamps_itself) {
    auto t = traced("postfix-tls13-ipv6.eml");
    BOOST_TEST(t.hops.front().role == "origin-device");
    auto s = traced("sendmail-ident-auth.eml");
    BOOST_TEST(s.hops.front().role == "origin-device");
}

BOOST_AUTO_TEST_CASE(every_hop_has_evidence) {
    for (const char* f : {"demo-o365-relay.eml", "o365-relay-to-gmail.eml", "o365-inbound-from-internet.eml",
                          "zmailer-vger-list.eml", "named-zones-and-old-forms.eml"}) {
        auto t = traced(f);
        for (const auto& h : t.hops) BOOST_TEST(!h.evidence.empty(), f << " hop " << h.index);
    }
}

BOOST_AUTO_TEST_CASE(microsoft_signals_are_evidence_and_contradictions_are_said) {
    std::string m = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/demo-o365-relay.eml");
    auto t = build_trace(m);
    BOOST_REQUIRE(t);
    classify(*t, RuleSet::builtin());
    bool arrival = false;
    for (const auto& e : t->relay->evidence) arrival = arrival || e.find("OriginalArrivalTime") != std::string::npos;
    BOOST_TEST(arrival);
    BOOST_TEST(t->anomalies.empty());

    auto replace = [](std::string s, const std::string& from, const std::string& to) {
        s.replace(s.find(from), from.size(), to);
        return s;
    };
    std::string forged = replace(replace(m, "sender IP is 198.51.100.77", "sender IP is 203.0.113.9"),
                                 "CrossTenant-OriginalArrivalTime: 14 May 2024 07:12:05.5841",
                                 "CrossTenant-OriginalArrivalTime: 14 May 2024 09:12:05.5841");
    auto f = build_trace(forged);
    BOOST_REQUIRE(f);
    classify(*f, RuleSet::builtin());
    int contradictions = 0;
    for (const auto& a : f->anomalies) contradictions += a.kind == "signal-contradiction" ? 1 : 0;
    BOOST_TEST(contradictions == 2);

    auto internet = build_trace(replace(m, "FromEntityHeader: HybridOnPrem", "FromEntityHeader: Internet"));
    BOOST_REQUIRE(internet);
    classify(*internet, RuleSet::builtin());
    BOOST_TEST(internet->anomalies.at(0).detail.find("no on-premises connector matched") != std::string::npos);
}
