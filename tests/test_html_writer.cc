// HTML output is escaped for every context it writes into: element text,
// quoted attributes, SVG text, the inline JSON; control characters and bidi
// overrides are shown, not obeyed; the page's CSP names its own style and
// script; a trace of hostile headers renders as inert text.
#define BOOST_TEST_MODULE html_writer
#include <boost/test/unit_test.hpp>

#include <string>

#include "chain/trace_builder.hh"
#include "classify/bounce_analysis.hh"
#include "classify/hop_classifier.hh"
#include "json_check.hh"
#include "report/audit_summary.hh"
#include "report/html_report.hh"
#include "report/html_writer.hh"
#include "test_support.hh"

using namespace hopscope;

namespace {

std::size_t count(const std::string& hay, std::string_view needle) {
    std::size_t n = 0;
    for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
    return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(element_and_attribute_text) {
    BOOST_TEST(html_text("<b>&\"'") == "&lt;b&gt;&amp;&quot;&#39;");
    BOOST_TEST(html_text("plain mx1.example.com [192.0.2.1]") == "plain mx1.example.com [192.0.2.1]");
    // In a quoted attribute no quote of either kind survives.
    std::string attr = html_text("\" onmouseover=\"alert(1)' x='");
    BOOST_TEST(attr.find('"') == std::string::npos);
    BOOST_TEST(attr.find('\'') == std::string::npos);
    // Controls, NUL and bidi overrides are shown as escapes, never obeyed.
    std::string shown =
        html_text(std::string("a\x00"
                              "b\x1b[31mc\u202Ed",
                              14));
    BOOST_TEST(shown.find('\0') == std::string::npos);
    BOOST_TEST(shown.find('\x1b') == std::string::npos);
    BOOST_TEST(shown.find("\u202E") == std::string::npos);
    BOOST_TEST(shown.find("\\u{202E}") != std::string::npos);
    // Invalid UTF-8 is shown as its bytes' escapes: the page stays valid UTF-8.
    BOOST_TEST(html_text("\xff\xfe") == "\\xFF\\xFE");
}

BOOST_AUTO_TEST_CASE(form_field_text_comes_back_as_typed) {
    // What a user pasted goes back into its field: lines, tabs and controls
    // kept (submitted again, it is the same text), markup inert.
    BOOST_TEST(html_field_text("Received: from a\r\n\tby b;\x1b[31m x\n") == "Received: from a\n\tby b;\x1b[31m x\n");
    BOOST_TEST(html_field_text("</textarea><script>x()</script>") ==
               "&lt;/textarea&gt;&lt;script&gt;x()&lt;/script&gt;");
    std::string attr = html_field_text("\" onfocus=\"x()' y='");
    BOOST_TEST(attr.find('"') == std::string::npos);
    BOOST_TEST(attr.find('\'') == std::string::npos);
    BOOST_TEST(html_field_text(std::string("a\0b\rc", 5)) ==
               "a\xEF\xBF\xBD"
               "b\nc");
    BOOST_TEST(html_field_text("caf\xC3\xA9 \xFF") == "caf\xC3\xA9 \xEF\xBF\xBD");  // valid UTF-8 out
}

BOOST_AUTO_TEST_CASE(times_in_the_zone_asked_and_security_left_out) {
    const std::string bytes = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/demo-o365-relay.eml");
    auto trace = build_trace(bytes);
    BOOST_REQUIRE(trace.has_value());
    classify(*trace, RuleSet::builtin());
    std::string utc = render_html(*trace, {"demo.eml", ""});
    BOOST_TEST(utc.find("<th>Time (UTC)</th>") != std::string::npos);
    BOOST_TEST(utc.find(">2024-05-14 07:12:03</time>") != std::string::npos);
    BOOST_TEST(utc.find("<h2>Security headers") != std::string::npos);
    auto paris = DisplayZone::make("Europe/Paris");
    BOOST_REQUIRE(paris.has_value());
    HtmlOptions o{"demo.eml", ""};
    o.zone = &*paris;
    o.security = false;
    std::string page = render_html(*trace, o);
    BOOST_TEST(page.find("<th>Time (Europe/Paris)</th>") != std::string::npos);
    // Shown in the zone; the machine-readable datetime stays UTC.
    BOOST_TEST(page.find("datetime=\"2024-05-14T07:12:03Z\" data-local=\"msg-t1\">2024-05-14 09:12:03 +0200</time>") !=
               std::string::npos);
    BOOST_TEST(page.find("Times are in Europe/Paris") != std::string::npos);
    BOOST_TEST(page.find("<h2>Security headers") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(json_inside_a_script_element) {
    std::string json = R"({"s":"</script><script>alert(1)</script><!--x-->","t":"a&b>c","u":"ok)"
                       "\u2028"
                       R"("})";
    std::string safe = json_for_script(json);
    BOOST_TEST(safe.find('<') == std::string::npos);
    BOOST_TEST(safe.find('>') == std::string::npos);
    BOOST_TEST(safe.find('&') == std::string::npos);
    BOOST_TEST(safe.find("\u2028") == std::string::npos);
    BOOST_TEST(JsonCheck::valid(safe));  // still JSON, meaning the same
    BOOST_TEST(safe.find("\\u003c/script\\u003e") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(csp_names_the_pages_own_style_and_script) {
    std::string page = html_page_start("t", html_style(), html_script(), false) + html_page_end(html_script());
    BOOST_TEST(page.find("script-src " + csp_hash(html_script())) != std::string::npos);
    BOOST_TEST(page.find("style-src " + csp_hash(html_style())) != std::string::npos);
    BOOST_TEST(page.find("default-src 'none'") != std::string::npos);
    BOOST_TEST(csp_hash("") == "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");  // SHA-256 of nothing
    // The script sets text and attributes only: nothing in it can run markup.
    BOOST_TEST(html_script().find("innerHTML") == std::string_view::npos);
    BOOST_TEST(html_script().find("eval") == std::string_view::npos);
}

BOOST_AUTO_TEST_CASE(hostile_headers_render_as_text) {
    const std::string bytes = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/html-hostile-headers.eml");
    auto trace = build_trace(bytes);
    BOOST_REQUIRE(trace.has_value());
    const auto rules = RuleSet::builtin();
    classify(*trace, rules);
    analyse_bounce(*trace, bytes, rules);
    std::string page = render_html(*trace, {"hostile.eml", bytes.substr(0, bytes.find("\n\n"))});
    BOOST_TEST(count(page, "<script") == 2U);  // the inline JSON and the page's own script
    BOOST_TEST(count(page, "<img") == 0U);
    BOOST_TEST(count(page, "<svg") == 1U);  // the timeline, not the header's <svg onload>
    BOOST_TEST(count(page, "</style>") == 1U);
    BOOST_TEST(page.find("javascript:") != std::string::npos);        // shown as text ...
    BOOST_TEST(page.find("href=\"javascript") == std::string::npos);  // ... never a link
    BOOST_TEST(page.find('\0') == std::string::npos);
    BOOST_TEST(page.find("\u202E") == std::string::npos);
    BOOST_TEST(page.find("&lt;script&gt;window.__pwned=1&lt;/script&gt;") != std::string::npos);
    // The audit page of the same: its lists are escaped too.
    AuditSummary s;
    AuditFigures f;
    f.analysed = true;
    f.message_id = trace->message_id;
    s.add(f, {"<img src=x onerror=alert(1)>.mbox", std::uint64_t{7}, 0});
    std::string audit = s.render_html();
    BOOST_TEST(count(audit, "<img") == 0U);
    BOOST_TEST(count(audit, "<script") == 2U);
}
