// The From address reader: the addr-spec of the first mailbox, lower-cased,
// in every form RFC 5322 allows; the plain-form fast path gives GMime's
// answer on every From header of the corpus and of ../shared when there.
#define BOOST_TEST_MODULE address
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include "parse/address.hh"
#include "test_support.hh"

namespace fs = std::filesystem;
using hopscope::first_addr_spec;
using hopscope::first_addr_spec_gmime;
using hopscope::simple_addr_spec;

BOOST_AUTO_TEST_CASE(forms_of_from) {
    const std::pair<std::string, std::optional<std::string>> cases[] = {
        {"\"Scanner 3rd floor\" <Scanner-3F@Contoso.com>", "scanner-3f@contoso.com"},
        {"scanner@woodgrove.example", "scanner@woodgrove.example"},
        {"Synology DS920 <nas@litware.example>", "nas@litware.example"},
        {"  <bare@example.org>  ", "bare@example.org"},
        {"\"Doe, John\" <j.doe@example.com>", "j.doe@example.com"},
        {"Doe, John <j.doe@example.com>", "j.doe@example.com"},  // a decoded name that lost its quotes
        {"j.doe@example.com (John Doe)", "j.doe@example.com"},
        {"Team: a@example.com, b@example.com;", "a@example.com"},
        {"=?utf-8?q?J=C3=BCrgen?= <juergen@example.de>", "juergen@example.de"},
        {"Jürgen Müller <J.Mueller@Example.DE>", "j.mueller@example.de"},
        {"undisclosed-recipients:;", std::nullopt},
        {"MAILER-DAEMON", std::nullopt},
        {"", std::nullopt},
    };
    for (const auto& [in, want] : cases) {
        BOOST_TEST_CONTEXT(in) {
            BOOST_TEST((first_addr_spec(in) == want));
            BOOST_TEST((first_addr_spec_gmime(in) == want));
        }
    }
    BOOST_TEST(!simple_addr_spec("\"Doe, John\" <j.doe@example.com>"));  // left to GMime
    BOOST_TEST(!simple_addr_spec("a@localhost"));
    // An IDN domain: GMime gives it decoded; the fast path leaves it to GMime.
    BOOST_TEST(!simple_addr_spec("info@xn--bcher-kva.example"));
    BOOST_TEST((first_addr_spec("info@xn--bcher-kva.example") == first_addr_spec_gmime("info@xn--bcher-kva.example")));
}

// What the fuzzer once found the two paths disagree on (tools/fuzz/regressions/address-*).
BOOST_AUTO_TEST_CASE(fuzz_regressions_agree) {
    const fs::path dir = fs::path(HOPSCOPE_CORPUS_DIR) / "../tools/fuzz/regressions";
    int n = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (!e.path().filename().string().starts_with("address-")) continue;
        const std::string value = read_file(e.path().string());
        if (auto fast = simple_addr_spec(value)) BOOST_TEST((fast == first_addr_spec_gmime(value)), e.path());
        BOOST_TEST((first_addr_spec(value) == first_addr_spec_gmime(value)), e.path());
        ++n;
    }
    BOOST_TEST(n >= 1);
}

// The fast path answers as GMime does wherever it answers.
BOOST_AUTO_TEST_CASE(the_fast_path_is_gmimes_answer) {
    std::vector<std::string> dirs = {HOPSCOPE_CORPUS_DIR};
    const std::string shared = std::string(HOPSCOPE_SHARED_DIR) + "/corpus-ext";
    for (const char* d : {"/general", "/o365", "/bounces"})
        if (fs::is_directory(shared + d)) dirs.push_back(shared + d);
    int fast = 0;
    int values = 0;
    for (const auto& dir : dirs)
        for (const auto& e : fs::directory_iterator(dir)) {
            if (!e.is_regular_file()) continue;
            std::ifstream in(e.path(), std::ios::binary);
            for (std::string line; std::getline(in, line) && !line.empty() && line != "\r";) {
                if (line.size() < 6 || (line.compare(0, 6, "From: ") != 0 && line.compare(0, 6, "from: ") != 0))
                    continue;
                std::string value = line.substr(6);
                if (!value.empty() && value.back() == '\r') value.pop_back();
                ++values;
                if (auto f = simple_addr_spec(value)) {
                    ++fast;
                    BOOST_TEST((f == first_addr_spec_gmime(value)), value);
                }
            }
        }
    BOOST_TEST(values >= 40);
    BOOST_TEST_MESSAGE(fast << " of " << values << " From values read by the fast path");
}
