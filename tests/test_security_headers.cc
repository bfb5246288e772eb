#define BOOST_TEST_MODULE security_headers
#include <boost/test/unit_test.hpp>

#include <string>

#include "chain/trace_builder.hh"
#include "parse/security_headers.hh"
#include "test_support.hh"

using namespace hopscope;

BOOST_AUTO_TEST_CASE(forefront_fields_with_meanings_and_unknowns_kept) {
    auto f = parse_forefront_report(
        "CIP:40.107.8.131;CTRY:;LANG:en;SCL:5;SRV:BULK;IPV:CAL;SFV:SKN;H:mail.example;PTR:;CAT:PHSH;SFTY:9.25;"
        "SFS:(13230031)(4636009);DIR:INB;NEWFIELD:7;");
    BOOST_REQUIRE_EQUAL(f.size(), 14U);
    BOOST_TEST(f[0].key == "CIP");
    BOOST_TEST(f[0].value == "40.107.8.131");
    BOOST_TEST(f[3].meaning == "spam");
    BOOST_TEST(f[4].meaning == "bulk mail identified by spam filtering and the BCL threshold");
    BOOST_TEST(f[5].meaning == "spam filtering skipped: the source IP is on the IP Allow List");
    BOOST_TEST(f[6].meaning == "marked not spam before filtering (for example by a mail flow rule)");
    BOOST_TEST(f[9].meaning == "phishing");
    BOOST_TEST(f[10].meaning == "first contact safety tip");
    BOOST_TEST(f[11].value == "(13230031)(4636009)");
    BOOST_TEST(!f[13].known_key);
    BOOST_TEST(f[13].value == "7");
}

BOOST_AUTO_TEST_CASE(microsoft_authentication_results_without_authserv_id) {
    auto a = parse_authentication_results(
        "Authentication-Results",
        "spf=pass (sender IP is 40.107.8.131) smtp.mailfrom=contoso.com; dkim=pass (signature was verified) "
        "header.d=contoso.com;dmarc=pass action=none header.from=contoso.com;compauth=pass reason=100");
    BOOST_TEST(!a.authserv_id);
    BOOST_REQUIRE_EQUAL(a.results.size(), 4U);
    BOOST_TEST(a.summary[0] == "SPF: pass with IP 40.107.8.131 (mail from contoso.com)");
    BOOST_TEST(a.summary[1] == "DKIM: pass with domain contoso.com");
    BOOST_TEST(a.summary[2] == "DMARC: pass for contoso.com, action none");
    BOOST_TEST(a.summary[3] == "Composite auth: pass, reason 100");
    BOOST_TEST(*a.results[1].reason == "signature was verified");
}

BOOST_AUTO_TEST_CASE(gmail_and_arc_results) {
    auto a = parse_authentication_results(
        "ARC-Authentication-Results",
        "i=1; mx.google.com; spf=pass (google.com: domain of x@relay.edu designates 146.20.14.105 as permitted sender) "
        "smtp.mailfrom=x@relay.edu; dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=relay.edu");
    BOOST_TEST(*a.arc_instance == 1);
    BOOST_TEST(*a.authserv_id == "mx.google.com");
    BOOST_TEST(a.summary.at(0) == "SPF: pass with IP 146.20.14.105 (mail from x@relay.edu)");
}

BOOST_AUTO_TEST_CASE(decoded_from_a_whole_message) {
    auto t = build_trace(read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/demo-o365-relay.eml"));
    BOOST_REQUIRE(t);
    auto s = decode_security(t->signals);
    BOOST_TEST(*s.scl == 1);
    BOOST_TEST(*s.bcl == 0);
    BOOST_TEST(s.forefront.size() == 12U);
    BOOST_TEST(s.authentication.size() == 1U);
}

BOOST_AUTO_TEST_CASE(mailbox_delivery) {
    Trace t;
    t.signals.push_back({"X-Microsoft-Antispam-Mailbox-Delivery", "ucf:0;jmr:0;auth:0;dest:J;OFR:SpamFilterAuthJ;"});
    auto s = decode_security(t.signals);
    BOOST_REQUIRE_EQUAL(s.mailbox_delivery.size(), 5U);
    BOOST_TEST(s.mailbox_delivery[3].meaning == "Junk Email");
}

// The reason comment is cut out of the text; when it sat inside a word the
// two halves make one word again, as a reader of the text would take it,
// and words on either side of a spaced comment stay apart.
BOOST_AUTO_TEST_CASE(words_around_the_reason_comment) {
    auto a = parse_authentication_results("Authentication-Results",
                                          "dkim=pass header.d=exa(signature was verified)mple.com header.s=s1; "
                                          "spf=fail smtp.mailfrom=a.example (sender IP is 192.0.2.1) x=y");
    BOOST_REQUIRE_EQUAL(a.results.size(), 2U);
    const auto& dkim = a.results[0].properties;
    BOOST_REQUIRE_EQUAL(dkim.size(), 2U);
    BOOST_TEST(dkim[0].first == "header.d");
    BOOST_TEST(dkim[0].second == "example.com");
    BOOST_TEST(dkim[1].second == "s1");
    BOOST_TEST(*a.results[0].reason == "signature was verified");
    BOOST_TEST(a.summary[0] == "DKIM: pass with domain example.com");
    const auto& spf = a.results[1].properties;
    BOOST_REQUIRE_EQUAL(spf.size(), 2U);
    BOOST_TEST(spf[0].second == "a.example");
    BOOST_TEST(spf[1].first == "x");
    BOOST_TEST(a.summary[1] == "SPF: fail with IP 192.0.2.1 (mail from a.example)");
    // Moved elsewhere (as a report's vector does when it grows), the views hold.
    std::vector<AuthenticationResults> moved;
    moved.push_back(std::move(a));
    moved.emplace_back();
    moved.emplace_back();
    BOOST_TEST(moved[0].results[0].properties[0].second == "example.com");
}
