// The audit summary is a function of the set of records, not their order
// (what lets summarize reduce shards), its percentiles are those of the
// sorted list of delays, and a JSONL record read back gives the figures and
// the CSV row audit had in hand.
#define BOOST_TEST_MODULE audit_summary
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>

#include "base/byte_buffer.hh"
#include "chain/trace_builder.hh"
#include "classify/bounce_analysis.hh"
#include "classify/hop_classifier.hh"
#include "input/header_block.hh"
#include "report/audit_record.hh"
#include "report/audit_record_reader.hh"
#include "report/audit_summary.hh"
#include "test_support.hh"

namespace fs = std::filesystem;
using hopscope::AuditFigures;
using hopscope::AuditSummary;
using hopscope::MessageSource;

namespace {

struct Message {
    std::string path;
    MessageSource source;
    AuditFigures figures;
};

// Synthetic figures over a few paths: failures, bypasses, bounces, delays
// with many ties (the cases where order could leak into the output).
std::vector<Message> messages(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    const auto& roles = hopscope::audit_roles();
    std::vector<Message> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        Message m;
        m.path = "box" + std::to_string(rng() % 4) + ".mbox";
        AuditFigures& f = m.figures;
        f.analysed = rng() % 10 != 0;
        if (!f.analysed) {
            f.error = "holds no header fields";
        } else {
            f.traversed = rng() % 3 == 0;
            f.message_id = "<" + std::to_string(i) + "@test>";
            f.bounce = rng() % 20 == 0;
            if (f.bounce) {
                f.bounce_status = rng() % 2 ? "5.7.64" : "4.4.7";
                f.bounce_explanation = *f.bounce_status == "5.7.64" ? "relay refused" : "expired";
            }
            int hops = static_cast<int>(rng() % 6);
            for (int h = 1; h <= hops; ++h)
                f.delays.push_back({roles[rng() % roles.size()], static_cast<std::int64_t>(rng() % 7) - 1, h});
            f.clock_skew = static_cast<int>(rng() % 2);
        }
        out.push_back(std::move(m));
    }
    // Indexes per path, in order, as an audit numbers them.
    std::map<std::string, std::uint64_t> next;
    for (auto& m : out) m.source = {m.path, std::nullopt, next[m.path]++};
    for (auto& m : out) m.source.path = m.path;
    return out;
}

