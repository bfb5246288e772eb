// Roles, evidence and the relay verdict, on the corpus's relay shapes and
// with the user's own rules.
#define BOOST_TEST_MODULE classifier
#include <libpsl.h>
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "chain/trace_builder.hh"
#include "classify/hop_classifier.hh"
#include "classify/message_analysis.hh"
#include "classify/network.hh"
#include "classify/organisation.hh"
#include "classify/public_suffix.hh"
#include "classify/relay_verdict.hh"
#include "classify/role_rules.hh"
#include "parse/ip_address.hh"
#include "parse/security_headers.hh"
#include "parse/tls_version.hh"
#include "report/text_report.hh"
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
    for (const auto& h : t.hops) out += (out.empty() ? "" : " > ") + std::string(h.role);
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
    BOOST_TEST(t.relay->connector.value().evidence.front().find(
                   "of type OnPremises (FromEntityHeader: HybridOnPrem)") != std::string::npos);
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
    BOOST_TEST(t.relay->state == "not-traversed");
    BOOST_TEST(t.relay->method == "client-submission");
    BOOST_TEST(t.relay->entry_hop.value() == 1);
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
    BOOST_TEST(any_evidence(t, "mx.google.com (Gmail / Google Workspace inbound): the recipient's provider"));
    BOOST_TEST(t.hops[6].evidence.front() == "the recipient's side since hop #6");
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
        said = said || e.find("is not the relay --relay names (relay2.contoso.com)") != std::string::npos;
    BOOST_TEST(said);
    BOOST_TEST(t.relay->reason == "not-your-relay");
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
        return m ? std::string(family_name(m->rule->family)) + ": " + m->evidence() : "none";
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

// A login at a host an inbound-MX rule names is the sender's submission to
// that provider: with `login` the MX rule is passed over for the provider's.
BOOST_AUTO_TEST_CASE(a_login_passes_over_inbound_mx_rules) {
    const auto& rules = RuleSet::builtin();
    std::optional<std::string> mx = "mx.google.com";
    auto plain = rules.match_by(mx, std::nullopt, std::string("ESMTPSA"));
    auto login = rules.match_by(mx, std::nullopt, std::string("ESMTPSA"), true);
    BOOST_REQUIRE(plain && login);
    BOOST_TEST(family_name(plain->rule->family) == "mx");
    BOOST_TEST(family_name(login->rule->family) == "provider");
    BOOST_TEST(login->rule->product == "Google (Gmail / Workspace)");
    // Rules of other families are the same either way.
    std::optional<std::string> eop = "DM6NAM10FT028.eop-nam10.prod.outlook.com";
    BOOST_TEST(rules.match_by(eop, std::nullopt, std::nullopt, true)->rule ==
               rules.match_by(eop, std::nullopt, std::nullopt)->rule);
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
    // The relay was reached, but EOP took the mail as internet mail: no connector matched.
    BOOST_TEST(internet->relay->state == "not-traversed");
    BOOST_TEST(internet->relay->reason == "connector-not-matched");
    // Microsoft 365 cannot tell such a relay from Direct Send: that is how it took it.
    BOOST_TEST(internet->relay->method == "direct-send");
}

// --- Organisations, roles v2, gateways and connectors (issue 13) ---

namespace {

std::string orgs(const Trace& t) {
    std::string out;
    for (const auto& h : t.hops) out += (out.empty() ? "" : " > ") + h.org.value_or("-");
    return out;
}

Trace traced_text(const std::string& message, const RuleSet& rules = RuleSet::builtin()) {
    auto t = build_trace(message);
    BOOST_REQUIRE(t);
    classify(*t, rules);
    return *t;
}

}  // namespace

BOOST_AUTO_TEST_CASE(public_suffix_list_draws_organisations) {
    BOOST_TEST(org_of_name("mx0a-00082601.pphosted.com").value() == "pphosted.com");
    BOOST_TEST(org_of_name("DLEE212.ent.TI.com.").value() == "ti.com");
    BOOST_TEST(org_of_name("mail.sgis.com.cn").value() == "sgis.com.cn");  // a two-label public suffix
    BOOST_TEST(org_of_name("mbx13b.intern.tuwien.ac.at").value() == "tuwien.ac.at");
    BOOST_TEST(!org_of_name("com.au"));  // a public suffix itself
    // The list has rules under za (co.za, org.za) but no "za" of its own.
    BOOST_TEST(org_of_name("mail.vastech.co.za").value_or("") == "vastech.co.za");
    BOOST_TEST(org_of_name("za-smtp-delivery-1.mimecast.co.za").value_or("") == "mimecast.co.za");
    BOOST_TEST(!org_of_name("co.za"));
    BOOST_TEST(!org_of_name("mail.example.za"));  // no rule for example.za: no organisation is made up
    BOOST_TEST(!org_of_name(".za"));
    BOOST_TEST(!org_of_name("exch01.corp"));
    BOOST_TEST(!org_of_name("EXCAS01.fabrikam.local"));
    BOOST_TEST(!org_of_name("localhost.localdomain"));
    BOOST_TEST(!org_of_name("mailhost"));
    BOOST_TEST(!org_of_name("[192.0.2.1]"));
    BOOST_TEST(!org_of_name("192.0.2.1"));
    BOOST_TEST(!org_of_name("2001:db8::1"));
    BOOST_TEST(org_of_address("Jane <jane@mail.Example.co.uk>").value() == "example.co.uk");
    BOOST_TEST(site_local_address("127.0.0.1"));
    BOOST_TEST(site_local_address("fd12::1"));
    BOOST_TEST(!site_local_address("198.51.100.1"));
}

BOOST_AUTO_TEST_CASE(unnamed_receivers_take_the_neighbours_organisation) {
    // by an address literal, by an internal name, by nothing: each takes the
    // org of the same system seen from the next stamp or the one before.
    auto t = traced_text(
        "Received: from mx1.example.org (mx1.example.org [192.0.2.10]) by mbox.example.org with LMTP;"
        " Mon, 4 Nov 2024 10:00:04 +0000\n"
        "Received: from localhost (localhost [127.0.0.1]) by mx1.example.org with ESMTP;"
        " Mon, 4 Nov 2024 10:00:03 +0000\n"
        "Received: from mail.sender.example (mail.sender.example [198.51.100.5]) by [192.0.2.10] with ESMTP;"
        " Mon, 4 Nov 2024 10:00:02 +0000\n"
        "Received: from laptop (laptop.sender.lan [10.0.0.7]) by relay01 with ESMTP;"
        " Mon, 4 Nov 2024 10:00:01 +0000\n"
        "From: a@sender.example\nDate: Mon, 4 Nov 2024 10:00:00 +0000\n\n");
    BOOST_TEST(orgs(t) == "sender.example > example.org > example.org > example.org", orgs(t));
    BOOST_TEST(t.hops[0].evidence.back() ==
               "org sender.example: the next stamp's sender mail.sender.example is this "
               "receiver");
    BOOST_TEST(t.hops[1].evidence.back() == "org example.org: it handed the message on inside one system to hop #3");
    auto g = traced("gmail-to-gmail.eml");
    BOOST_TEST(g.hops.front().org.value() == "google.com");  // 2002:a05:… is Google's own stamp
}

