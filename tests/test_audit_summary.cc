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
#include "classify/message_analysis.hh"
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
        if (!f.analysed && rng() % 2 == 0) {
            f.skipped = rng() % 2 ? "contact (IPM.Contact)" : "calendar item (IPM.Appointment)";
        } else if (!f.analysed) {
            f.error = "holds no header fields";
        } else {
            f.traversed = rng() % 3 == 0;
            f.state = f.traversed ? "traversed" : rng() % 2 ? "not-traversed" : "not-applicable";
            static const char* const methods[] = {"connector-relay", "direct-send", "client-submission", "inbound"};
            f.method = methods[rng() % 4];
            f.reason = f.state == "not-applicable" ? (rng() % 2 ? "inbound" : "no-microsoft-365") : "connector";
            f.seen = "2024-05-" + std::to_string(10 + rng() % 5) + "T0" + std::to_string(rng() % 10) + ":00:00Z";
            hopscope::SenderFigures sf;
            sf.origin_ip = "10.0.0." + std::to_string(rng() % 5);
            sf.origin_host = "dev" + std::to_string(rng() % 3) + ".local";
            sf.from_address = "scanner" + std::to_string(rng() % 3) + "@contoso.example";
            // Many relay names for one sender: the kept names must not depend on order.
            sf.relays = {"relay" + std::to_string(rng() % 40) + ".contoso.example"};
            if (rng() % 2) {
                sf.eop_from = "198.51.100." + std::to_string(rng() % 3);
                sf.tls_into_eop = rng() % 3 == 0 ? "none" : "1.2";
            }
            if (rng() % 4 == 0) sf.connector = "Relay by IP";
            f.sender = sf;
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
    BOOST_TEST(text.find("Senders (") != std::string::npos);
    BOOST_TEST(text.find("Skipped: no e-mail messages (") != std::string::npos);
    BOOST_TEST(text.find("Implausible delays (") != std::string::npos);  // the -1 s delays
    BOOST_TEST(in_order.render_senders_csv().find("origin,origin_host,from_address,") == 0U);
    BOOST_TEST(in_order.failed() > 0U);
    BOOST_TEST(in_order.skipped() > 0U);
}

// Skipped items (no e-mail messages) are counted and listed apart, by what
// they are; they are no failure and no message of the relay counts.
BOOST_AUTO_TEST_CASE(skipped_items_are_no_failures) {
    AuditSummary s;
    const char* whats[] = {"contact (IPM.Contact)", "contact (IPM.Contact)", "calendar item (IPM.Appointment)"};
    std::uint32_t index = 0;
    for (const char* what : whats) {
        AuditFigures f;
        f.skipped = what;
        MessageSource src{"box.pst", std::nullopt, index++, "Top/Contacts", std::uint32_t{2097188 + 32 * index}};
        s.add(f, src);
    }
    AuditFigures ok;
    ok.analysed = true;
    ok.state = "not-applicable";
    ok.reason = "no-microsoft-365";
    s.add(ok, {"box.pst", std::nullopt, index++, "Top/Inbox", std::uint32_t{4}});
    BOOST_TEST(s.failed() == 0U);
    BOOST_TEST(s.skipped() == 3U);
    BOOST_TEST(s.not_traversed() == 0U);
    const std::string text = s.render();
    BOOST_TEST(
        text.find("Messages   4 read, 1 analysed, 0 failed, 3 items skipped (no e-mail messages)") != std::string::npos,
        text);
    BOOST_TEST(text.find("Relay      0 traversed, 0 not traversed, 1 never reached Microsoft 365") !=
               std::string::npos);
    BOOST_TEST(text.find("         2  contact (IPM.Contact)") != std::string::npos, text);
    BOOST_TEST(text.find("box.pst #0 (Top/Contacts, item 2097220): contact (IPM.Contact)") != std::string::npos, text);
    const std::string json = s.render_json();
    BOOST_TEST(json.find("\"skipped\": 3") != std::string::npos);
    BOOST_TEST(json.find("\"what\": \"contact (IPM.Contact)\",\n      \"count\": 2") != std::string::npos, json);
    BOOST_TEST(json.find("\"failures\": []") != std::string::npos);
}