AuditSummary summarise(const std::vector<Message>& list) {
    AuditSummary s;
    for (const auto& m : list) s.add(m.figures, m.source);
    return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(order_does_not_matter) {
    auto list = messages(3000, 1);
    const AuditSummary in_order = summarise(list);
    std::mt19937 rng(2);
    for (int round = 0; round < 5; ++round) {
        std::shuffle(list.begin(), list.end(), rng);
        for (auto& m : list) m.source.path = m.path;  // the views follow the moved strings
        AuditSummary shuffled = summarise(list);
        BOOST_TEST(shuffled.render() == in_order.render());
        BOOST_TEST(shuffled.render_json() == in_order.render_json());
    }
    std::string text = in_order.render();
    BOOST_TEST(text.find("Not through the relay") != std::string::npos);
    BOOST_TEST(text.find("... and ") != std::string::npos);  // more than the 50 listed
    BOOST_TEST(text.find("Bounces (") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_first_fifty_by_path_and_index_are_listed) {
    AuditSummary s;
    for (std::uint64_t i = 200; i-- > 0;) {  // added last first
        AuditFigures f;
        f.analysed = true;
        s.add(f, {"a.mbox", std::nullopt, i});
    }
    std::string text = s.render();
    BOOST_TEST(text.find("a.mbox #0\n") != std::string::npos);
    BOOST_TEST(text.find("a.mbox #49\n") != std::string::npos);
    BOOST_TEST(text.find("a.mbox #50\n") == std::string::npos);
    BOOST_TEST(text.find("... and 150 more") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(percentiles_are_those_of_the_sorted_delays) {
    std::mt19937 rng(3);
    std::vector<std::int64_t> delays;
    AuditSummary s;
    for (int i = 0; i < 9999; ++i) {
        auto d = static_cast<std::int64_t>(rng() % 5000) - 20;
        delays.push_back(d);
        AuditFigures f;
        f.analysed = true;
        f.traversed = true;
        f.delays.push_back({hopscope::audit_roles()[4], d, 1});
        s.add(f, {"x", std::nullopt, static_cast<std::uint64_t>(i)});
    }
    std::sort(delays.begin(), delays.end());
    auto at = [&](double p) {
        return delays[static_cast<std::size_t>(std::lround(p * static_cast<double>(delays.size() - 1)))];
    };
    std::string json = s.render_json();
    for (auto [name, p] : {std::pair{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}}) {
        std::string want = "\"" + std::string(name) + "\": " + std::to_string(at(p));
        BOOST_TEST(json.find(want) != std::string::npos, want);
    }
    BOOST_TEST(json.find("\"max\": " + std::to_string(delays.back())) != std::string::npos);
}

// Mbox messages are known by their offset: the records of range audits
// (no index) in any order summarise as one audit's records (indexes from 0)
// do, and the lists go by offset.
BOOST_AUTO_TEST_CASE(mbox_messages_are_listed_by_offset_with_or_without_index) {
    auto list = messages(2000, 3);
    std::map<std::string, std::uint64_t> at;
    for (auto& m : list) {
        m.source.offset = at[m.path];
        at[m.path] += 1000 + m.source.index.value_or(0) % 7;  // offsets grow with the index
    }
    const AuditSummary whole = summarise(list);
    std::mt19937 rng(4);
    std::shuffle(list.begin(), list.end(), rng);
    for (auto& m : list) {
        m.source.path = m.path;
        m.source.index = std::nullopt;
    }
    const AuditSummary ranges = summarise(list);
    BOOST_TEST(ranges.render() == whole.render());
    BOOST_TEST(ranges.render_json() == whole.render_json());
    BOOST_TEST(ranges.render_html() == whole.render_html());
    std::string text = whole.render();
    BOOST_TEST(text.find("box0.mbox (offset 0)") != std::string::npos);
    BOOST_TEST(text.find(".mbox #") == std::string::npos);
    std::string json = whole.render_json();
    BOOST_TEST(json.find("\"index\": null") != std::string::npos);
    for (char digit = '0'; digit <= '9'; ++digit)
        BOOST_TEST(json.find(std::string("\"index\": ") + digit) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_record_read_back_gives_what_audit_had) {
    const auto rules = hopscope::RuleSet::builtin();
    hopscope::AuditRecordReader reader;
    int checked = 0;
    for (const auto& e : fs::directory_iterator(HOPSCOPE_CORPUS_DIR)) {
        if (e.path().extension() == ".json") continue;
        const std::string bytes = read_file(e.path().string());
        const std::string path = e.path().filename().string();
        MessageSource source{path, std::uint64_t{12}, 3};
        hopscope::ByteBuffer out;
        AuditFigures want = hopscope::audit_message(bytes, source, rules, hopscope::RecordFormat::Jsonl, out);
        std::string line(out.view());
        BOOST_REQUIRE(!line.empty() && line.back() == '\n');
        line.pop_back();
        auto got = reader.read(line);
        BOOST_TEST_CONTEXT(path) {
            BOOST_REQUIRE_MESSAGE(got.has_value(), (got ? "" : got.error().message));
            BOOST_TEST(got->path == path);
            BOOST_TEST(got->offset == std::optional<std::uint64_t>(12));
            BOOST_TEST(got->index == std::optional<std::uint64_t>(3));
            BOOST_TEST(got->figures.analysed == want.analysed);
            BOOST_TEST(got->figures.traversed == want.traversed);
            BOOST_TEST(got->figures.message_id == want.message_id);
            BOOST_TEST(got->figures.bounce == want.bounce);
            BOOST_TEST(got->figures.bounce_status == want.bounce_status);
            BOOST_TEST(got->figures.clock_skew == want.clock_skew);
            BOOST_TEST(got->figures.unparsable_dates == want.unparsable_dates);
            BOOST_TEST((got->figures.delays == want.delays));
            auto trace = hopscope::build_trace(hopscope::split_header_block(bytes));
            if (trace) {
                hopscope::classify(*trace, rules);
                hopscope::analyse_bounce(*trace, bytes, rules);
                BOOST_TEST((got->row == hopscope::audit_row(*trace)));
            }
        }
        ++checked;
    }
    BOOST_TEST(checked >= 40);
}

BOOST_AUTO_TEST_CASE(hostile_lines_are_errors_not_crashes) {
    hopscope::AuditRecordReader reader;
    std::string deep(100000, '[');
    std::string long_string = R"({"schema":2,"subject":")" + std::string(1 << 20, 'x') +
                              R"(","source":{"path":"p","offset":null,"index":0}})";
    for (std::string line :
         {std::string(), std::string("{}"), std::string("null"), std::string("[1,2]"), std::string(R"({"schema":2})"),
          std::string(R"({"schema":"2"})"), std::string(R"({"schema":2,"source":{"path":"p","offset":-1,"index":0}})"),
          std::string(R"({"schema":2,"source":{"path":"p","offset":null,"index":1e999}})"),
          std::string(R"({"schema":2,"hops":[{"role":"eop","delay_s":"x"}],"source":{}})"),
          std::string("{\"schema\":2,\"subject\":\"\xff\xfe\"}"), deep,
          std::string(R"({"schema":2,"source":{"path":"p","offset":null,"index":0})")}) {
        auto r = reader.read(line);
        BOOST_TEST(!r.has_value(), line.substr(0, 60));
    }
    auto ok = reader.read(long_string);
    BOOST_TEST(ok.has_value());
    BOOST_TEST(ok->row.subject->size() == std::size_t{1} << 20);
}
