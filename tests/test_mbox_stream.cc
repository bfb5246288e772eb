#define BOOST_TEST_MODULE mbox_stream
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "input/mbox_splitter.hh"
#include "input/mbox_stream.hh"
#include "test_support.hh"

using namespace hopscope;

namespace {

// Feeds `data` in blocks of `block` bytes, as audit reads stdin, and returns
// the messages as text.
std::vector<std::string> stream(const std::string& data, std::size_t block, std::size_t max_message) {
    std::vector<std::string> out;
    MboxStream s(max_message);
    std::string held;
    std::size_t pos = 0;
    bool eof = false;
    while (!eof) {
        held += data.substr(pos, block);
        pos += block;
        eof = pos >= data.size();
        auto step = s.next(held, eof);
        for (const auto& m : step.messages) out.push_back(held.substr(m.offset, m.length));
        BOOST_REQUIRE(step.keep_from <= held.size());
        held.erase(0, step.keep_from);
    }
    return out;
}

std::vector<std::string> whole(const std::string& data) {
    std::vector<std::string> out;
    MboxSplitter s(data);
    while (auto span = s.next()) out.push_back(data.substr(span->offset, span->length));
    return out;
}

const std::string kMbox =
    "From a@b Mon Jan  1 00:00:00 2024\nSubject: one\n\nFrom Russia with love\nbody\n\n"
    "From MAILER-DAEMON Thu Jan  1 00:00:00 2024\n\n"  // an empty message
    "From - \r\nSubject: crlf\r\n\r\nx\r\n"
    "From c@d Tue Jan  2 00:00:00 2024\n\xEF\xBB\xBFReceived: by x; y\n\nFrom here on it is prose\n"
    "From e@f Wed Jan  3 00:00:00 2024\nSubject: no final newline\n\nend";

}  // namespace

// At every block size the stream gives the messages the whole-file splitter
// gives: a separator or a prose "From " line cut at a block's end is never
// misread (a cut "From Russia" would look like a bare-sender separator).
BOOST_AUTO_TEST_CASE(every_block_size_agrees_with_the_whole_file) {
    auto want = whole(kMbox);
    BOOST_REQUIRE_EQUAL(want.size(), 5U);
    for (std::size_t block = 1; block <= kMbox.size() + 1; ++block) {
        BOOST_TEST_CONTEXT("block " << block) {
            BOOST_TEST(stream(kMbox, block, 1 << 20) == want);
        }
    }
}

// A message longer than max_message is handed on as its first bytes; the
// rest is skipped and the next message is still found, at every block size.
BOOST_AUTO_TEST_CASE(over_long_message_is_clipped_and_the_next_found) {
    std::string big = "From a@b Mon Jan  1 00:00:00 2024\nSubject: big\n\n";
    for (int i = 0; i < 200; ++i) big += "From Russia with love, line " + std::to_string(i) + "\n";
    std::string data = big + "From c@d Mon Jan  1 00:00:00 2024\nSubject: next\n\nx\n";
    for (std::size_t block : {7U, 64U, 100U, 1000U}) {
        BOOST_TEST_CONTEXT("block " << block) {
            auto got = stream(data, block, 300);
            BOOST_REQUIRE_EQUAL(got.size(), 2U);
            BOOST_TEST(got[0].size() == 300U);
            BOOST_TEST(got[0].starts_with("From a@b"));
            BOOST_TEST(got[1] == "From c@d Mon Jan  1 00:00:00 2024\nSubject: next\n\nx\n");
        }
    }
}

BOOST_AUTO_TEST_CASE(empty_input_gives_nothing) {
    MboxStream s(100);
    auto step = s.next("", true);
    BOOST_TEST(step.messages.empty());
}

// Inputs the fuzzers once broke on, streamed at a few block sizes with a
// small max_message: spans stay inside what is held and never over the cap
// (an over-long message that came in one block was once handed on whole).
BOOST_AUTO_TEST_CASE(fuzz_regressions_stream_within_bounds) {
    std::filesystem::path dir = std::filesystem::path(HOPSCOPE_CORPUS_DIR) / "../tools/fuzz/regressions";
    int files = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (e.path().filename() == "README.md") continue;
        ++files;
        std::string data = read_file(e.path().string());
        for (std::size_t block : {1U, 13U, 97U, 4096U}) {
            BOOST_TEST_CONTEXT(e.path().filename() << " block " << block) {
                for (const auto& m : stream(data, block, 64)) BOOST_TEST(m.size() <= 64U);
            }
        }
    }
    BOOST_TEST(files > 0);
}