BOOST_AUTO_TEST_CASE(list_server_and_its_loopback_reinjection_are_the_lists) {
    auto t = traced("list-to-recipient.eml");
    BOOST_TEST(roles(t) ==
               "sender-infrastructure > sender-infrastructure > mailing-list > mailing-list > mailing-list > "
               "external-delivery > external-delivery");
    // org is the registrable domain: Gmail's submission host is gmail.com,
    // its relays google.com, both Google's (the run's service).
    BOOST_TEST(orgs(t) == "gmail.com > google.com > kernel.org > kernel.org > kernel.org > example.org > example.org");
    BOOST_TEST(t.orgs.size() == 4U);
    BOOST_TEST(t.orgs[2].org.value() == "kernel.org");
    BOOST_TEST(t.orgs[2].first_hop == 3);
    BOOST_TEST(t.orgs[2].last_hop == 5);
    // Without the list headers, the same chain is Gmail, then the receivers.
    std::string m = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/list-to-recipient.eml");
    m.erase(m.find("List-Id:"), m.find("Precedence:") - m.find("List-Id:"));
    BOOST_TEST(roles(traced_text(m)).find("mailing-list") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(gateways_inbound_and_outbound) {
    auto in = traced("gateway-inbound-proofpoint.eml");
    BOOST_TEST(roles(in) ==
               "sender-infrastructure > sender-infrastructure > security-gateway > security-gateway > eop > "
               "exchange-online > exchange-online > exchange-online");
    BOOST_TEST(!in.relay->traversed);  // internet mail through the recipient's gateway
    BOOST_REQUIRE(in.relay->via);      // which the answer names all the same
    BOOST_TEST(in.relay->via->product == "Proofpoint");
    auto out = traced("exo-outbound-gateway-hybrid.eml");
    BOOST_TEST(roles(out) ==
               "exchange-online > exchange-online > local-relay > local-relay > security-gateway > security-gateway > "
               "external-delivery > external-delivery");
    BOOST_TEST(out.hops[2].evidence.front() == "the sender's own organisation woodgrove.example");
    BOOST_TEST(out.hops[5].evidence.front().find("Proofpoint") != std::string::npos);
}

// A server before EOP without Exchange's headers that say how it was taken
// in: neither a connector nor the organisation's relay is proven, unless
// --relay names EOP's sender.
BOOST_AUTO_TEST_CASE(relay_without_exchange_headers_is_not_confirmed) {
    std::string m = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/demo-o365-relay.eml");
    for (const char* name : {"X-MS-Exchange-Organization-AuthAs: Anonymous\n",
                             "X-MS-Exchange-CrossTenant-FromEntityHeader: HybridOnPrem\n"}) {
        BOOST_REQUIRE(m.find(name) != std::string::npos);
        m.erase(m.find(name), std::string(name).size());
    }
    m.replace(m.find("DIR:INB;"), 8, "");
    auto t = traced_text(m);
    BOOST_TEST(t.relay->state == "not-applicable");
    BOOST_TEST(t.relay->reason == "no-connector-headers");
    BOOST_TEST(!t.relay->traversed);
    auto rules = RuleSet::builtin();
    BOOST_REQUIRE(rules.add_relay("198.51.100.77"));
    auto named = traced_text(m, rules);
    BOOST_TEST(named.relay->state == "traversed");
    BOOST_TEST(named.relay->reason == "no-connector-headers");
    // No Received stamp at all: nothing says whether it reached Microsoft 365.
    auto bare = traced_text("From: a@contoso.com\nTo: b@contoso.com\nSubject: draft\n\nbody\n");
    BOOST_TEST(bare.relay->reason == "no-received");
    BOOST_TEST(bare.relay->state == "not-applicable");
}

BOOST_AUTO_TEST_CASE(relay_through_a_gateway_is_traversed_via_it) {
    auto t = traced("gateway-outbound-mimecast-relay.eml");
    BOOST_TEST(roles(t) ==
               "local-relay > security-gateway > eop > exchange-online > exchange-online > exchange-online");
    BOOST_TEST(t.relay->traversed);
    BOOST_REQUIRE(t.relay->via);
    BOOST_TEST(t.relay->via->org == "mimecast.com");
    BOOST_TEST(t.relay->via->product == "Mimecast");
    // The attributed-IP header is on connector mail of either kind: over TLS
    // the certificate may have matched as well as the IP.
    BOOST_TEST(!t.relay->matched_by);
    {
        std::string plain = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/gateway-outbound-mimecast-relay.eml");
        const std::string tls =
            "Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\n 15.20.8137.17 via";
        BOOST_REQUIRE(plain.find(tls) != std::string::npos);
        plain.replace(plain.find(tls), tls.size(), "Server id\n 15.20.8137.17 via");
        auto p = traced_text(plain);
        BOOST_TEST(p.relay->matched_by.value_or("") == "ip");  // without TLS no certificate can have matched
    }
    // The same chain as anonymous internet mail: the recipient's gateway, not a route of the relay.
    std::string m = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/gateway-outbound-mimecast-relay.eml");
    m.replace(m.find("AuthAs: Partner"), 15, "AuthAs: Anonymous");
    m.replace(m.find("FromEntityHeader: HybridOnPrem"), 30, "FromEntityHeader: Internet");
    auto anon = traced_text(m);
    BOOST_TEST(!anon.relay->traversed);
    BOOST_TEST(anon.relay->reason == "connector-not-matched");
    BOOST_REQUIRE(anon.relay->via);
    BOOST_TEST(anon.relay->via->org == "mimecast.com");
}

BOOST_AUTO_TEST_CASE(two_domains_of_one_company_joined_by_microsofts_word) {
    // Microsoft 365 took the message from the second domain's gateway as the
    // tenant's own (HybridOnPrem) mail that originated there: the two
    // domains are one organisation.
    auto t = traced("two-domains-by-position.eml");
    BOOST_TEST(roles(t) == "local-relay > local-relay > eop > exchange-online > exchange-online > exchange-online");
    BOOST_TEST(orgs(t).starts_with("northwind-werke.example > northwind-group.example > microsoft-365"));
    BOOST_TEST(t.hops[1].evidence.front().find("are one organisation: Microsoft 365 took it as the tenant's own") !=
               std::string::npos);
    BOOST_TEST(t.relay->traversed);
    BOOST_TEST(t.relay->matched_by.value() == "certificate");  // AuthMechanism 02, MutualTLS
    // EOP saying it took the message as internet mail breaks the join.
    std::string m = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/two-domains-by-position.eml");
    m.replace(m.find("FromEntityHeader: HybridOnPrem"), 30, "FromEntityHeader: Internet");
    BOOST_TEST(traced_text(m).hops[1].role == "external-delivery");
}

BOOST_AUTO_TEST_CASE(providers_mx_and_esps) {
    auto g = traced("gmail-to-gmail.eml");
    BOOST_TEST(roles(g) == "sender-infrastructure > external-delivery > external-delivery");
    // SendGrid's API front end (geopod-ismtpd-3) names no domain; the next
    // stamp, its filter, names no sender: one system, SendGrid's.
    auto sg = traced("esp-sendgrid.eml");
    BOOST_TEST(roles(sg) == "sender-infrastructure > sender-infrastructure > external-delivery > external-delivery");
    BOOST_TEST(orgs(sg) == "sendgrid.net > sendgrid.net > tailspin.example > tailspin.example");
}

BOOST_AUTO_TEST_CASE(a_nameless_stamp_takes_its_neighbours_run) {
    // The qmail stamp names nothing, but the next stamp's sender is its
    // system: example.net's, in example.net's run.
    auto t = traced_text(
        "Received: from mail.example.net (mail.example.net [192.0.2.8]) by mx.example.org with ESMTP;"
        " Mon, 4 Nov 2024 10:00:02 +0000\n"
        "Received: (qmail 4242 invoked from network); 4 Nov 2024 10:00:01 -0000\n"
        "Received: from [203.0.113.9] by [198.51.100.77] with SMTP; Mon, 4 Nov 2024 10:00:00 +0000\n"
        "From: a@example.net\nDate: Mon, 4 Nov 2024 10:00:00 +0000\n\n");
    BOOST_TEST(t.hops[1].role == t.hops[0].role);
    BOOST_TEST(t.hops[1].org.value() == "example.net");
    BOOST_TEST(t.hops[1].evidence.back().find("the next stamp's sender mail.example.net is this receiver") !=
               std::string::npos);
    BOOST_TEST(t.hops[2].role != "unknown");
}

BOOST_AUTO_TEST_CASE(unknown_only_when_a_stamp_names_nothing_and_no_neighbour_does) {
    auto t = traced_text(
        "Received: (qmail 4242 invoked from network); 4 Nov 2024 10:00:01 -0000\n"
        "From: a@example.net\nDate: Mon, 4 Nov 2024 10:00:00 +0000\n\n");
    BOOST_TEST(t.hops[0].role == "unknown");
    BOOST_TEST(t.hops[0].evidence.front() ==
               "the stamp names no host and no address, and no neighbouring stamp names an organisation for it");
    // After the stamp qmail's SMTP daemon wrote, its own stamp is that system's
    // even where no organisation is known ("by localhost").
    auto local = traced_text(
        "Received: (qmail 18217 invoked from network); 4 Apr 2002 21:41:45 -0000\n"
        "Received: from localhost (127.0.0.1) by localhost with SMTP; 4 Apr 2002 21:41:45 -0000\n"
        "Received: from mail.isp.example [192.0.2.104] by localhost with POP3 (fetchmail-5.9.0); 4 Apr 2002 "
        "21:41:45 -0000\n"
        "Received: from a.example.com (a.example.com [192.0.2.1]) by mail.isp.example with SMTP; 4 Apr 2002 "
        "21:41:11 -0000\n"
        "From: a@example.com\nDate: Thu, 4 Apr 2002 21:41:10 +0000\n\n");
    BOOST_REQUIRE(local.hops.size() == 4U);
    BOOST_TEST(local.hops[3].role == local.hops[2].role);
    BOOST_TEST(local.hops[3].role == "external-delivery");
    // A hosting company's own server named by one of its customers' suffixes
    // (*.uberspace.de): the company's organisation, so qmail's stamp on it is too.
    BOOST_TEST(org_of_name("rigel.uberspace.de").value_or("") == "uberspace.de");
    BOOST_TEST(org_of_name("u1.rigel.uberspace.de").value_or("") == "u1.rigel.uberspace.de");
    auto hosted = traced_text(
        "Received: from rigel.uberspace.de ([95.143.172.238]:38820 \"EHLO rigel.uberspace.de\" "
        "rhost-flags-OK-OK-OK-OK) by vger.kernel.org with ESMTP id S2406008AbfITLEM; Fri, 20 Sep 2019 07:04:12 "
        "-0400\n"
        "Received: (qmail 21475 invoked from network); 20 Sep 2019 10:57:29 -0000\n"
        "Received: from localhost (HELO webmail.rigel.uberspace.de) (127.0.0.1) by ::1 with SMTP; 20 Sep 2019 "
        "10:57:29 -0000\n"
        "From: a@example.org\nDate: Fri, 20 Sep 2019 10:57:28 +0000\n\n");
    BOOST_TEST(hosted.hops[1].org.value_or("") == "uberspace.de");
    BOOST_TEST(hosted.hops[1].role != "unknown");
}

BOOST_AUTO_TEST_CASE(new_rule_families_come_from_config_lines) {
    RuleSet rules = RuleSet::builtin();
    BOOST_TEST(rules.add_rule_line("gateway by-host *.filter.example.net Acme MailShield").has_value());
    BOOST_TEST(rules.add_rule_line("list by-host lists.example.org").has_value());
    BOOST_TEST(!rules.add_rule_line("firewall by-host *.example.net").has_value());
    auto t = traced_text(
        "Received: from in1.filter.example.net (in1.filter.example.net [192.0.2.60]) by mx.example.com with ESMTPS;"
        " Mon, 4 Nov 2024 10:00:02 +0000\n"
        "Received: from mail.example.org (mail.example.org [198.51.100.3]) by in1.filter.example.net with ESMTP;"
        " Mon, 4 Nov 2024 10:00:01 +0000\n"
        "From: a@example.org\nDate: Mon, 4 Nov 2024 10:00:00 +0000\n\n",
        rules);
    BOOST_TEST(t.hops[0].role == "security-gateway");
    BOOST_TEST(t.hops[0].evidence.front().find("Acme MailShield, config rule") != std::string::npos);
    BOOST_TEST(t.orgs.at(0).service.value() == "Acme MailShield, config rule");
}

BOOST_AUTO_TEST_CASE(exchange_auth_mechanism_codes) {
    BOOST_TEST(auth_mechanism_name("02") == "MutualTLS");
    BOOST_TEST(auth_mechanism_name(" 0A ") == "NTLM");
    BOOST_TEST(auth_mechanism_name("11") == "DirectTrustTLS");
    BOOST_TEST(auth_mechanism_name("0e").empty());
    BOOST_TEST(auth_mechanism_name("ff").empty());
    BOOST_TEST(attributed_ip("TenantId=x;Ip=[203.0.113.7];Helo=[relay.example]").value() == "203.0.113.7");
    BOOST_TEST(!attributed_ip("TenantId=x;Helo=[relay.example]"));
    auto t = traced("two-domains-by-position.eml");
    SecurityReport sec = decode_security(t.signals);
    const SecurityGroup* mechanism = sec.find("X-MS-Exchange-Organization-AuthMechanism");
    BOOST_TEST(
        (mechanism != nullptr && mechanism->fields.at(0).row()->text.find("MutualTLS") != std::string_view::npos));
    bool unknown_said = false;
    std::string m = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/two-domains-by-position.eml");
    m.replace(m.find("AuthMechanism: 02"), 17, "AuthMechanism: 7f");
    Trace odd = traced_text(m);
    for (const auto& e : odd.relay->connector.value().evidence)
        unknown_said = unknown_said ||
                       e == "AuthMechanism 7f = unknown code (undocumented by Microsoft; as read from Exchange's code)";
    BOOST_TEST(unknown_said);
}

// Hand-overs: which side of each crossing a hop is on.
namespace {

std::string story(const Trace& t) {
    std::string out;
    for (const auto& h : t.hops) out += (out.empty() ? "" : " | ") + std::string(h.role) + ":" + h.org.value_or("-");
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_loopback_filter_is_the_system_it_sits_in_whichever_side) {
    // The receiving MX and its amavisd-new re-injection over 127.0.0.1 are
    // the recipient's, not the sender's.
    auto t = traced("receiver-amavis-loopback.eml");
    BOOST_TEST(story(t) ==
               "local-relay:sender.example | external-delivery:recipient.example | external-delivery:recipient.example "
               "| external-delivery:recipient.example | external-delivery:recipient.example");
    BOOST_REQUIRE(t.orgs.size() == 2U);
    BOOST_TEST(t.orgs[1].handover.value().starts_with("hand-over at hop #2 from sender.example to recipient.example"));
}

// fetchmail's stamp is written on the machine that fetched the message, its
// loopback sender a tunnel there: the fetcher's system, not the mailbox's,
// and the minutes in the mailbox are the fetch's.
BOOST_AUTO_TEST_CASE(a_fetchers_loopback_stamp_is_the_fetching_machines) {
    auto t = traced("fetchmail-imap-ssh-tunnel.eml");
    BOOST_TEST(*t.hops[1].org == "fastisp.example");
    BOOST_TEST(*t.hops[2].org == "home-lab.example");
    BOOST_TEST(*t.hops[3].org == "home-lab.example");
    BOOST_TEST(*t.hops[2].delay_s == 16 * 60 + 13);
    BOOST_TEST(t.clock.empty());
}

// Whose system a hop is where its own names do not say, in two shapes:
// - a reverse name of another organisation than the HELO is the network the
//   sender connected from only where no receiver of the chain calls itself by
//   that organisation: a host that receives as tabara.imago.example and sends
//   as "helo www.site.example", a site it hosts, is imago.example's;
// - "from vm4-ext.prodigy.example by vm4": a receiver with no domain taking
//   the message by name, with no address, from the previous receiver is
//   inside its system, whatever the next stamp's sender is (a POP server's).
BOOST_AUTO_TEST_CASE(whose_system_a_nameless_hop_is) {
    struct Case {
        const char* chain;
        const char* org;  // of the middle hop
    };
    const Case cases[] = {
        {"Received: from tabara.imago.example (helo www.site.example) (192.0.2.5) by lists.lug.example with SMTP; "
         "Mon, 4 Nov 2024 10:00:03 +0000\n"
         "Received: (qmail 4242 invoked from network); 4 Nov 2024 10:00:02 -0000\n"
         "Received: from games.tabara.example (games [10.39.2.5]) by tabara.imago.example (Postfix) with ESMTP; Mon, "
         "4 Nov 2024 10:00:01 +0000\n",
         "imago.example"},
        {"Received: from pop.sbc.example [192.0.2.84] by localhost with POP3 (fetchmail-5.9.11); Wed, 04 Sep 2002 "
         "19:27:41 -0700\n"
         "Received: from vm4-ext.prodigy.example by vm4 with SMTP; Wed,  4 Sep 2002 22:26:20 -0400\n"
         "Received: from mail1.example.com (mail1.example.com [192.0.2.145]) by vm4-ext.prodigy.example with ESMTP; "
         "Wed, 4 Sep 2002 22:26:19 -0400\n",
         "prodigy.example"},
    };
    for (const auto& c : cases) {
        auto t = traced_text(std::string(c.chain) + "From: a@example.com\nDate: Mon, 4 Nov 2024 10:00:00 +0000\n\n");
        BOOST_REQUIRE(t.hops.size() == 3U);
        BOOST_TEST(t.hops[1].org.value_or("") == c.org);
    }
}

// A customer line's reverse name names the access network, not who runs
// the machine: the device's own stamp takes no organisation from it.
BOOST_AUTO_TEST_CASE(a_customer_lines_reverse_name_is_no_ones_organisation) {
    BOOST_TEST(access_line_name("cpc3-sgyl4-0-0-cust125.sgyl.cable.virginmedia.com", std::string("82.41.240.126")));
    BOOST_TEST(access_line_name("c-24-3-96-11.client.comcast.net", std::nullopt));
    BOOST_TEST(access_line_name("p351355.pool.example.ne.jp", std::nullopt));
    BOOST_TEST(access_line_name("bas2-toronto63-1088792724.dsl.bell.ca", std::string("64.229.168.148")));
    BOOST_TEST(!access_line_name("imr-f9b5566049f9cb01.prolexic.com", std::string("192.0.2.1")));
    BOOST_TEST(!access_line_name("mail.clientname.example.com", std::nullopt));  // a word inside a word
    BOOST_TEST(!access_line_name("smtp.cable.example", std::nullopt));           // the registrable domain's own word
    auto t = traced_text(
        "Received: from finisterre.wolfson.main (cpc3-sgyl4-0-0-cust125.sgyl.cable.virginmedia.example "
        "[192.0.2.126]) by opensource2.wolfson.example (Postfix) with ESMTPSA id F2D4; Tue, 16 Nov 2010 23:01:18 "
        "+0000\n"
        "Received: from broonie by finisterre.wolfson.main with local (Exim 4.72) id 1PIUWk; Tue, 16 Nov 2010 "
        "23:01:17 +0000\n"
        "From: broonie@opensource.wolfson.example\nDate: Tue, 16 Nov 2010 23:01:16 +0000\n\n");
    BOOST_REQUIRE(t.hops.size() == 2U);
    BOOST_TEST(!t.hops[0].org);
    BOOST_TEST(t.hops[1].org.value_or("") == "wolfson.example");
}

// SenderIPAddresses holds IPv4 only: an IPv6 relay a connector took over TLS
// was matched by certificate; without TLS, nothing documented explains it.
BOOST_AUTO_TEST_CASE(an_ipv6_relay_is_matched_by_certificate_or_contradicts) {
    auto t = traced("o365-relay-exim.eml");
    BOOST_REQUIRE(t.relay && t.relay->connector);
    BOOST_TEST(t.relay->connector->matched_by.value_or("") == "certificate");
    std::string text = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/o365-relay-exim.eml");
    const std::string tls = " with Microsoft SMTP\n Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id";
    auto at = text.find(tls);
    BOOST_REQUIRE(at != std::string::npos);
    text.replace(at, tls.size(), " with Microsoft SMTP\n Server id");
    auto plain = build_trace(text);
    BOOST_REQUIRE(plain);
    classify(*plain, RuleSet::builtin());
    BOOST_TEST(!plain->relay->connector->matched_by);
    BOOST_TEST(std::ranges::any_of(plain->anomalies, [](const Anomaly& a) {
        return a.kind == "signal-contradiction" && a.detail.find("IPv6") != std::string::npos;
    }));
}

// A message sent again days after an earlier delivery: the sending again is
// a story of its own, read from its own start, not the recipient's side of
// the first one.
BOOST_AUTO_TEST_CASE(a_message_sent_again_starts_a_second_story) {
    auto t = traced_text(
        "Received: from out.resender.example (out.resender.example [198.51.100.8]) by mx.reader.example with ESMTP; "
        "Fri, 5 Jan 2024 10:00:09 +0000\n"
        "Received: from laptop (unknown [203.0.113.7]) by out.resender.example with ESMTPSA; Fri, 5 Jan 2024 "
        "10:00:05 +0000\n"
        "Received: from mail.first.example (mail.first.example [192.0.2.1]) by mx.gotit.example with ESMTP; Mon, 1 Jan "
        "2024 10:00:02 +0000\n"
        "From: a@first.example\nDate: Fri, 5 Jan 2024 10:00:00 +0000\n\n");
    BOOST_REQUIRE(t.hops.size() == 3U);
    BOOST_TEST(t.hops[0].role == "external-delivery");
    BOOST_TEST(t.hops[0].evidence.front().starts_with("an earlier delivery of the message"));
    BOOST_TEST(t.hops[1].role != "external-delivery");
    BOOST_TEST(t.hops[2].role == "external-delivery");
    BOOST_TEST(std::ranges::any_of(
        t.orgs, [](const OrgSegment& o) { return o.handover && o.handover->starts_with("sent again at hop #2"); }));
}

// A first stamp with no sender is the sending host's about itself: that
// host is the origin (the audit groups devices by it).
BOOST_AUTO_TEST_CASE(a_self_stamp_names_the_origin) {
    auto t = traced_text(
        "Received: from monitor02.int.example.com (monitor02.int.example.com [10.150.9.44]) by mta-out.example.com "
        "with ESMTP; Tue, 18 Mar 2025 12:40:17 +0000\n"
        "Received: by monitor02.int.example.com (Postfix, from userid 110) id 4ZH; Tue, 18 Mar 2025 12:40:16 +0000\n"
        "From: nagios@example.com\nDate: Tue, 18 Mar 2025 12:40:16 +0000\n\n");
    BOOST_REQUIRE(t.hops.size() == 2U);
    BOOST_TEST(t.hops[0].role == "origin-device");
    BOOST_TEST(origin_of(t).host.value_or("") == "monitor02.int.example.com");
}

BOOST_AUTO_TEST_CASE(a_lists_front_relay_is_the_lists_not_the_senders) {
    auto t = traced("list-front-mx.eml");
    BOOST_TEST(story(t) ==
               "local-relay:contoso.example | mailing-list:mailrelay-hosting.example | mailing-list:project.example | "
               "mailing-list:project.example | external-delivery:recipient.example");
    BOOST_TEST(t.hops[1].evidence.front().find("the list host's front relay") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(names_that_are_not_domains_stay_in_their_neighbours_run) {
    BOOST_TEST(!org_of_name("pps.reinject"));
    BOOST_TEST(!org_of_name("IMSVA"));
    BOOST_TEST(org_of_name("mail.northwind.example").value() == "northwind.example");  // RFC 2606 names read as domains
    auto t = traced("gateway-reinject-nondomain.eml");
    BOOST_TEST(
        story(t).starts_with("security-gateway:pphosted.com | security-gateway:pphosted.com | "
                             "security-gateway:pphosted.com | eop:microsoft-365"));
    BOOST_TEST(t.orgs.front().last_hop == 3);
}

BOOST_AUTO_TEST_CASE(a_nameless_stamp_inside_a_gateway_run_is_the_gateways) {
    auto t = traced("gateway-nameless-stamp.eml");
    BOOST_TEST(t.hops[4].role == "security-gateway");  // ("Tessian outbound ...")
    BOOST_TEST(t.hops[4].org.value() == "getcheckrecipient.com");
    BOOST_TEST(t.hops[4].evidence.back().find("is this receiver") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(two_tenants_are_two_organisations) {
    auto t = traced("tenant-to-tenant.eml");
    BOOST_TEST(story(t) ==
               "exchange-online:microsoft-365 | exchange-online:microsoft-365 | eop:microsoft-365 | "
               "exchange-online:microsoft-365 | exchange-online:microsoft-365 | exchange-online:microsoft-365");
    BOOST_REQUIRE(t.orgs.size() == 3U);
    BOOST_TEST(t.orgs[0].tenant.value().side.value() == "sender");
    BOOST_TEST(!t.orgs[0].tenant->id);
    BOOST_TEST(t.orgs[1].tenant.value().side.value() == "recipient");
    BOOST_TEST(t.orgs[1].tenant->id.value() == "5f1c9a2e-8b3d-4e7f-a1c2-3d4e5f6a7b8c");
    BOOST_TEST(t.orgs[1].handover.value().find("from one Microsoft 365 tenant to another") != std::string::npos);
    // One tenant: no hand-over inside Microsoft 365.
    auto one = traced("demo-o365-relay.eml");
    for (const auto& o : one.orgs) BOOST_TEST((!o.handover || o.first_hop == 2));
    // Outlook.com out through EOP and back into its consumer tenant: personal
    // mailboxes on both sides, not another organisation's mail.
    std::string bytes = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/tenant-to-tenant.eml");
    auto swap = [&](std::string_view from, std::string_view to) {
        auto at = bytes.find(from);
        BOOST_REQUIRE(at != std::string::npos);
        bytes.replace(at, from.size(), to);
    };
    swap("X-MS-Exchange-CrossTenant-Id: 5f1c9a2e-8b3d-4e7f-a1c2-3d4e5f6a7b8c",
         "X-MS-Exchange-CrossTenant-Id: 84df9e7f-e9f6-40af-b435-aaaaaaaaaaaa");
    swap("X-OriginatorOrg: fabrikam.example", "X-OriginatorOrg: outlook.com");
    auto consumer = traced_text(bytes);
    BOOST_REQUIRE(consumer.relay);
    BOOST_TEST(consumer.relay->reason == "outlook-com");
    BOOST_TEST(consumer.relay->method == "inbound");
    BOOST_TEST(consumer.orgs.size() == 3U);  // still two passes through Microsoft 365
}

BOOST_AUTO_TEST_CASE(two_domains_without_proof_stay_two_organisations) {
    auto t = traced("two-domains-without-proof.eml");
    BOOST_TEST(
        story(t).starts_with("local-relay:northwind-werke.example | external-delivery:northwind-group.example | eop"));
    BOOST_TEST(t.hops[1].evidence.front().starts_with(
        "hand-over at hop #2 from northwind-werke.example to northwind-group.example"));
}

BOOST_AUTO_TEST_CASE(a_forwarders_return_path_does_not_name_the_sender) {
    auto t = traced("forwarder-return-path.eml");
    BOOST_TEST(story(t) ==
               "local-relay:sender.example | external-delivery:university.example | "
               "external-delivery:google.com | external-delivery:google.com");
}

BOOST_AUTO_TEST_CASE(an_address_only_receiver_takes_its_neighbours_org) {
    auto t = traced("gmail-address-only-receiver.txt");
    BOOST_TEST(story(t) ==
               "origin-device:surveys.example | external-delivery:google.com | external-delivery:google.com");
    BOOST_TEST(t.hops[2].evidence.back().find("went on inside hop #2's system") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(org_is_the_registrable_domain_and_the_service_groups_them) {
    // smtp.gmail.com is gmail.com; it and google.com are one party (no
    // hand-over between them), both Gmail's service.
    auto t = traced("list-to-recipient.eml");
    BOOST_TEST(t.hops[0].org.value() == "gmail.com");
    BOOST_TEST(t.hops[1].org.value() == "google.com");
    BOOST_TEST(!t.orgs[1].handover);
    BOOST_TEST(t.orgs[0].service.value() == "Gmail");
}

BOOST_AUTO_TEST_CASE(registrable_domain_is_libpsls_answer) {
    // The walk over remembered suffixes answers as psl_registrable_domain
    // does, asked twice (the second time from the memo): wildcards,
    // exceptions, private suffixes, a suffix inside a suffix, odd dots.
    const auto& list = PublicSuffixList::instance();
    psl_ctx_t* latest = psl_latest(nullptr);
    const psl_ctx_t* ctx = latest != nullptr ? latest : psl_builtin();
    const char* names[] = {"mail-bn8nam12on2053.outbound.protection.outlook.com",
                           "outbound.protection.outlook.com",
                           "mx0a-00082601.pphosted.com",
                           "smtp.sgis.com.cn",
                           "mail.tu-berlin.de",
                           "www.city.kawasaki.jp",
                           "city.kawasaki.jp",
                           "foo.bar.kawasaki.jp",
                           "a.b.c.kawasaki.jp",
                           "forgot.his.name",
                           "x.forgot.his.name",
                           "his.name",
                           "me.blogspot.com",
                           "a.me.blogspot.com",
                           "blogspot.com",
                           "www.ck",
                           "a.www.ck",
                           "foo.compute.amazonaws.com",
                           "ec2-1-2-3-4.eu-west-1.compute.amazonaws.com",
                           "a..b.com",
                           "x.y.co.uk",
                           "co.uk",
                           "com",
                           "mail.example.com",
                           "relay.example",
                           "a.b.test"};
    for (int round = 0; round < 2; ++round)
        for (const char* name : names) {
            std::string tld(std::string_view(name).substr(std::string_view(name).rfind('.') + 1));
            bool known = tld == "example" || tld == "test" ||
                         psl_is_public_suffix2(ctx, tld.c_str(), PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0;
            const char* want = known ? psl_registrable_domain(ctx, name) : nullptr;
            auto got = list.registrable_domain(name);
            BOOST_TEST_CONTEXT(name) {
                BOOST_TEST(got.has_value() == (want != nullptr));
                if (got && want != nullptr) BOOST_TEST(*got == want);
            }
        }
    psl_free(latest);
}

// The relay answer: state, method, reason and TLS version, one sample per class.
BOOST_AUTO_TEST_CASE(relay_answer_per_method_and_state) {
    struct Want {
        const char* file;
        const char* state;
        const char* method;
        const char* reason;
        std::optional<std::string> tls_version;
    };
    const Want table[] = {
        {"demo-o365-relay.eml", "traversed", "connector-relay", "connector", "1.2"},
        {"o365-relay-iis-smtpsvc.eml", "traversed", "connector-relay", "connector", std::nullopt},
        {"o365-relay-exim.eml", "traversed", "connector-relay", "connector", "1.3"},
        {"gateway-outbound-mimecast-relay.eml", "traversed", "connector-relay", "connector", "1.2"},
        {"two-domains-by-position.eml", "traversed", "connector-relay", "connector", "1.2"},
        {"o365-direct-send.eml", "not-traversed", "direct-send", "direct-send", std::nullopt},
        {"o365-smtp-auth-submission.eml", "not-traversed", "client-submission", "client-submission", "1.2"},
        {"o365-owa-https.eml", "not-applicable", "mailbox", "mailbox", std::nullopt},
        {"exo-outbound-gateway-hybrid.eml", "not-applicable", "mailbox", "mailbox", std::nullopt},
        {"o365-inbound-from-internet.eml", "not-applicable", "inbound", "inbound", "1.3"},
        {"gateway-inbound-proofpoint.eml", "not-applicable", "inbound", "inbound", "1.2"},
        {"two-domains-without-proof.eml", "not-applicable", "inbound", "inbound", "1.2"},
        {"tenant-to-tenant.eml", "not-applicable", "inbound", "inbound", "1.3"},
        {"gateway-reinject-nondomain.eml", "not-applicable", "inbound", "inbound", "1.2"},
        {"postfix-basic.eml", "not-applicable", "none", "no-microsoft-365", std::nullopt},
        {"o365-stamps-cut.txt", "not-applicable", "mailbox", "no-microsoft-365-stamps", std::nullopt},
        {"o365-21vianet-mailbox.eml", "not-applicable", "mailbox", "mailbox", std::nullopt},
    };
    for (const auto& w : table) {
        auto t = traced(w.file);
        const RelayVerdict& v = *t.relay;
        BOOST_TEST(v.state == w.state, w.file << ": " << v.state);
        BOOST_TEST(v.method == w.method, w.file << ": " << v.method);
        BOOST_TEST(v.reason == w.reason, w.file << ": " << v.reason);
        BOOST_TEST(v.tls_version == w.tls_version, w.file);
        BOOST_TEST(v.traversed == (v.state == "traversed"));
    }
}

BOOST_AUTO_TEST_CASE(the_relay_without_a_matching_connector_is_not_traversed) {
    // The seed's failure case: the relay reached EOP, but EOP took the mail
    // as anonymous internet mail.
    std::string m = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/demo-o365-relay.eml");
    m.replace(m.find("FromEntityHeader: HybridOnPrem"), 30, "FromEntityHeader: Internet");
    auto t = traced_text(m);
    BOOST_TEST(t.relay->state == "not-traversed");
    BOOST_TEST(t.relay->reason == "connector-not-matched");
    bool said = false;
    for (const auto& e : t.relay->evidence) said = said || e.find("5.7.64") != std::string::npos;
    BOOST_TEST(said);
    // A partner's own relay into the same EOP as internet mail: another
    // organisation's mail, not the relay question.
    std::string p = m;
    p.replace(p.find("<scanner-3f@contoso.com>"), 24, "<scanner-3f@partner.example>");
    auto partner = traced_text(p);
    BOOST_TEST(partner.relay->state == "not-applicable");
    BOOST_TEST(partner.relay->method == "inbound");
}

BOOST_AUTO_TEST_CASE(tls_versions_in_one_form) {
    for (auto [written, want] : {std::pair{"TLS1_2", "1.2"},
                                 {"TLSv1.3", "1.3"},
                                 {"TLS1.0", "1.0"},
                                 {"TLSv1", "1.0"},
                                 {"TLSv1.1", "1.1"},
                                 {"tls1_3", "1.3"},
                                 {"TLSv1/SSLv3", "unknown"},
                                 {"SSLv3", "unknown"},
                                 {"TLS", "unknown"},
                                 {"", "unknown"},
                                 {"TLSv1.9", "unknown"},
                                 {"TLS1_2x", "unknown"},
                                 {"TLS12", "1.2"},
                                 {"TLS13", "1.3"},
                                 {"TLS14", "unknown"},
                                 {"TLS-1.0", "1.0"},
                                 {"TLS-1.2", "1.2"},
                                 {"TLS-", "unknown"}})
        BOOST_TEST(normalise_tls_version(written) == want, written);
    BOOST_TEST(tls_at_least("1.2", "1.2"));
    BOOST_TEST(tls_at_least("1.3", "1.2"));
    BOOST_TEST(!tls_at_least("1.1", "1.2"));
    BOOST_TEST(!tls_at_least("unknown", "1.0"));
}

namespace {

Trace analysed(const std::string& text) {
    auto t = analyse_message(text, RuleSet::builtin());
    BOOST_REQUIRE(t);
    return std::move(*t);
}

}  // namespace

// Exchange's "Delivered:" report, kept by an Outlook store without its body:
// no recipient says what happened, so the subject does; never a failure.
BOOST_AUTO_TEST_CASE(header_only_delivered_report_is_no_failure) {
    Trace t = analysed(
        "Subject: Delivered: Quarterly figures\n"
        "From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@contoso.example>\n"
        "To: ana@contoso.example\n"
        "Date: Mon, 19 Dec 2016 13:24:21 +0000\n"
        "Message-ID: <40076e5a-2c87-4786-9f30-e16b297f4f43@exchange.contoso.example>\n"
        "Content-Type: multipart/report; report-type=delivery-status;\n"
        "\tboundary=\"_000_40076e5a2c8747869f30e16b297f4f43exchangecontoso_\"\n"
        "MIME-Version: 1.0\n\n");
    BOOST_TEST(!t.bounce);
    BOOST_REQUIRE(t.notification);
    BOOST_TEST(t.notification->action.value_or("") == "delivered");
    // The same report under a subject that says nothing is neither.
    Trace quiet = analysed(
        "Subject: Quarterly figures\nFrom: Microsoft Outlook <MicrosoftExchange329e@contoso.example>\n"
        "Date: Mon, 19 Dec 2016 13:24:21 +0000\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\nMIME-Version: 1.0\n\n");
    BOOST_TEST(!quiet.bounce);
    BOOST_TEST(!quiet.notification);
}

// A person's reply that quotes a bounce is no bounce.
BOOST_AUTO_TEST_CASE(a_reply_quoting_a_bounce_is_no_bounce) {
    const std::string quoted =
        "This message was created automatically by mail delivery software.\n\n"
        "A message that you sent could not be delivered to one or more of its\n"
        "recipients. This is a permanent error. The following address(es) failed:\n\n"
        "  carol@example.net\n"
        "    host mx.example.net [192.0.2.25]\n"
        "    SMTP error from remote mail server after RCPT TO:<carol@example.net>:\n"
        "    550 5.1.1 <carol@example.net>: Recipient address rejected: User unknown\n";
    const std::string bounce =
        "Received: from Debian-exim by mail.example.org with local (Exim 4.96)\n"
        "\tid 1rQ2aB-000Q7e-2x for alice@example.org; Tue, 14 May 2024 09:12:07 +0200\n"
        "From: Mail Delivery System <Mailer-Daemon@mail.example.org>\n"
        "To: alice@example.org\nSubject: Mail delivery failed: returning message to sender\n"
        "Date: Tue, 14 May 2024 09:12:07 +0200\nMessage-Id: <E1rQ2aB-000Q7e-2x@mail.example.org>\n\n" +
        quoted;
    Trace real = analysed(bounce);
    BOOST_REQUIRE(real.bounce);
    std::string reply =
        "Received: from [192.0.2.80] by mail.example.org with esmtpsa (TLS1.3) tls TLS_AES_256_GCM_SHA384\n"
        "\t(Exim 4.96) id 1rQ2cD-000Q9f-1y; Tue, 14 May 2024 09:20:31 +0200\n"
        "From: Alice <alice@example.org>\nTo: help@example.org\n"
        "Subject: Re: Mail delivery failed: returning message to sender\n"
        "Date: Tue, 14 May 2024 09:20:30 +0200\nMessage-Id: <7c1e@example.org>\n\n"
        "Why did this bounce?\n\n";
    for (std::size_t at = 0; at < quoted.size();) {
        std::size_t nl = quoted.find('\n', at);
        reply += "> " + quoted.substr(at, nl - at + 1);
        at = nl + 1;
    }
    Trace t = analysed(reply);
    BOOST_TEST(!t.bounce);
    BOOST_TEST(!t.notification);
}

// A temporary code on a recipient the sender gave up on: not "keeps trying".
BOOST_AUTO_TEST_CASE(a_failed_recipient_with_a_temporary_code_was_given_up) {
    Trace t = analysed(
        "From: MAILER-DAEMON@relay.example.org (Mail Delivery System)\n"
        "To: ops@example.org\nSubject: Undelivered Mail Returned to Sender\n"
        "Date: Wed, 15 May 2024 10:00:00 +0000\nMessage-Id: <20240515100000.1A2B3C@relay.example.org>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B1\"\n\n"
        "--B1\nContent-Type: text/plain\n\nI'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients.\n\n"
        "--B1\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; relay.example.org\n\n"
        "Final-Recipient: rfc822; bob@example.net\nAction: failed\nStatus: 4.4.1\n"
        "Diagnostic-Code: X-Postfix; connect to mx.example.net[192.0.2.9]:25: Connection timed out\n\n"
        "--B1--\n");
    BOOST_REQUIRE(t.bounce);
    const std::string e = t.bounce->explanation.value_or("");
    BOOST_TEST(e.find("keeps trying") == std::string::npos);
    BOOST_TEST(e.find("no server is trying any more") != std::string::npos);
    // No Remote-MTA: the server the diagnostic names refused, not the reporting one.
    BOOST_TEST(t.bounce->server.value_or("") == "mx.example.net");
}

// A list server's own Return-Path under Precedence: bulk names the list, in
// each list manager's form (LISTAR's and ezmlm's "-bounce", ezmlm's "-return-").
BOOST_AUTO_TEST_CASE(list_return_paths_in_each_managers_form) {
    for (const char* rp : {"<rlug-bounce@lug.ro>", "<owner-ports@freebsd.org>", "<dev-return-1234-x=y.example@lug.ro>",
                           "<linux-kernel-owner@lug.ro>", "<foo-bounces@lug.ro>"}) {
        Trace t;
        t.signals.push_back({"Return-Path", rp});
        t.signals.push_back({"Precedence", "bulk"});
        OrgHeaders h = OrgHeaders::of(t);
        BOOST_TEST(h.list(), rp);
    }
    Trace person;
    person.signals.push_back({"Return-Path", "<ana@lug.ro>"});
    person.signals.push_back({"Precedence", "bulk"});
    BOOST_TEST(!OrgHeaders::of(person).list());
}

// A chain that starts and ends inside the domain Delivered-To names, From
// naming another: the recipient's re-injection, only its side stamped.
// Without Delivered-To (a "for" alone may name the sender's own site) or on
// a returned message, the chain's start stays the sender's.
BOOST_AUTO_TEST_CASE(a_chain_only_inside_the_delivery_domain_is_the_recipients) {
    const std::string stamps =
        "Received: from localhost.localdomain (localhost.localdomain [127.0.0.1])\n"
        " by mail.jg555.example (Postfix) with ESMTP id 0197E43E6\n"
        " for <maillist@jg555.example>; Wed, 10 Jul 2002 08:21:12 -0700 (PDT)\n"
        "From: Poohba <poohba@blkpoohba.example.org>\nTo: procmail@lists.example.de\n"
        "Date: Wed, 10 Jul 2002 08:19:00 -0700\n";
    auto delivered = traced_text("Delivered-To: maillist@jg555.example\n" + stamps);
    BOOST_TEST(roles(delivered) == "external-delivery");
    auto stamped_for = traced_text(stamps);
    BOOST_TEST(roles(stamped_for) == "local-relay");
    auto returned = build_trace("Delivered-To: maillist@jg555.example\n" + stamps);
    BOOST_REQUIRE(returned);
    returned->undelivered = true;
    classify(*returned, RuleSet::builtin());
    BOOST_TEST(roles(*returned) == "local-relay");
}

// --relay naming the host Microsoft 365 took the message from: the user's
// relay stays on the sender's side, never one run with Microsoft 365.
BOOST_AUTO_TEST_CASE(the_named_relay_is_not_joined_to_microsoft_365) {
    for (const char* relay : {"relay.contoso.com", "198.51.100.77", "198.51.100.0/24"}) {
        BOOST_TEST_CONTEXT(relay) {
            RuleSet rules = RuleSet::builtin();
            BOOST_REQUIRE(rules.add_relay(relay));
            Trace t = traced("demo-o365-relay.eml", rules);
            BOOST_TEST(roles(t) == "local-relay > eop > exchange-online > exchange-online > exchange-online");
            BOOST_REQUIRE(t.relay);
            BOOST_TEST(t.relay->state == "traversed");
            std::size_t said = 0;  // the rule's words, said once at most
            for (const auto& e : t.hops[0].evidence)
                for (auto at = e.find("named by --relay"); at != std::string::npos;
                     at = e.find("named by --relay", at + 1))
                    ++said;
            BOOST_TEST(said <= 1U);
        }
    }
}

// --min-tls: a version below the minimum says so; a stamp that names no
// version says that, not that "unknown" is below anything.
BOOST_AUTO_TEST_CASE(tls_shortfall_words) {
    RelayVerdict v;
    v.traversed = true;
    v.tls = true;
    v.tls_version = "1.0";
    BOOST_TEST(tls_shortfall(v, false, "1.2").value_or("") == "TLS 1.0 is below the minimum 1.2");
    v.tls_version = "unknown";
    BOOST_TEST(tls_shortfall(v, false, "1.2").value_or("") ==
               "the stamp names no TLS version, so the minimum 1.2 is not shown met");
    v.tls_version = "1.3";
    BOOST_TEST(!tls_shortfall(v, false, "1.2"));
    v.tls = false;
    v.tls_version.reset();
    BOOST_TEST(tls_shortfall(v, true, "").value_or("") == "without TLS and TLS is required");
}

BOOST_AUTO_TEST_CASE(hand_overs_say_the_internet_only_where_the_stamp_shows_it) {
    auto trace_of = [](const std::string& message) {
        auto t = build_trace(message);
        BOOST_REQUIRE(t);
        classify(*t, RuleSet::builtin());
        return *t;
    };
    // A stamp that leaves its client out (Postfix's "by HOST with ESMTPSA")
    // shows no internet.
    auto t = trace_of(
        "Received: by smtp.kernel.example (Postfix) with ESMTPSA id 4C1A2C4CEE7;\n"
        "\tMon, 3 Mar 2025 10:00:02 +0000 (UTC)\n"
        "Received: from laptop.home.arpa ([198.51.100.35]) by mx.pali.example with ESMTP id 1;\n"
        "\tMon, 3 Mar 2025 10:00:01 +0000\n"
        "From: dev@pali.example\nTo: list@kernel.example\nSubject: x\nDate: Mon, 3 Mar 2025 10:00:00 +0000\n\n");
    BOOST_REQUIRE(t.orgs.size() == 2U);
    BOOST_TEST(t.orgs[1].handover.value_or("") ==
               "hand-over at hop #2 from pali.example to kernel.example: the stamp names no client: it took the "
               "message from one it leaves out");
    // A crossing the next stamp undoes over a site-local address: one site.
    t = trace_of(
        "Received: from mail.maildlp.example (unknown [172.19.162.254]) by gw.huawei.example with ESMTP id 3;\n"
        "\tMon, 3 Mar 2025 10:00:03 +0000\n"
        "Received: from mail1.huawei.example (unknown [7.202.181.71]) by mail.maildlp.example with ESMTPS id 2;\n"
        "\tMon, 3 Mar 2025 10:00:02 +0000\n"
        "Received: from [10.174.178.209] by mail1.huawei.example with ESMTP id 1;\n"
        "\tMon, 3 Mar 2025 10:00:01 +0000\n"
        "From: dev@huawei.example\nTo: list@kernel.example\nSubject: x\nDate: Mon, 3 Mar 2025 10:00:00 +0000\n\n");
    for (const auto& o : t.orgs) BOOST_TEST(!o.handover.has_value(), o.org.value_or("?"));
    BOOST_TEST(any_evidence(t,
                            "huawei.example and maildlp.example are one site: maildlp.example hands the message "
                            "back to huawei.example over the site-local address 172.19.162.254 at hop #3"));
}

// --relay as the admin writes it: a root dot, the name EOP's spam filter
// recorded (PTR) rather than the stamp's, a relay that carried the message
// before another host handed it in, a relay that logged in itself.
BOOST_AUTO_TEST_CASE(the_named_relay_as_eop_names_it_and_where_it_was_seen) {
    auto with_relay = [](const std::string& file, const std::string& relay) {
        RuleSet rules = RuleSet::builtin();
        BOOST_REQUIRE(rules.add_relay(relay));
        return traced(file, rules);
    };
    auto said = [](const Trace& t, const std::string& needle) {
        return std::ranges::any_of(t.relay->evidence,
                                   [&](const std::string& e) { return e.find(needle) != std::string::npos; });
    };
    Trace t = with_relay("demo-o365-relay.eml", "relay.contoso.com.");
    BOOST_REQUIRE(t.relay);
    BOOST_TEST(t.relay->state == "traversed");
    // EOP's PTR names the relay by another name than its HELO.
    std::string message = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/demo-o365-relay.eml");
    auto at = message.find("PTR:relay.contoso.com;");
    BOOST_REQUIRE(at != std::string::npos);
    message.replace(at, 22, "PTR:smtp-out-01.contoso.com;");
    RuleSet rules = RuleSet::builtin();
    BOOST_REQUIRE(rules.add_relay("smtp-out-01.contoso.com"));
    auto by_ptr = build_trace(message);
    BOOST_REQUIRE(by_ptr);
    classify(*by_ptr, rules);
    BOOST_REQUIRE(by_ptr->relay);
    BOOST_TEST(by_ptr->relay->state == "traversed");
    BOOST_TEST(said(*by_ptr, "as EOP names it: smtp-out-01.contoso.com (PTR of X-Forefront-Antispam-Report)"));
    // The relay named is the one before the host that handed the message in:
    // the message went through it, and the evidence says who handed it on.
    t = with_relay("o365-gateway-reentry-two-eop-passes.eml", "EXCH01.corp.northwind.example");
    BOOST_TEST(t.relay->state == "traversed");
    BOOST_TEST(said(t, "named by --relay took the message at hop #1, before another host handed it to Microsoft 365: "
                       "it went through that relay, though not straight from it into EOP"));
    // The named relay handed the message to another organisation's
    // forwarder, which handed it to EOP: not through your relay into EOP.
    t = with_relay("o365-relay-then-outside-forwarder.eml", "relay.contoso.com");
    BOOST_TEST(t.relay->state != "traversed");
    BOOST_TEST(!said(t, "took the message at"));
    BOOST_TEST(t.hops[1].role == "external-delivery");
    t = with_relay("demo-o365-relay.eml", "203.0.113.9");
    BOOST_TEST(t.relay->state == "not-traversed");
    BOOST_TEST(!said(t, "took the message at"));
    // The relay named by its inside name, its stamp the last before EOP's:
    // EOP's sender may be that relay under its outside name.
    std::string inside = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/demo-o365-relay.eml");
    const std::string outside_name = "\tby relay.contoso.com (Postfix)";
    auto by = inside.find(outside_name);
    BOOST_REQUIRE(by != std::string::npos);
    inside.replace(by, outside_name.size(), "\tby RELAY01.corp.contoso.local (Postfix)");
    RuleSet by_inside_name = RuleSet::builtin();
    BOOST_REQUIRE(by_inside_name.add_relay("RELAY01.corp.contoso.local"));
    auto last = build_trace(inside);
    BOOST_REQUIRE(last);
    classify(*last, by_inside_name);
    BOOST_TEST(last->relay->state == "traversed");
    BOOST_TEST(said(*last, "took the message at hop #1, the last stamp before EOP's, which names the sender "
                           "relay.contoso.com [198.51.100.77]: the relay's outside name and address, or a system "
                           "after it that wrote no stamp"));
    BOOST_TEST(!said(*last, "before another system handed it"));
    // The relay logged in to Exchange Online itself.
    t = with_relay("o365-smtp-auth-submission.eml", "198.51.100.201");
    BOOST_TEST(t.relay->method == "client-submission");
    BOOST_TEST(said(t, "named by --relay submitted it itself, logged in to Exchange Online"));
}

// "from hotmail.com (unknown [96.202.181.20])": the receiver found no reverse
// name, so the HELO is only a claim and names no organisation; at a
// site-local address the name still says where the client sat.
BOOST_AUTO_TEST_CASE(a_helo_the_receiver_could_not_confirm_names_no_organisation) {
    auto t = build_trace(
        "Received: from hotmail.com (unknown [96.202.181.20]) by mx.example.net (Postfix) with ESMTP id 1;\n"
        "\tMon, 3 Mar 2025 10:00:01 +0000\nFrom: a@hotmail.com\nTo: b@example.net\n\n");
    BOOST_REQUIRE(t);
    BOOST_TEST(t->hops[0].fields.from.rdns_unknown);
    BOOST_TEST(helo_only_claim(t->hops[0].fields.from));
    classify(*t, RuleSet::builtin());
    BOOST_TEST(t->orgs.front().handover.value_or("") ==
               "received from unknown (helo hotmail.com) [96.202.181.20], a public address its receiver recorded no "
               "name for, by example.net");
    for (const auto& e : t->hops[0].evidence) BOOST_TEST(e.find("(hotmail.com)") == std::string::npos, e);
    auto qmail = build_trace(
        "Received: from unknown (HELO EUR01-HE1-obe.outbound.protection.outlook.com) (80.68.177.35)\n"
        "  by mx.example.it with SMTP; 3 Mar 2025 10:00:01 -0000\n\n");
    BOOST_REQUIRE(qmail);
    BOOST_TEST(helo_only_claim(qmail->hops[0].fields.from));
    auto inside = build_trace(
        "Received: from scanner-3f.contoso.local (unknown [10.20.30.41]) by relay.contoso.com (Postfix) with ESMTP "
        "id 4V;\n\tTue, 14 May 2024 09:12:03 +0200\n\n");
    BOOST_REQUIRE(inside);
    BOOST_TEST(inside->hops[0].fields.from.rdns_unknown);
    BOOST_TEST(!helo_only_claim(inside->hops[0].fields.from));
}

// The first stamp written by qmail for a local program is the sending
// device's, whatever its organisation; a system named like the recipient's
// domain under another suffix that hands the message straight to it is the
// recipient's front end, not a relay of the sender's.
BOOST_AUTO_TEST_CASE(qmail_local_programs_and_the_recipients_name_under_another_suffix) {
    auto t = build_trace(
        "Received: from web18.nix.paypal.example (unknown [65.206.229.164]) by mail0.tyva.xyz.example with SMTP;\n"
        "\t4 Apr 2002 21:41:11 -0000\n"
        "Received: (qmail 13807 invoked by uid 99); 4 Apr 2002 21:41:10 -0000\n"
        "From: service@paypal.example\nTo: rod@xyz.example\nDate: Thu, 04 Apr 2002 13:41:10 -0800\n\n");
    BOOST_REQUIRE(t);
    classify(*t, RuleSet::builtin());
    BOOST_TEST(roles(*t) == "origin-device > external-delivery");
    BOOST_TEST(t->hops[0].evidence.front().find("invoked by uid") != std::string::npos);
    auto s = build_trace(
        "Received: from smtp.sssss.example (unknown [198.51.100.92]) by imap01.sssss.test (Postfix)\n"
        "\twith ESMTP id E4 for <mikel@sssss.test>; Sun, 23 Dec 2007 15:04:03 -0800\n"
        "Received: from mail12.tttttt.example (mail12.tttttt.example [203.0.113.162])\n"
        "\tby smtp.sssss.example (Postfix) with ESMTP id 53 for <mikel@sssss.test>;\n"
        "\tSun, 23 Dec 2007 15:03:54 -0800\n"
        "From: edwin@tttttt.example\nTo: mikel@sssss.test\nDate: Mon, 24 Dec 2007 10:03:53 +1100\n\n");
    BOOST_REQUIRE(s);
    classify(*s, RuleSet::builtin());
    BOOST_TEST(any_evidence(*s, "sssss.example is the name of the recipient's domain sssss.test under another suffix"));
    BOOST_TEST(roles(*s) == "external-delivery > external-delivery");
}

// A sender that is the previous stamp's receiver (its HELO) and has a name in
// the next domain joins the two domains; later hops between them stay inside.
BOOST_AUTO_TEST_CASE(one_system_named_in_two_domains_joins_them) {
    auto t = build_trace(
        "Received: from maleman.mcom.example (maleman.mcom.example [198.51.100.3]) by urchin.netscape.example\n"
        "\twith ESMTP id 3; Tue, 28 May 1996 10:39:26 -0700\n"
        "Received: from ns.netscape.example (ns.netscape.example.mcom.example [198.51.100.10]) by\n"
        "\tmaleman.mcom.example with ESMTP id 2; Tue, 28 May 1996 10:39:17 -0700\n"
        "Received: from mail.rsa.example ([192.0.2.33]) by ns.netscape.example with SMTP id 1;\n"
        "\tTue, 28 May 1996 10:38:18 -0700\n"
        "From: ray@frontier.example\nTo: jwz@netscape.example\nDate: Tue, 28 May 1996 10:30:00 -0700\n\n");
    BOOST_REQUIRE(t);
    classify(*t, RuleSet::builtin());
    BOOST_REQUIRE(t->orgs.size() == 3U);
    BOOST_TEST(!t->orgs[1].handover.has_value());
    BOOST_TEST(!t->orgs[2].handover.has_value());
    BOOST_TEST(t->orgs[1].org.value_or("") == "mcom.example");
}

// A post that starts at the list server, its From rewritten to the list's
// own address (Mailman's DMARC mitigation): the list, not the sender's own.
BOOST_AUTO_TEST_CASE(a_list_post_whose_from_is_the_lists_own_address) {
    auto t = build_trace(
        "Received: from mm2.lists-host.example (mm2.lists-host.example [198.51.100.75]) by mail.reader.example\n"
        "\twith ESMTPS id 3; Tue, 14 Jan 2025 07:46:41 +0000\n"
        "Received: from mm2.lists-host.example (localhost [127.0.0.1]) by mm2.lists-host.example (Postfix)\n"
        "\twith ESMTP id 2; Tue, 14 Jan 2025 07:46:40 +0000\n"
        "Received: from lists.radio.example (localhost [127.0.0.1]) by mm2.lists-host.example (Postfix)\n"
        "\twith ESMTP id 1; Tue, 14 Jan 2025 07:46:32 +0000\n"
        "From: \"Jane Doe via Radio-users\" <radio-users@lists.radio.example>\n"
        "To: radio-users@lists.radio.example\nDelivered-To: lists@reader.example\n"
        "List-Id: <radio-users.lists.radio.example>\nList-Post: <mailto:radio-users@lists.radio.example>\n"
        "Date: Tue, 14 Jan 2025 07:46:30 +0000\n\n");
    BOOST_REQUIRE(t);
    classify(*t, RuleSet::builtin());
    BOOST_TEST(roles(*t) == "mailing-list > mailing-list > external-delivery");
}

// The organisation's own relay taken in by a Partner connector (AuthAs
// Partner, FromEntityHeader Internet): only an OnPremises connector relays
// its mail out, so not traversed; --relay naming EOP's sender still makes it
// traversed, as the contract says. HybridOnPrem beside AuthAs Partner is an
// OnPremises connector's.
BOOST_AUTO_TEST_CASE(own_relay_through_a_partner_connector_is_not_traversed) {
    auto t = traced("o365-relay-partner-connector.eml");
    BOOST_TEST(t.relay->state == "not-traversed");
    BOOST_TEST(t.relay->method == "connector-relay");
    BOOST_TEST(t.relay->reason == "partner-connector");
    auto rules = RuleSet::builtin();
    BOOST_REQUIRE(rules.add_relay("smtp-relay.fabrikam.com"));
    std::string m = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/o365-relay-partner-connector.eml");
    BOOST_TEST(traced_text(m, rules).relay->reason == "connector");
    m.replace(m.find("FromEntityHeader: Internet"), 26, "FromEntityHeader: HybridOnPrem");
    BOOST_TEST(traced_text(m).relay->reason == "connector");
}

// An entry stamp that lost its lines after "with Microsoft SMTP" (no TLS
// clause, no time) says nothing of TLS: neither "without TLS" nor a match by
// IP that only a connection without TLS would prove.
BOOST_AUTO_TEST_CASE(an_entry_stamp_cut_short_leaves_tls_unknown) {
    std::string m = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/o365-relay-tls10.eml");
    const auto at = m.find("by\n DB1PEPF000509F2");
    BOOST_REQUIRE(at != std::string::npos);
    const auto with = m.find("with Microsoft SMTP", at);
    const auto next = m.find("\nReceived:", with);
    BOOST_REQUIRE(next != std::string::npos);
    m.erase(with + 19, next - with - 19);
    auto t = traced_text(m);
    BOOST_TEST(t.relay->state == "traversed");
    BOOST_TEST(!t.relay->tls);
    BOOST_TEST(!t.relay->matched_by);
    BOOST_TEST(tls_shortfall(*t.relay, true, "").value_or("").find("cut") != std::string::npos);
    BOOST_TEST(verdict_line(*t.relay).find("the stamp is cut short") != std::string::npos);
    // A client's submission whose mailbox stamp names no TLS is no cut stamp.
    auto sub = traced("o365-smtp-auth-mechanism-only.eml");
    BOOST_TEST(!sub.relay->tls);
    BOOST_TEST(verdict_line(*sub.relay).find("cut") == std::string::npos);
}

// qmail-scanner stamps the client of the stamp before it again, on the same
// system: no second hand-over from that client.
BOOST_AUTO_TEST_CASE(a_qmail_scanner_stamp_is_no_hand_over) {
    auto t = traced_text(
        "Received: from mail.example.org (mail.example.org [192.0.2.25]) by mx.example.net (Postfix) with ESMTP "
        "id 1; Mon, 26 Dec 2016 05:33:00 +0000\n"
        "Received: (qmail 11857 invoked by uid 8061); 26 Dec 2016 05:32:04 -0000\n"
        "Received: from 203.0.113.168 by mail.example.org (envelope-from <zyb@example.org>, uid 0) with "
        "qmail-scanner-1.24 (clamdscan: 0.88.7. Clear:RC:0(203.0.113.168):. Processed in 0.5 secs); "
        "26 Dec 2016 05:32:04 -0000\n"
        "Received: from unknown (HELO ljhw) (zyb@example.org@[203.0.113.168]) (envelope-sender <zyb@example.org>) "
        "by 0 (magicmail) with SMTP; 26 Dec 2016 05:32:02 -0000\n"
        "From: zyb@example.org\nTo: a@example.net\nDate: Mon, 26 Dec 2016 05:32:00 +0000\n\n");
    BOOST_REQUIRE_EQUAL(t.hops.size(), 4U);
    for (const auto& e : t.hops[1].evidence) BOOST_TEST(e.find("hand-over") == std::string::npos);
    BOOST_TEST(t.hops[0].evidence.front().find("inside example.org") != std::string::npos);
    BOOST_TEST(t.hops[1].role == "local-relay");
    BOOST_TEST(t.hops[3].role == "external-delivery");
}

// A first stamp with no sender and no protocol, only its software's version
// (sendmail's local submission, "by host (8.9.3+Sun) id X") or a send-only
// stand-in ("(sSMTP sendmail emulation)"), is the sending host's own.
BOOST_AUTO_TEST_CASE(a_bare_first_stamp_with_a_version_is_the_sending_host) {
    for (const char* note : {"(8.9.3+Sun) id MAA01601", "(sSMTP sendmail emulation)"}) {
        auto t = traced_text(std::string("Received: from fantasia.dupont.example (fantasia [10.1.2.3]) by "
                                         "mx.dupont.example (8.9.3/8.9.3) with ESMTP id X; Mon, 1 Jan 2001 "
                                         "10:00:05 -0500\nReceived: by fantasia.dupont.example ") +
                             note + "; Mon, 1 Jan 2001 10:00:00 -0500\nFrom: a@dupont.example\n\n");
        BOOST_TEST_CONTEXT(note) {
            BOOST_TEST(t.hops[0].role == "origin-device");
            BOOST_TEST(origin_of(t).host.value_or("") == "fantasia.dupont.example");
        }
    }
}

// A LISTSERV stamp makes its host the list, unless the list's own
// organisation wrote the mail (LISTSERV's replies to commands).
BOOST_AUTO_TEST_CASE(a_listserv_stamp_names_the_list_but_not_on_its_own_replies) {
    std::string m = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/list-listserv-no-list-headers.eml");
    BOOST_TEST(roles(traced_text(m)).find("mailing-list") != std::string::npos);
    const std::string from = "From: Priya Raman <priya@gauge-works.example>";
    BOOST_REQUIRE(m.find(from) != std::string::npos);
    m.replace(m.find(from), from.size(), "From: L-Soft list server <LISTSERV@LISTS.RIVERBASIN.EXAMPLE>");
    BOOST_TEST(roles(traced_text(m)).find("mailing-list") == std::string::npos);
}

// A stamp cut short (a copy whose folding was lost keeps only "Received:
// from HOST"): no hand-over over the internet is told of it, and where no
// neighbour names its system, its role is unknown.
BOOST_AUTO_TEST_CASE(a_cut_stamp_tells_no_hand_over) {
    auto t = build_trace(
        "Received: from SG2APC01FT031.eop-APC01.prod.protection.outlook.com\n"
        "Received: from SLXP216MB0381.KORP216.PROD.OUTLOOK.COM (10.152.250.56) by\n"
        " SG2APC01FT031.mail.protection.outlook.com (10.152.250.59) with Microsoft SMTP Server (version=TLS1_2,\n"
        " cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.863.11 via Frontend Transport; Sun, 17 Jun 2018\n"
        " 07:31:37 +0000\n"
        "From: a@contoso.com\nTo: b@example.jp\nSubject: x\nDate: Sun, 17 Jun 2018 07:31:30 +0000\n");
    BOOST_REQUIRE(t);
    classify(*t, RuleSet::builtin());
    BOOST_REQUIRE_EQUAL(t->hops.size(), 2U);
    BOOST_TEST(t->hops[1].role == "unknown");
    BOOST_TEST(t->hops[1].evidence.at(0).find("cut short") != std::string::npos);
    for (const auto& o : t->orgs) BOOST_TEST(!o.handover.has_value());
}
