#define BOOST_TEST_MODULE attached_messages
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "input/attached_messages.hh"
#include "input/header_block.hh"
#include "input/mbox_splitter.hh"
#include "test_support.hh"

using namespace hopscope;
namespace fs = std::filesystem;

namespace {

// The test as analyse_message asks it: the first Content-Type and the body
// (and the "--" lines an mbox split noted, when given).
bool may_attach(std::string_view message, const DashLines* dashes = nullptr) {
    HeaderBlock block = split_header_block(message);
    std::string_view type;
    for (const auto& f : block.fields)
        if (iequals(f.name, "Content-Type")) {
            type = f.raw;
            break;
        }
    return may_attach_messages(type, message.substr(block.end_offset), dashes, block.end_offset);
}

const char* kForwarded =
    "From: a@example.com\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\n"
    "\n"
    "preamble\n"
    "--outer\n"
    "Content-Type: text/plain\n"
    "\n"
    "See the attached message.\n"
    "--outer\n"
    "Content-Type: application/octet-stream\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "Q29udGVudC1UeXBlOiBtZXNzYWdlL3JmYzgyMgo=\n"
    "--outer\n"
    "Content-Disposition: attachment\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "Received: from x.example by y.example; Mon, 1 Jan 2024 10:00:00 +0000\n"
    "Subject: inner\n"
    "\n"
    "body\n"
    "--outer--\n";

}  // namespace

BOOST_AUTO_TEST_CASE(a_forwarded_message_is_found_in_its_part_header) {
    BOOST_TEST(may_attach(kForwarded));
    BOOST_TEST(read_attached_messages(kForwarded).size() == 1U);
    std::string crlf;
    for (char c : std::string(kForwarded)) {
        if (c == '\n') crlf += '\r';
        crlf += c;
    }
    BOOST_TEST(may_attach(crlf));
}

BOOST_AUTO_TEST_CASE(part_headers_as_gmime_reads_them) {
    // A blank before the colon, and a value folded over two lines.
    std::string spaced = kForwarded;
    spaced.replace(spaced.find("Content-Type: message/rfc822"), 28, "Content-Type : message/rfc822");
    BOOST_TEST(may_attach(spaced));
    BOOST_TEST(read_attached_messages(spaced).size() == 1U);
    std::string folded = kForwarded;
    folded.replace(folded.find("Content-Type: message/rfc822"), 28, "Content-Type:\n message/rfc822");
    BOOST_TEST(may_attach(folded));
    BOOST_TEST(read_attached_messages(folded).size() == 1U);
    // A nested multipart's part, with a boundary of its own.
    const std::string nested =
        "Content-Type: multipart/mixed; boundary=a\n\n"
        "--a\nContent-Type: multipart/alternative; boundary=\"b\"\n\n"
        "--b\nContent-Type: text/plain\n\nhi\n"
        "--b\nContent-Type: message/rfc822\n\nSubject: inner\n\nx\n--b--\n--a--\n";
    BOOST_TEST(may_attach(nested));
    BOOST_TEST(read_attached_messages(nested).size() == 1U);
    // A digest's parts are messages by default.
    BOOST_TEST(may_attach("Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\nx\n--d--\n"));
    BOOST_TEST(
        may_attach("Content-Type: multipart/mixed; boundary=m\n\n"
                   "--m\nContent-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\nx\n--d--\n--m--\n"));
    BOOST_TEST(may_attach("Content-Type: message/rfc822\n\nSubject: inner\n\nx\n"));
}

BOOST_AUTO_TEST_CASE(text_that_only_mentions_a_message_type_is_not_a_part) {
    // The words are in a part's text, not after a boundary line: GMime finds
    // no attached message, and the cheap test does not send it there.
    const std::string text =
        "Content-Type: multipart/mixed; boundary=\"outer\"\n\n"
        "--outer\nContent-Type: text/plain\n\n"
        "To forward a message, attach it as\nContent-Type: message/rfc822\nand send it.\n"
        "--outer--\n";
    BOOST_TEST(!may_attach(text));
    BOOST_TEST(read_attached_messages(text).empty());
    BOOST_TEST(!may_attach("Content-Type: text/plain\n\n--x\nContent-Type: message/rfc822\n\nSubject: y\n"));
    BOOST_TEST(!may_attach("Subject: no type\n\nbody\n"));
}

BOOST_AUTO_TEST_CASE(hostile_bodies_are_read_once) {
    // Dash lines without a blank line, and without an end of line: each
    // header line is read once, whatever the number of lines that start one.
    std::string body = "Content-Type: multipart/mixed; boundary=x\n\n";
    for (int i = 0; i < 200000; ++i) body += "--x\nX-Long: " + std::to_string(i) + "\n";
    body += "--x\nContent-Type: message/rfc822";
    BOOST_TEST(may_attach(body));
    BOOST_TEST(!may_attach("Content-Type: multipart/mixed\n\n-"));
    BOOST_TEST(!may_attach("Content-Type: multipart/mixed\n\n--"));
    BOOST_TEST(!may_attach(std::string("Content-Type: multipart/mixed\n\n--\0\n", 35)));
}

