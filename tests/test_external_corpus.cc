// Every message under ../shared/corpus-ext goes through trace without a crash;
// no Received date that a person can read is left null. Skips cleanly when
// the shared corpus is not there (a fresh clone, the fresh-Debian check).
#define BOOST_TEST_MODULE external_corpus
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "base/gmime_text.hh"
#include "chain/trace_builder.hh"
#include "classify/hop_classifier.hh"
#include "classify/role_rules.hh"
#include "input/header_block.hh"
#include "json_check.hh"
#include "parse/date_parser.hh"
#include "report/trace_json.hh"
#include "test_support.hh"

namespace fs = std::filesystem;
namespace utf = boost::unit_test;

namespace {

const fs::path kExt = fs::path(HOPSCOPE_SHARED_DIR) / "corpus-ext";

struct HasCorpus {
    boost::test_tools::assertion_result operator()(utf::test_unit_id /*unit*/) const {
        boost::test_tools::assertion_result r{fs::is_directory(kExt)};
        r.message() << kExt.string() << " not present; skipped";
        return r;
    }
};

bool is_single_message(const fs::path& p) {
    std::string n = p.filename().string();
    if (n.ends_with(".md") || n.ends_with(".tsv")) return false;
    // Whole mailboxes belong to audit, not trace.
    return n.find(".mbox") == std::string::npos && !n.ends_with(".src") && !n.ends_with(".win") &&
           !n.ends_with(".rlug");
}

// "a person can read a date": a time of day h:mm:ss after the last ';'.
bool has_readable_time(const std::string& date_text) {
    for (std::size_t i = 0; i + 7 < date_text.size(); ++i) {
        auto d = [&](std::size_t k) { return date_text[k] >= '0' && date_text[k] <= '9'; };
        if (d(i) && date_text[i + 1] == ':' && d(i + 2) && d(i + 3) && date_text[i + 4] == ':' && d(i + 5) && d(i + 6))
            return true;
        if (d(i) && d(i + 1) && date_text[i + 2] == ':' && d(i + 3) && d(i + 4) && date_text[i + 5] == ':' && d(i + 6))
            return true;
    }
    return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_message_traces_and_readable_dates_are_read, *utf::precondition(HasCorpus())) {
    std::size_t files = 0;
    std::size_t hops = 0;
    std::vector<std::string> unread;
    std::size_t canonical = 0;
    std::size_t decoded_fields = 0;
    std::vector<std::string> decode_disagree;
    std::vector<std::string> disagree;
    for (const auto& e : fs::recursive_directory_iterator(kExt)) {
        if (!e.is_regular_file() || !is_single_message(e.path())) continue;
        ++files;
        std::string bytes = read_file(e.path().string());
        auto trace = hopscope::build_trace(bytes);
        if (!trace) continue;  // exit 2 territory: no header fields
        // Plain-ASCII header text skips GMime; it must decode the same.
        for (const auto& f : hopscope::split_header_block(bytes).fields) {
            if (!hopscope::iequals(f.name, "Subject") && !hopscope::iequals(f.name, "From") &&
                !hopscope::iequals(f.name, "To") && !hopscope::iequals(f.name, "Cc"))
                continue;
            std::string u = hopscope::unfold(f.raw);
            ++decoded_fields;
            if (hopscope::decode_header_text(u) != hopscope::decode_header_text_gmime(u))
                decode_disagree.push_back(e.path().string() + ": " + u);
        }
        BOOST_TEST(JsonCheck::valid(hopscope::trace_to_json(*trace, false)), e.path().string());
        for (const auto* list : {&trace->hops, &trace->x_received}) {
            for (const auto& hop : *list) {
                ++hops;
                const auto& f = hop.fields;
                if (!f.time && f.date_text && has_readable_time(*f.date_text))
                    unread.push_back(e.path().string() + ": " + f.raw);
                // The allocation-free date reader agrees with the general one on real stamps.
                if (f.date_text) {
                    if (auto fast = hopscope::parse_canonical_date(*f.date_text)) {
                        ++canonical;
                        auto general = hopscope::parse_date_general(*f.date_text);
                        if (general.time != fast || !general.anomalies.empty())
                            disagree.push_back(e.path().string() + ": " + *f.date_text);
                    }
                }
            }
        }
    }
    BOOST_TEST_MESSAGE("traced " << files << " files, " << hops << " stamps");
    BOOST_TEST(files > 2000U);
    for (const auto& u : unread) BOOST_TEST_MESSAGE("readable date left null: " << u);
    BOOST_TEST(unread.empty());
    BOOST_TEST_MESSAGE(canonical << " dates taken by the canonical reader");
    BOOST_TEST(canonical > hops / 2);
    for (const auto& d : disagree) BOOST_TEST_MESSAGE("canonical and general readers disagree: " << d);
    BOOST_TEST(disagree.empty());
    BOOST_TEST(decoded_fields > 5000U);
    for (const auto& d : decode_disagree) BOOST_TEST_MESSAGE("header text decodes differently: " << d);
    BOOST_TEST(decode_disagree.empty());
}

// The real Office 365 chains: no hop stamped by a Microsoft host may stay unknown.
BOOST_AUTO_TEST_CASE(o365_microsoft_hops_all_have_roles, *utf::precondition(HasCorpus())) {
    const auto rules = hopscope::RuleSet::builtin();
    std::size_t microsoft_hops = 0;
    std::size_t files = 0;
    for (const auto& e : fs::directory_iterator(kExt / "o365")) {
        if (e.path().extension() != ".eml") continue;
        ++files;
        auto trace = hopscope::build_trace(read_file(e.path().string()));
        BOOST_REQUIRE(trace);
        hopscope::classify(*trace, rules);
        for (const auto& h : trace->hops) {
            std::string by = h.fields.by.host.value_or("");
            for (char& c : by) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            bool microsoft = by.ends_with(".outlook.com") || by.ends_with(".office365.com") ||
                             by.ends_with(".exchangelabs.com") ||
                             (h.fields.with && h.fields.with->starts_with("Microsoft SMTP"));
            if (!microsoft) continue;
            ++microsoft_hops;
            BOOST_TEST(h.role != "unknown", e.path().filename().string() << " hop " << h.index << ": " << h.fields.raw);
        }
    }
    BOOST_TEST_MESSAGE(files << " o365 messages, " << microsoft_hops << " Microsoft-stamped hops");
    BOOST_TEST(microsoft_hops > 400U);
}

// The same tenant took the message in twice (out to Tessian and back):
// Exchange's single-valued headers describe the second pass, and the first
// entry is judged by its own spam filter report (kept as -Untrusted).
BOOST_AUTO_TEST_CASE(a_second_pass_does_not_speak_for_the_first_entry, *utf::precondition(HasCorpus())) {
    const auto path = kExt / "o365" / "lore-cifs_95bcf6e07de5.eml";
    if (!fs::exists(path)) return;
    auto trace = hopscope::build_trace(read_file(path.string()));
    BOOST_REQUIRE(trace);
    hopscope::classify(*trace, hopscope::RuleSet::builtin());
    BOOST_REQUIRE(trace->relay);
    const auto& v = *trace->relay;
    BOOST_TEST(v.entry_hop.value_or(0) == 4);
    BOOST_TEST(v.state == "traversed");
    bool again = false;
    bool own_report = false;
    for (const auto& e : v.evidence) {
        again = again || e.find("were written when the message came in again, at hop #10") != std::string::npos;
        own_report =
            own_report ||
            e.find("report for this entry (X-Forefront-Antispam-Report-Untrusted, CIP 40.67.248.234) says DIR:OUT") !=
                std::string::npos;
    }
    BOOST_TEST(again);
    BOOST_TEST(own_report);
}