// The three states apart, not-applicable by reason in words; --expect-relay
// counts only not-traversed.
BOOST_AUTO_TEST_CASE(the_headline_separates_the_three_states) {
    AuditSummary s;
    std::uint64_t index = 0;
    auto add = [&](std::string_view state, std::string reason, int n) {
        for (int i = 0; i < n; ++i) {
            AuditFigures f;
            f.analysed = true;
            f.state = state;
            f.traversed = state == "traversed";
            f.reason = reason;
            s.add(f, {"m.mbox", std::uint64_t{index * 100}, index});
            ++index;
        }
    };
    add("traversed", "connector", 12);
    add("not-traversed", "direct-send", 3);
    add("not-applicable", "no-microsoft-365", 140);
    add("not-applicable", "mailbox", 2);
    add("not-applicable", "inbound", 5);
    BOOST_TEST(s.not_traversed() == 3U);
    const std::string text = s.render();
    BOOST_TEST(text.find("Relay      12 traversed, 3 not traversed, 5 another organisation's mail, 2 written in an "
                         "Exchange Online mailbox, 140 never reached Microsoft 365\n") != std::string::npos,
               text);
    BOOST_TEST(text.find("Not through the relay (3;") != std::string::npos);
    BOOST_TEST(text.find("      hopscope trace --offset 1200 'm.mbox'\n") != std::string::npos, text);
    const std::string json = s.render_json();
    BOOST_TEST(json.find("\"not_applicable\": 147") != std::string::npos);
    BOOST_TEST(s.render_html().find("12 traversed the relay, 3 did not, 5 another organisation") != std::string::npos);
}

// Negative, week-long and zone-sized delays are left out of the percentiles
// and the slowest hops, and counted and listed apart.
BOOST_AUTO_TEST_CASE(implausible_delays_are_apart) {
    AuditSummary s;
    AuditFigures f;
    f.analysed = true;
    f.state = "traversed";
    f.delays = {{"eop", 5, 2},
                {"origin-device", 3 * 365 * 86400, 1},
                {"local-relay", 7200, 3, true},
                {"exchange-online", -4, 4}};
    s.add(f, {"x.eml", std::nullopt, 0});
    const std::string json = s.render_json();
    BOOST_TEST(json.find("\"implausible_delays\": 3") != std::string::npos, json);
    BOOST_TEST(json.find("\"role\": \"origin-device\",\n      \"hops\"") == std::string::npos);
    BOOST_TEST(json.find("\"why\": \"longer than 7 days") != std::string::npos);
    BOOST_TEST(json.find("\"why\": \"whole hours") != std::string::npos);
    BOOST_TEST(json.find("\"why\": \"negative\"") != std::string::npos);
    const std::string text = s.render();
    BOOST_TEST(text.find("Implausible delays (3, left out of the delays above)") != std::string::npos);
    auto slowest = text.substr(text.find("Slowest hops"));
    BOOST_TEST(slowest.find("x.eml #0 hop 2") != std::string::npos);
    BOOST_TEST(slowest.find("hop 1\n") == std::string::npos, slowest);
    BOOST_TEST(text.find("  eop                          1        5        5        5  5s\n") != std::string::npos,
               text);
}

// A sender's lists keep the first 16 names whatever the order added, with
// exact counts, and count the rest.
BOOST_AUTO_TEST_CASE(a_senders_lists_are_order_free) {
    std::vector<std::string> relays;
    for (int i = 0; i < 40; ++i)
        for (int k = 0; k <= i % 3; ++k) relays.push_back("relay" + std::to_string(100 + i) + ".example");
    std::mt19937 rng(5);
    std::string first;
    for (int round = 0; round < 4; ++round) {
        std::shuffle(relays.begin(), relays.end(), rng);
        AuditSummary s;
        std::uint64_t index = 0;
        for (const auto& r : relays) {
            AuditFigures f;
            f.analysed = true;
            f.state = "not-traversed";
            f.method = "direct-send";
            hopscope::SenderFigures sf;
            sf.origin_ip = "10.1.1.1";
            sf.from_address = "mfp@contoso.example";
            sf.relays = {r};
            f.sender = sf;
            s.add(f, {"a.mbox", index * 10, index});
            ++index;
        }
        std::string json = s.render_json();
        if (round == 0) first = json;
        BOOST_TEST(json == first);
    }
    BOOST_TEST(first.find("\"relay115.example\"") != std::string::npos);
    BOOST_TEST(first.find("\"relay116.example\"") == std::string::npos);
    std::size_t kept = 0;  // the occurrences of relay100..relay115
    for (int i = 0; i < 16; ++i) kept += static_cast<std::size_t>(i % 3 + 1);
    BOOST_TEST(first.find("\"unlisted\": " + std::to_string(relays.size() - kept)) != std::string::npos, first);
}