// On real mail: every message GMime finds an attached message in passes
// the cheap test (skipped without ../shared).
BOOST_AUTO_TEST_CASE(never_says_no_to_a_message_gmime_finds_one_in) {
    const fs::path ext = fs::path(HOPSCOPE_SHARED_DIR) / "corpus-ext";
    if (!fs::exists(ext)) return;
    int with = 0;
    int read = 0;
    for (const char* dir : {"general", "o365", "bounces", "pasted"}) {
        if (!fs::exists(ext / dir)) continue;
        for (const auto& e : fs::recursive_directory_iterator(ext / dir)) {
            if (!e.is_regular_file() || e.file_size() > 4'000'000) continue;
            std::string message = read_file(e.path().string());
            ++read;
            if (read_attached_messages(message).empty()) continue;
            ++with;
            BOOST_TEST(may_attach(message), e.path().string());
        }
    }
    BOOST_TEST_MESSAGE(read << " messages read, " << with << " with an attached message");
}

// With the "--" lines the mbox split noted, the answer is the one a search of
// the body gives, message by message; and the noted lines are what is read
// (none noted: no part header, so no).
BOOST_AUTO_TEST_CASE(dash_lines_noted_by_the_split_give_the_same_answer) {
    const std::string separator = "From a@b Mon Jan  1 00:00:00 2024\n";
    std::vector<std::string> messages = {
        kForwarded,
        "Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\nhi\n--x--\n",
        "Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type:\n message/rfc822\n\nSubject: y\n\n",
        "Content-Type: multipart/mixed; boundary=x\n \n--x\nContent-Type: message/rfc822\n\nSubject: y\n\n",
        "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: message/rfc822\r\n\r\nS: y\r\n",
        "Content-Type: multipart/mixed; boundary=x\n\n-x\nContent-Type: message/rfc822\n\n",
        "Content-Type: multipart/digest; boundary=x\n\n--x\n\nSubject: y\n\n"};
    std::string mbox;
    for (const auto& m : messages) mbox += separator + m;
    MboxSplitter split(mbox);
    std::size_t n = 0;
    int yes = 0;
    while (auto span = split.next()) {
        std::string_view m = std::string_view(mbox).substr(span->offset, span->length);
        BOOST_TEST(may_attach(m, &span->dash_lines) == may_attach(m), n);
        yes += may_attach(m) ? 1 : 0;
        ++n;
    }
    BOOST_TEST(n == messages.size());
    BOOST_TEST(yes == 5);
    DashLines none;
    none.from = 0;
    BOOST_TEST(may_attach(kForwarded));
    BOOST_TEST(!may_attach(kForwarded, &none));
    DashLines later;  // noted from past the body's start: not used
    later.from = std::string_view(kForwarded).find("\n\n") + 3;
    BOOST_TEST(may_attach(kForwarded, &later));
}

// The case-insensitive search the cheap tests use agrees with a search of
// the text lowered, at every length and place, for letters and other bytes
// first (a byte that differs from a letter only in bit 0x20 is no match).
BOOST_AUTO_TEST_CASE(case_insensitive_search_agrees_with_a_lowered_search) {
    auto lower = [](std::string s) {
        for (char& c : s)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        return s;
    };
    const std::vector<std::string> pieces = {"m",      "M",    "multipart/", "MULTIPART", "ultipart/", "-",
                                             "-owner", "\x4d", "\x6d\x0d",   "@",         "`",         "\xcd",
                                             "list",   "LIS",  " ",          "/"};
    const std::vector<std::string> needles = {"multipart/", "m", "-owner", "list", "@x", "`", "\xcd", "/"};
    std::uint32_t seed = 99;
    for (int round = 0; round < 4000; ++round) {
        std::string hay;
        seed = seed * 1103515245U + 12345U;
        int parts = static_cast<int>((seed >> 16) % 12);
        for (int k = 0; k < parts; ++k) {
            seed = seed * 1103515245U + 12345U;
            hay += pieces[(seed >> 16) % pieces.size()];
        }
        std::vector<char> exact(hay.begin(), hay.end());  // no terminating NUL to read past
        std::string_view h(exact.data(), exact.size());
        for (const auto& n : needles)
            BOOST_REQUIRE_EQUAL(icontains(h, n), lower(hay).find(lower(n)) != std::string::npos);
    }
    BOOST_TEST(icontains("x", ""));
    BOOST_TEST(!icontains("", "x"));
}
