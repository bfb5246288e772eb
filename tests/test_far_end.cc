// After the relay: what the far end's Authentication-Results say about a
// message Microsoft 365 sent on, and the hints (analyzer/data/far-end-hints.txt).
#define BOOST_TEST_MODULE far_end
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "classify/far_end.hh"
#include "classify/message_analysis.hh"
#include "classify/role_rules.hh"
#include "json_check.hh"
#include "report/display_zone.hh"
#include "report/html_report.hh"
#include "report/text_report.hh"
#include "report/trace_json.hh"
#include "test_support.hh"

using namespace hopscope;

namespace {

Trace analysed(const std::string& text) {
    static const RuleSet rules = RuleSet::builtin();
    auto t = analyse_message(text, rules);
    BOOST_REQUIRE(t);
    return *t;
}

Trace sample(const std::string& name) {
    return analysed(read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/" + name));
}

std::vector<std::string> ids(const FarEnd& f) {
    std::vector<std::string> out;
    for (const auto& x : f.findings) out.push_back(x.id);
    return out;
}

const FarEndFinding& finding(const FarEnd& f, const std::string& id) {
    for (const auto& x : f.findings)
        if (x.id == id) return x;
    BOOST_FAIL("no finding " + id);
    return f.findings.front();
}

std::string replaced(std::string s, const std::string& from, const std::string& to) {
    auto at = s.find(from);
    BOOST_REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_hint_has_text_and_sources) {
    auto all = far_end_hint_ids();
    BOOST_TEST(all == (std::vector<std::string>{"spf-eop-not-included", "relay-pool", "dkim-onmicrosoft-only",
                                                "srs-rewritten", "dmarc-fail", "dmarc-pass"}));
}

BOOST_AUTO_TEST_CASE(relay_to_gmail_passes_dmarc_on_aligned_spf) {
    Trace t = sample("o365-relay-to-gmail.eml");
    BOOST_REQUIRE(t.far_end);
    const FarEnd& f = *t.far_end;
    BOOST_TEST(f.authserv_id.value_or("") == "mx.google.com");
    BOOST_TEST(f.header == "Authentication-Results");
    BOOST_TEST(f.hop == 6);
    BOOST_TEST(f.sender_ip.value_or("") == "40.107.20.107");
    BOOST_TEST(f.from_domain.value_or("") == "tailspin.example");
    BOOST_REQUIRE(f.spf);
    BOOST_TEST(f.spf->result == "pass");
    BOOST_TEST(f.spf->aligned.value_or(false));
    BOOST_TEST(f.dkim.empty());
    BOOST_REQUIRE(f.dmarc);
    BOOST_TEST(f.dmarc->result == "pass");
    BOOST_TEST(ids(f) == std::vector<std::string>{"dmarc-pass"});
    BOOST_TEST(f.findings.front().message.find("SPF passes for tailspin.example, aligned") != std::string::npos);
    BOOST_TEST(f.findings.front().source.find("https://learn.microsoft.com/") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(relay_pool_means_the_sender_domain_was_not_accepted) {
    Trace t = sample("o365-relay-pool-to-gmail.eml");
    BOOST_REQUIRE(t.far_end);
    BOOST_TEST(t.far_end->sender_ip.value_or("") == "40.95.136.44");
    // The pool is outside include:spf.protection.outlook.com: the pool's own
    // finding, not "add the include" (which would not help).
    BOOST_TEST(ids(*t.far_end) == (std::vector<std::string>{"relay-pool", "dmarc-fail"}));
    BOOST_TEST(finding(*t.far_end, "relay-pool").severity == "error");
    BOOST_TEST(finding(*t.far_end, "dmarc-fail").message.find("no DKIM signature") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(spf_failing_from_eop_and_dkim_only_by_onmicrosoft) {
    Trace t = sample("o365-relay-dkim-onmicrosoft-spf-fail.eml");
    BOOST_REQUIRE(t.far_end);
    const FarEnd& f = *t.far_end;
    BOOST_TEST(ids(f) == (std::vector<std::string>{"spf-eop-not-included", "dkim-onmicrosoft-only", "dmarc-fail"}));
    const auto& spf = finding(f, "spf-eop-not-included");
    BOOST_TEST(spf.message.find("40.107.21.98") != std::string::npos);
    BOOST_TEST(spf.hint.find("include:spf.protection.outlook.com") != std::string::npos);
    BOOST_TEST(spf.hint.find("northwind.example") != std::string::npos);
    BOOST_TEST(finding(f, "dkim-onmicrosoft-only").message.find("northwind.onmicrosoft.com") != std::string::npos);
    BOOST_REQUIRE_EQUAL(f.dkim.size(), 1U);
    BOOST_TEST(f.dkim.front().domain.value_or("") == "northwind.onmicrosoft.com");
    BOOST_TEST(!f.dkim.front().aligned.value_or(true));
    // Which alignment failed: both, and why.
    const auto& dmarc = finding(f, "dmarc-fail").message;
    BOOST_TEST(dmarc.find("SPF fail for northwind.example") != std::string::npos);
    BOOST_TEST(dmarc.find("d=northwind.onmicrosoft.com, which is not aligned") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(srs_rewritten_envelope) {
    Trace t = sample("o365-srs-forward-to-gmail.eml");
    BOOST_REQUIRE(t.far_end);
    const FarEnd& f = *t.far_end;
    BOOST_TEST(f.envelope.value_or("") == "bounces+SRS=vx2dQ=S3@contoso.com");  // the quotes are gone
    BOOST_TEST(ids(f) == (std::vector<std::string>{"srs-rewritten", "dmarc-pass"}));
    BOOST_TEST(finding(f, "srs-rewritten").message.find("SPF is checked for contoso.com") != std::string::npos);
    BOOST_TEST(finding(f, "dmarc-pass").message.find("DKIM passes for d=fabrikam.example, aligned") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(only_mail_that_left_microsoft_365) {
    BOOST_TEST(!sample("demo-o365-relay.eml").far_end);  // delivered inside the tenant
    BOOST_TEST(!sample("gmail-to-gmail.eml").far_end);   // never in Microsoft 365
    BOOST_TEST(!sample("postfix-basic.eml").far_end);
    // The far end wrote no results of its own: Microsoft's ARC copy of the
    // message's way in (naming the relay's address, not Microsoft's outbound
    // one) is not taken for them.
    std::string arc_only = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/o365-relay-dkim-onmicrosoft-spf-fail.eml");
    arc_only = replaced(arc_only, "Authentication-Results: mx.google.com;", "X-Old-Results: mx.google.com;");
    BOOST_TEST(!analysed(arc_only).far_end);
    // Left Microsoft 365, but the far end wrote no results: nothing to say.
    std::string text = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/o365-relay-to-gmail.eml");
    text = replaced(text, "Authentication-Results: mx.google.com;", "X-Old-Results: mx.google.com;");
    BOOST_TEST(!analysed(text).far_end);
}

BOOST_AUTO_TEST_CASE(arc_results_when_no_plain_ones) {
    std::string text = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/o365-relay-pool-to-gmail.eml");
    text = replaced(text, "Authentication-Results: mx.google.com;", "X-Old-Results: mx.google.com;");
    Trace t = analysed(text);
    BOOST_REQUIRE(t.far_end);
    BOOST_TEST(t.far_end->header == "ARC-Authentication-Results");
    BOOST_TEST(t.far_end->authserv_id.value_or("") == "mx.google.com");
    BOOST_TEST(ids(*t.far_end) == (std::vector<std::string>{"relay-pool", "dmarc-fail"}));
}

BOOST_AUTO_TEST_CASE(hostile_results_stay_bounded) {
    std::string text = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/o365-relay-to-gmail.eml");
    std::string many;
    for (int i = 0; i < 2000; ++i) many += " dkim=pass header.d=x" + std::to_string(i) + ".onmicrosoft.com;";
    text = replaced(text, "Authentication-Results: mx.google.com;",
                    "Authentication-Results: mx.google.com;" + many + " smtp.mailfrom=\"\"\"@\"; dmarc={x};");
    Trace t = analysed(text);
    BOOST_REQUIRE(t.far_end);
    BOOST_TEST(t.far_end->findings.size() <= 6U);
}

BOOST_AUTO_TEST_CASE(every_writer_shows_it_escaped) {
    std::string text = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/o365-relay-dkim-onmicrosoft-spf-fail.eml");
    text = replaced(text, "Authentication-Results: mx.google.com;",
                    "Authentication-Results: mx.google.com\x1b[31m<script>;");
    text = replaced(text, "header.from=northwind.example", "header.from=north\x1b[2Jwind<b>.example");
    Trace t = analysed(text);
    BOOST_REQUIRE(t.far_end);
    auto zone = DisplayZone::make("UTC");
    std::string out = render_text(t, TextStyle{false, true, *zone});
    auto relay = out.rfind("\nRelay      ");
    auto far = out.rfind("\nFar end    ");
    BOOST_REQUIRE(far != std::string::npos);
    BOOST_TEST(far > relay);  // after the relay verdict
    BOOST_TEST(out.find("fix: Publish include:spf.protection.outlook.com") != std::string::npos);
    BOOST_TEST(out.find('\x1b') == std::string::npos);  // no terminal control from a header
    std::string page = render_html(t, {"far.eml", ""});
    BOOST_TEST(page.find("After the relay: the far end") != std::string::npos);
    BOOST_TEST(page.find("<script>;") == std::string::npos);
    BOOST_TEST(page.find("wind<b>") == std::string::npos);
    BOOST_TEST(page.find("wind&lt;b&gt;") != std::string::npos);
    std::string json = trace_to_json(t, false);
    BOOST_TEST(JsonCheck::valid(json));
    BOOST_TEST(json.find("\"far_end\":{\"authserv_id\":") != std::string::npos);
    BOOST_TEST(trace_to_json(sample("demo-o365-relay.eml"), false).find("\"far_end\":null") != std::string::npos);
}

// A receiver that writes one Authentication-Results per check (subspace's
// milters): the far end's results are all its authserv-id wrote, not only
// the header that names the client's address.
BOOST_AUTO_TEST_CASE(results_split_over_several_headers_of_one_receiver) {
    std::string text = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/o365-relay-to-gmail.eml");
    text = replaced(text,
                    "Authentication-Results: mx.google.com;\n"
                    "       spf=pass (google.com: domain of alerts@tailspin.example designates 40.107.20.107 as "
                    "permitted sender) smtp.mailfrom=alerts@tailspin.example;\n"
                    "       dmarc=pass (p=QUARANTINE sp=QUARANTINE dis=NONE) header.from=tailspin.example\n",
                    "Authentication-Results: mx.google.com; dmarc=pass (p=QUARANTINE sp=QUARANTINE dis=NONE) "
                    "header.from=tailspin.example\n"
                    "Authentication-Results: mx.google.com; arc=none smtp.client-ip=40.107.20.107\n"
                    "Authentication-Results: mx.google.com; spf=pass smtp.mailfrom=alerts@tailspin.example\n"
                    "Authentication-Results: mx.other.example; spf=fail smtp.mailfrom=x@tailspin.example\n");
    Trace t = analysed(text);
    BOOST_REQUIRE(t.far_end);
    BOOST_TEST(t.far_end->authserv_id.value_or("") == "mx.google.com");
    BOOST_REQUIRE(t.far_end->spf.has_value());
    BOOST_TEST(t.far_end->spf->result == "pass");
    BOOST_REQUIRE(t.far_end->dmarc.has_value());
    BOOST_TEST(t.far_end->dmarc->result == "pass");
    BOOST_TEST(t.far_end->envelope.value_or("") == "alerts@tailspin.example");
}