// Notifications are counted apart from bounces, by action: success and delay.
BOOST_AUTO_TEST_CASE(notifications_are_counted_apart_from_bounces) {
    AuditSummary s;
    const std::vector<std::pair<std::string, std::optional<std::string>>> figures = {
        {"a", "relayed"}, {"b", "relayed"}, {"c", "delivered"}, {"d", "delayed"}, {"e", std::nullopt}};
    std::uint64_t index = 0;
    for (const auto& [path, action] : figures) {
        AuditFigures f;
        f.analysed = true;
        f.notification_action = action;
        if (!action) {
            f.bounce = true;
            f.bounce_status = "5.7.64";
        }
        s.add(f, MessageSource{path, std::nullopt, index++});
    }
    const std::string text = s.render();
    BOOST_TEST(text.find("Bounces (1)") != std::string::npos);
    BOOST_TEST(text.find("Delivery notifications (4)") != std::string::npos);
    BOOST_TEST(text.find("3  of success (delivered 1, relayed 2)") != std::string::npos, text);
    BOOST_TEST(text.find("1  delay warnings") != std::string::npos);
    const std::string json = s.render_json();
    BOOST_TEST(json.find("\"success\": 3") != std::string::npos, json);
    BOOST_TEST(json.find("\"delayed\": 1") != std::string::npos);
    BOOST_TEST(s.render_html().find("<h2>Delivery notifications</h2>") != std::string::npos);
}

// Bounces of one status whose reports say different things: the group's
// line gives only what the status means, never one report's words for all.
BOOST_AUTO_TEST_CASE(a_bounce_group_never_lends_one_reports_words_to_all) {
    AuditSummary s;
    std::uint64_t index = 0;
    for (const char* said : {"Other or undefined status. The report's diagnostic: 550 Virus Detected",
                             "Other or undefined status. The report's diagnostic: 550 mailbox is full"}) {
        AuditFigures f;
        f.analysed = true;
        f.bounce = true;
        f.bounce_status = "5.0.0";
        f.bounce_explanation = said;
        s.add(f, MessageSource{"m", std::nullopt, index++});
    }
    AuditFigures same;
    same.analysed = true;
    same.bounce = true;
    same.bounce_status = "5.1.1";
    same.bounce_explanation = "Bad destination mailbox address.";
    s.add(same, MessageSource{"n", std::nullopt, index++});
    const std::string text = s.render();
    BOOST_TEST(text.find("Virus") == std::string::npos, text);
    BOOST_TEST(text.find("The reports' own words differ") != std::string::npos, text);
    BOOST_TEST(text.find("Bad destination mailbox address.") != std::string::npos, text);
    BOOST_TEST(s.render_json().find("Virus") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_first_fifty_by_path_and_index_are_listed) {
    AuditSummary s;
    for (std::uint64_t i = 200; i-- > 0;) {  // added last first
        AuditFigures f;
        f.analysed = true;
        f.state = "not-traversed";
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
    int negative = 0;
    for (int i = 0; i < 9999; ++i) {
        auto d = static_cast<std::int64_t>(rng() % 5000) - 20;
        if (d >= 0)
            delays.push_back(d);
        else
            ++negative;  // implausible: counted apart
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
    BOOST_TEST(json.find("\"implausible_delays\": " + std::to_string(negative)) != std::string::npos);
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
    BOOST_TEST(text.find("  box0.mbox (offset ") != std::string::npos, text);
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
        hopscope::AuditOptions options;
        options.senders = true;  // what the summary groups by, to hold the record's to it
        AuditFigures want = hopscope::audit_message(bytes, source, rules, options, out);
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
            BOOST_TEST(got->figures.state == want.state);
            BOOST_TEST(got->figures.method == want.method);
            BOOST_TEST(got->figures.reason == want.reason);
            BOOST_TEST(got->figures.seen == want.seen);
            BOOST_TEST(got->figures.skipped == want.skipped);
            BOOST_TEST((got->figures.sender == want.sender));
            BOOST_TEST(got->figures.message_id == want.message_id);
            BOOST_TEST(got->figures.bounce == want.bounce);
            BOOST_TEST(got->figures.bounce_status == want.bounce_status);
            BOOST_TEST(got->figures.notification_action == want.notification_action);
            if (path.starts_with("notification-")) BOOST_TEST(want.notification_action.has_value());
            BOOST_TEST(got->figures.clock_skew == want.clock_skew);
            BOOST_TEST(got->figures.unparsable_dates == want.unparsable_dates);
            BOOST_TEST((got->figures.delays == want.delays));
            auto trace = hopscope::analyse_message(bytes, rules);
            if (trace) BOOST_TEST((got->row == hopscope::audit_row(*trace)));
        }
        ++checked;
    }
    BOOST_TEST(checked >= 40);
}

BOOST_AUTO_TEST_CASE(hostile_lines_are_errors_not_crashes) {
    hopscope::AuditRecordReader reader;
    std::string deep(100000, '[');
    std::string long_string = R"({"schema":3,"subject":")" + std::string(1 << 20, 'x') +
                              R"(","source":{"path":"p","offset":null,"index":0}})";
    for (std::string line :
         {std::string(), std::string("{}"), std::string("null"), std::string("[1,2]"), std::string(R"({"schema":3})"),
          std::string(R"({"schema":"2"})"), std::string(R"({"schema":3,"source":{"path":"p","offset":-1,"index":0}})"),
          std::string(R"({"schema":3,"source":{"path":"p","offset":null,"index":1e999}})"),
          std::string(R"({"schema":3,"hops":[{"role":"eop","delay_s":"x"}],"source":{}})"),
          std::string("{\"schema\":3,\"subject\":\"\xff\xfe\"}"), deep,
          std::string(R"({"schema":3,"source":{"path":"p","offset":null,"index":0})")}) {
        auto r = reader.read(line);
        BOOST_TEST(!r.has_value(), line.substr(0, 60));
    }
    auto ok = reader.read(long_string);
    BOOST_TEST(ok.has_value());
    BOOST_TEST(ok->row.subject->size() == std::size_t{1} << 20);
}

