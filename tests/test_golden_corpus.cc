// Golden test: every sample in corpus/ beside its expected JSON. Set
// HOPSCOPE_UPDATE_GOLDEN=1 to rewrite the expectations (then review the diff).
#define BOOST_TEST_MODULE golden_corpus
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "chain/trace_builder.hh"
#include "classify/hop_classifier.hh"
#include "classify/message_analysis.hh"
#include "json_check.hh"
#include "report/trace_json.hh"
#include "test_support.hh"

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> samples() {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(HOPSCOPE_CORPUS_DIR))
        if (e.is_regular_file() && e.path().extension() != ".json") out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

fs::path expected_path(const fs::path& sample) {
    fs::path p = sample;
    return p.replace_extension(".json");
}

std::string first_difference(const std::string& got, const std::string& want) {
    std::istringstream g(got);
    std::istringstream w(want);
    std::string gl;
    std::string wl;
    for (int line = 1;; ++line) {
        bool gok = static_cast<bool>(std::getline(g, gl));
        bool wok = static_cast<bool>(std::getline(w, wl));
        if (!gok && !wok) return "identical";
        if (gl != wl || gok != wok)
            return "line " + std::to_string(line) + "\n  got:  " + (gok ? gl : "<end>") +
                   "\n  want: " + (wok ? wl : "<end>");
    }
}

}  // namespace

BOOST_AUTO_TEST_CASE(corpus_is_big_enough) {
    BOOST_TEST(samples().size() >= 40U);
}

BOOST_AUTO_TEST_CASE(every_sample_matches_its_expected_json) {
    bool update = std::getenv("HOPSCOPE_UPDATE_GOLDEN") != nullptr;
    const auto rules = hopscope::RuleSet::builtin();
    for (const auto& sample : samples()) {
        BOOST_TEST_CONTEXT(sample.filename().string()) {
            const std::string bytes = read_file(sample.string());
            auto trace = hopscope::analyse_message(bytes, rules);  // as trace does it
            std::string got = trace ? hopscope::trace_to_json(*trace, true) : "error: " + trace.error().message + "\n";
            BOOST_TEST(JsonCheck::valid(got));
            fs::path exp = expected_path(sample);
            if (update) {
                std::ofstream(exp, std::ios::binary) << got;
                continue;
            }
            BOOST_REQUIRE_MESSAGE(fs::exists(exp), "no expected JSON: " << exp.string());
            std::string want = read_file(exp.string());
            BOOST_TEST(got == want,
                       "differs from " << exp.filename().string() << " at " << first_difference(got, want));
        }
    }
}

BOOST_AUTO_TEST_CASE(no_orphan_expectations) {
    for (const auto& e : fs::directory_iterator(HOPSCOPE_CORPUS_DIR)) {
        if (e.path().extension() != ".json") continue;
        bool has_sample = false;
        for (const auto& s : samples()) has_sample = has_sample || expected_path(s) == e.path();
        BOOST_TEST(has_sample, e.path().filename().string() << " has no sample beside it");
    }
}
