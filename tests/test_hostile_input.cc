// Hostile input: each case finishes, gives a record or a clear error, keeps
// the output valid, and says so when a limit was hit. (Linear time is shown
// by the fuzzers and the benchmark, not by timing here.)
#define BOOST_TEST_MODULE hostile_input
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>

#include "base/limits.hh"
#include "chain/trace_builder.hh"
#include "classify/hop_classifier.hh"
#include "json_check.hh"
#include "parse/received_parser.hh"
#include "report/display_zone.hh"
#include "report/text_report.hh"
#include "report/trace_json.hh"
#include "test_support.hh"

using namespace hopscope;

namespace {

struct Outcome {
    bool ok = false;
    Trace trace;
    std::string json;
    std::string text;
};

Outcome run(const std::string& bytes) {
    static const auto rules = RuleSet::builtin();
    Outcome o;
    auto t = build_trace(bytes);
    if (!t) return o;
    classify(*t, rules);
    o.ok = true;
    o.json = trace_to_json(*t, false);
    o.text = render_text(*t, TextStyle{false, true, *DisplayZone::make("UTC")});
    o.trace = std::move(*t);
    BOOST_TEST(JsonCheck::valid(o.json));
    BOOST_TEST(o.text.find('\x1b') == std::string::npos);
    return o;
}

bool has_anomaly(const Trace& t, const std::string& kind) {
    for (const auto& a : t.anomalies)
        if (a.kind == kind) return true;
    for (const auto& h : t.hops)
        for (const auto& a : h.anomalies)
            if (a.kind == kind) return true;
    return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(hundred_thousand_received_fields) {
    std::string m;
    for (int i = 0; i < 100000; ++i)
        m += "Received: from a by b" + std::to_string(i) + "; Mon, 1 Jan 2024 00:00:00 +0000\n";
    auto o = run(m);
    BOOST_REQUIRE(o.ok);
    BOOST_TEST(o.trace.hops.size() == limits::max_hops);
    BOOST_TEST(has_anomaly(o.trace, "hop-limit"));
}

BOOST_AUTO_TEST_CASE(ten_megabyte_header_line) {
    std::string m = "Received: from " + std::string(10 * 1024 * 1024, 'a') + " by b; Mon, 1 Jan 2024 00:00:00 +0000\n";
    auto o = run(m);
    BOOST_REQUIRE(o.ok);
    BOOST_TEST(has_anomaly(o.trace, "field-truncated"));
    BOOST_TEST(o.trace.hops.at(0).fields.raw.size() <= limits::max_field_bytes);
}

BOOST_AUTO_TEST_CASE(header_block_beyond_the_limit) {
    std::string m;
    while (m.size() < limits::max_header_block_bytes + 1000) m += "X-Filler: " + std::string(1000, 'x') + "\n";
    auto o = run(m);
    BOOST_REQUIRE(o.ok);
    BOOST_TEST(has_anomaly(o.trace, "header-block-truncated"));
}

BOOST_AUTO_TEST_CASE(nul_bytes_everywhere) {
    std::string m("Received: from a\0b by c\0; Mon, 1 Jan 2024 00:00:00 +0000\nSubject: x\0y\n", 64);
    auto o = run(m);
    BOOST_REQUIRE(o.ok);
    BOOST_TEST(o.json.find("\\u0000") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(invalid_utf8_and_mixed_charsets) {
    auto o =
        run("Received: from \xC3\x28\xA0\xA1 by b; Mon, 1 Jan 2024 00:00:00 +0000\n"
            "Subject: caf\xE9 =?ISO-8859-1?Q?caf=E9?= =?KOI8-R?B?8NLJ18XU?= \xF0\x28\x8C\x28\n");
    BOOST_REQUIRE(o.ok);
    BOOST_TEST(has_anomaly(o.trace, "invalid-utf8"));
    BOOST_TEST(o.trace.subject->find("caf\xC3\xA9") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(overlong_and_malformed_encoded_words) {
    std::string word = "=?UTF-8?B?" + std::string(200000, 'Q') + "?=";
    auto o = run("Subject: " + word + " =?UTF-8?Q?broken =?x?y?z?= =?UTF-8?B?!!!?= =?\n");
    BOOST_REQUIRE(o.ok);
    BOOST_TEST(o.trace.subject.has_value());
}

BOOST_AUTO_TEST_CASE(ten_thousand_deep_comments) {
    std::string stamp = "Received: from a " + std::string(10000, '(') + "x" + std::string(10000, ')') +
                        " by b; Mon, 1 Jan 2024 00:00:00 +0000\n";
    auto o = run(stamp);
    BOOST_REQUIRE(o.ok);
    BOOST_TEST(has_anomaly(o.trace, "comment-depth"));
    BOOST_TEST(o.trace.hops.at(0).fields.time.has_value());
}

BOOST_AUTO_TEST_CASE(malformed_and_overlong_ips) {
    auto r = parse_received(" from a (b [999.1.1.1]) by c ([1.2.3]) with SMTP; Mon, 1 Jan 2024 00:00:00 +0000");
    BOOST_TEST(!r.from.ip);
    BOOST_TEST(!r.by.ip);
    auto v6 =
        parse_received(" from a (b [IPv6:" + std::string(5000, 'f') + "::1]) by c; Mon, 1 Jan 2024 00:00:00 +0000");
    BOOST_TEST(!v6.from.ip);
    auto many = parse_received(" from a (b [1:2:3:4:5:6:7:8:9]) by c; Mon, 1 Jan 2024 00:00:00 +0000");
    BOOST_TEST(!many.from.ip);
}

BOOST_AUTO_TEST_CASE(dates_at_and_beyond_the_edges) {
    auto o =
        run("Received: by a; 1 Jan 0 00:00:00 +0000\nReceived: by b; 31 Dec 9999 23:59:59 +0000\n"
            "Received: by c; 1 Jan 99999 00:00:00 +0000\nReceived: by d; 1 Jan -5 00:00:00 +0000\n"
            "Date: Sat, 31 Dec 9999 23:59:59 -2359\n");
    BOOST_REQUIRE(o.ok);
    BOOST_TEST(o.trace.hops.size() == 4U);
    BOOST_TEST(has_anomaly(o.trace, "unparsable-date"));
}

BOOST_AUTO_TEST_CASE(no_colon_anywhere_is_a_clear_error) {
    BOOST_TEST(!build_trace(std::string(100000, 'x') + "\n" + std::string(100000, 'y')));
}

BOOST_AUTO_TEST_CASE(binary_garbage) {
    std::string g;
    unsigned x = 12345;
    for (int i = 0; i < 1 << 20; ++i) {
        x = x * 1103515245U + 12345U;
        g.push_back(static_cast<char>(x >> 16));
    }
    (void)run(g);
    (void)run("Received: " + g);
}

BOOST_AUTO_TEST_CASE(fuzz_regressions_replay) {
    // Inputs the fuzzers once broke on (tools/fuzz/regressions): each must now analyse.
    std::filesystem::path dir = std::filesystem::path(HOPSCOPE_CORPUS_DIR) / "../tools/fuzz/regressions";
    if (!std::filesystem::exists(dir)) return;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        BOOST_TEST_CONTEXT(e.path().filename().string()) {
            (void)run(read_file(e.path().string()));
        }
    }
}