// An input that could not be opened: under its own heading, its path once,
// and no empty delay table when nothing was read.
BOOST_AUTO_TEST_CASE(unopened_inputs_under_their_own_heading) {
    AuditSummary s;
    s.add_unopened("/mail/box.pst",
                   "/mail/box.pst: not a readable PST/OST file: libpff_file_open: unable to open file");
    s.add_unopened("/mail/gone", "No such file or directory");
    const std::string text = s.render();
    BOOST_TEST(text.find("\nUnopened (2)\n  /mail/box.pst: not a readable PST/OST file") != std::string::npos);
    BOOST_TEST(text.find("/mail/box.pst: /mail/box.pst") == std::string::npos);
    BOOST_TEST(text.find("  /mail/gone: No such file or directory\n") != std::string::npos);
    BOOST_TEST(text.find("Delay per role") == std::string::npos);
}

// The audit by sender's relays are servers that relayed: not the sending
// host's own mail server, nor a mailbox server taking a client's submission
// on itself (an Exchange 2010 hub taking it by MAPI from the store is one).
BOOST_AUTO_TEST_CASE(relays_are_servers_that_took_the_message_from_another) {
    const auto rules = hopscope::RuleSet::builtin();
    auto relays = [&](const std::string& bytes) {
        hopscope::ByteBuffer out;
        hopscope::AuditOptions options;
        options.senders = true;
        auto f = hopscope::audit_message(bytes, MessageSource{"m", std::nullopt, std::nullopt}, rules, options, out);
        std::string names;
        if (f.sender)
            for (const auto& r : f.sender->relays) names += r + "|";
        return names;
    };
    const std::string dir = std::string(HOPSCOPE_CORPUS_DIR) + "/";
    BOOST_TEST(relays(read_file(dir + "o365-connector-appserver-own-postfix.eml")) == "");
    BOOST_TEST(relays(read_file(dir + "exchange-2010-onprem.eml")) == "EXCAS01.fabrikam.local|EXMBX01.fabrikam.local|");
    std::string self = read_file(dir + "exchange-2010-onprem.eml");
    const auto at = self.find("by\n EXCAS01.fabrikam.local ([::1])");
    BOOST_REQUIRE(at != std::string::npos);
    self.replace(at, 26, "by\n EXMBX02.fabrikam.local");
    BOOST_TEST(relays(self) == "EXMBX01.fabrikam.local|");
    // The mailbox server's own transport taking the message from its own
    // address and handing it to EOP relayed it, as the relay answer says.
    const std::string own_transport =
        "Received: from EXCH01.contoso.local (198.51.100.78) by AM4PEPF00027A5F.mail.protection.outlook.com "
        "(10.167.16.74) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) "
        "id 15.20.7587.21 via Frontend Transport; Tue, 14 May 2024 07:12:05 +0000\n"
        "Received: from EXCH01.contoso.local (10.1.1.20) by EXCH01.contoso.local (10.1.1.20) with Microsoft SMTP "
        "Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.2.1544.4; Tue, 14 May 2024 "
        "07:12:03 +0000\n"
        "Received: from EXCH01.contoso.local ([fe80::1c2d:3e4f:5a6b:7c8d]) by EXCH01.contoso.local "
        "([fe80::1c2d:3e4f:5a6b:7c8d%12]) with mapi id 15.02.1544.004; Tue, 14 May 2024 07:12:02 +0000\n"
        "From: Ann <ann@contoso.com>\nTo: bob@contoso.com\nDate: Tue, 14 May 2024 07:12:01 +0000\n"
        "X-MS-Exchange-CrossTenant-FromEntityHeader: HybridOnPrem\n\nx\n";
    BOOST_TEST(relays(own_transport) == "EXCH01.contoso.local|");
}
