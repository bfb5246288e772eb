#define BOOST_TEST_MODULE mbox_splitter
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "base/line_end.hh"
#include "input/mbox_splitter.hh"
#include "test_support.hh"

using namespace hopscope;

namespace {

std::vector<std::string> split(const std::string& data) {
    std::vector<std::string> out;
    MboxSplitter s(data);
    while (auto span = s.next()) out.push_back(data.substr(span->offset, span->length));
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(from_line_shapes) {
    BOOST_TEST(is_from_line("From - "));
    BOOST_TEST(is_from_line("From -"));
    BOOST_TEST(is_from_line("From 1844347792267117879@xxx"));
    BOOST_TEST(is_from_line("From jm@dogma.slashnull.org  Wed May 16 00:40:34 2001"));
    BOOST_TEST(is_from_line("From magick-owner@x.com Wed Feb  9 22:02 MET 2000"));
    BOOST_TEST(!is_from_line("From Russia with love"));
    BOOST_TEST(!is_from_line(">From a@b Wed May 16 00:40:34 2001"));
    BOOST_TEST(!is_from_line("From: someone"));
    BOOST_TEST(!is_from_line("From  double space"));
    // mutt's is_from() shapes: quoted senders, two zones, HH:MM, day-name logins, pipermail's " at ".
    BOOST_TEST(is_from_line("From \"john smith\"@example.org Thu Jan  1 00:00:00 2024"));
    BOOST_TEST(is_from_line("From xxxx@yyyyyyy.fr Wed Aug  2 00:39:12 MET DST 1995"));
    BOOST_TEST(is_from_line("From 1844347792267117879@xxx Wed Jan 03 10:00:36 +0000 2024"));
    BOOST_TEST(is_from_line("From MAILER-DAEMON Thu Jan  1 00:00:00 2024"));
    BOOST_TEST(is_from_line("From Mon Mon Jan  1 00:00:00 2024"));
    BOOST_TEST(is_from_line("From me at example.org  Wed May 16 00:40:34 2001"));
    BOOST_TEST(!is_from_line("From here we go Mon Jan 1"));
    BOOST_TEST(!is_from_line("From a@b Jan  1 00:00:00 2024"));      // no weekday
    BOOST_TEST(!is_from_line("From a@b Wed, 1 Jan 2024 00:00:00"));  // RFC 5322 order: prose, not asctime
    BOOST_TEST(!is_from_line("From a@b Wed Jan  1 00:00:00"));       // no year
    BOOST_TEST(!is_from_line("From a@b Wed Jan xx 00:00:00 2024"));
    BOOST_TEST(!is_from_line("From \"unterminated Wed Jan  1 00:00:00 2024"));
    BOOST_TEST(!is_from_line("From a\\"));
}

// A separator is decided by its own line: what follows it (a BOM, an empty
// message, binary, an SMTP transcript) is that message's, never the previous
// one's body. Python's mailbox and mutt split there too.
BOOST_AUTO_TEST_CASE(separator_followed_by_anything_starts_a_message) {
    const std::string sep = "From MAILER-DAEMON Thu Jan  1 00:00:00 2024\n";
    auto m = split(sep + "Subject: one\n\nbody\n" + sep + "\n" + sep +
                   "\xEF\xBB\xBFReceived: by x; Mon, 1 Jan 2024\n\n" + sep + "220 mx.example.org ESMTP\nEHLO me\n" +
                   sep + std::string("\xD0\xCF\x11\xE0\0\0x\n", 8) + sep + "just some text\n");
    BOOST_TEST(m.size() == 6U);
    BOOST_TEST(m[1] == sep + "\n");
}

BOOST_AUTO_TEST_CASE(quoted_from_in_body_does_not_split) {
    auto m = split(
        "From a@b Mon Jan  1 00:00:00 2024\nSubject: one\n\nbody\n>From a@b Mon Jan  1 00:00:00 2024\n\n"
        "From c@d Mon Jan  1 00:00:01 2024\nSubject: two\n\nbody two\n");
    BOOST_REQUIRE_EQUAL(m.size(), 2U);
    BOOST_TEST(m[1].starts_with("From c@d"));
}

BOOST_AUTO_TEST_CASE(unquoted_prose_from_line_does_not_split) {
    auto m = split("From -\nSubject: a\n\nFrom Russia with love\nYear: 1963\n\nFrom -\nSubject: b\n\nx\n");
    BOOST_TEST(m.size() == 2U);
}

BOOST_AUTO_TEST_CASE(crlf_and_no_final_newline) {
    auto m = split(
        "From a Mon Jan  1 00:00:00 2024\r\nSubject: one\r\n\r\nx\r\nFrom b Mon Jan  1 00:00:00 2024\r\nSubject: "
        "two\r\n\r\ny");
    BOOST_REQUIRE_EQUAL(m.size(), 2U);
    BOOST_TEST(m[1].ends_with("y"));
}

BOOST_AUTO_TEST_CASE(content_length_protects_unquoted_from_lines) {
    std::string body = "line\nFrom x@y Mon Jan  1 00:00:00 2024\nSubject: not a message\n";
    std::string m1 = "From - Mon Jan  1 00:00:00 2024\nContent-Length: " + std::to_string(body.size()) + "\n\n" + body;
    auto m = split(m1 + "\nFrom - Tue Jan  2 00:00:00 2024\nSubject: two\n\nz\n");
    BOOST_REQUIRE_EQUAL(m.size(), 2U);
    BOOST_TEST(m[1].find("Subject: two") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(wrong_content_length_falls_back_to_scanning) {
    auto m = split("From -\nContent-Length: 99999\n\nx\nFrom -\nSubject: two\n\ny\n");
    BOOST_TEST(m.size() == 2U);
}

BOOST_AUTO_TEST_CASE(headers_only_message_followed_by_separator) {
    auto m = split("From -\nSubject: a\nFrom -\nSubject: b\n\nbody\n");
    BOOST_TEST(m.size() == 2U);
}

BOOST_AUTO_TEST_CASE(separator_without_blank_line_before_it) {
    auto m = split("From - \nFrom: a@b\n\ntext\nFrom - \nFrom: c@d\n\nmore\n");
    BOOST_TEST(m.size() == 2U);
}

// An empty body: the blank line that ends the header is straight away
// followed by the next separator (writers that add no blank line of their
// own between messages). The body search used to start after that blank
// line's break and so merged the two messages.
BOOST_AUTO_TEST_CASE(empty_body_directly_followed_by_separator) {
    auto m = split(
        "From a@b Mon Jan  1 00:00:00 2024\nSubject: one\n\nFrom c@d Mon Jan  1 00:00:00 2024\n"
        "Subject: two\n\nbody\n");
    BOOST_REQUIRE_EQUAL(m.size(), 2U);
    BOOST_TEST(m[0] == "From a@b Mon Jan  1 00:00:00 2024\nSubject: one\n\n");
    BOOST_TEST(m[1].starts_with("From c@d"));
    auto crlf = split(
        "From a@b Mon Jan  1 00:00:00 2024\r\nSubject: one\r\n\r\nFrom c@d Mon Jan  1 00:00:00 2024\r\n"
        "Subject: two\r\n\r\nbody\r\n");
    BOOST_TEST(crlf.size() == 2U);
}

BOOST_AUTO_TEST_CASE(bom_and_detection) {
    BOOST_TEST(
        looks_like_mbox("\xEF\xBB\xBF"
                        "From -\nFrom: a@b\n"));
    BOOST_TEST(split("\xEF\xBB\xBF"
                     "From -\nFrom: a@b\n\nx\n")
                   .size() == 1U);
    BOOST_TEST(!looks_like_mbox("Received: by x; Mon, 1 Jan 2024 00:00:00 +0000\n"));
    BOOST_TEST(!looks_like_mbox(""));
    BOOST_TEST(!looks_like_mbox("From Russia with love\n\n"));
    BOOST_TEST(split("").empty());
}

BOOST_AUTO_TEST_CASE(offsets_point_at_separators) {
    std::string data = "From a Mon Jan  1 00:00:00 2024\nA: 1\n\nx\nFrom b Mon Jan  1 00:00:00 2024\nA: 2\n\ny\n";
    MboxSplitter s(data);
    auto first = s.next();
    auto second = s.next();
    BOOST_REQUIRE(first && second);
    BOOST_TEST(first->offset == 0U);
    BOOST_TEST(data.substr(second->offset, 6) == "From b");
    BOOST_TEST(!s.next());
}

namespace {

// The spans of the part of `data` that a range [start, end) reads.
std::vector<MessageSpan> part_spans(std::string_view data, std::size_t start, std::size_t end) {
    MboxPart part = mbox_part(data, start, end);
    std::vector<MessageSpan> out;
    MboxSplitter s(data.substr(0, part.end), part.begin);
    while (auto span = s.next()) out.push_back(*span);
    return out;
}

bool same(const std::vector<MessageSpan>& a, const std::vector<MessageSpan>& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](const auto& x, const auto& y) {
               return x.offset == y.offset && x.length == y.length;
           });
}

}  // namespace

// A range finds its first message without reading the file before it, as
// Hadoop's line reader does, and ends where the next range begins: every cut
// of the file, at every byte, gives the whole file's messages exactly once.
BOOST_AUTO_TEST_CASE(range_parts_cover_the_file_once) {
    const std::string mbox =
        "From a@b Mon Jan  1 00:00:00 2024\nSubject: one\n\nFrom Russia with love\n>From a@b Mon Jan  1 2024\n\n"
        "From - \nSubject: two (Netscape)\nFrom 123@xxx\nSubject: three, headers only before it\n\nbody\n"
        "From c@d Tue Jan  2 00:00:00 2024\r\nSubject: four\r\n\r\n";
    for (const std::string& data : {mbox, "\xEF\xBB\xBF" + mbox}) {
        std::vector<MessageSpan> whole;
        MboxSplitter s(data);
        while (auto span = s.next()) whole.push_back(*span);
        BOOST_REQUIRE_EQUAL(whole.size(), 4U);
        for (std::size_t cut = 0; cut <= data.size(); ++cut) {
            auto a = part_spans(data, 0, cut);
            auto b = part_spans(data, cut, data.size() + 1);
            a.insert(a.end(), b.begin(), b.end());
            BOOST_TEST(same(a, whole), "cut at " << cut);
            // A part reads from one byte before its start to its next separator's line.
            MboxPart part = mbox_part(data, cut, data.size() + 1);
            BOOST_TEST(part.read_from + 1 >= std::min(cut, std::size_t{1}));
            BOOST_TEST(part.read_from <= cut);
            for (const auto& span : b) BOOST_TEST(span.offset >= cut);
        }
        // Three cuts at once, in every order of a small set.
        for (std::size_t x = 0; x < data.size(); x += 7)
            for (std::size_t y = x; y < data.size(); y += 11) {
                auto a = part_spans(data, 0, x);
                for (const auto& [from, to] : {std::pair{x, y}, std::pair{y, data.size() + 1}}) {
                    auto more = part_spans(data, from, to);
                    a.insert(a.end(), more.begin(), more.end());
                }
                BOOST_TEST(same(a, whole), "cuts at " << x << " and " << y);
            }
    }
}

BOOST_AUTO_TEST_CASE(range_part_bounds) {
    const std::string data = "From a Mon Jan  1 00:00:00 2024\nA: 1\n\nx\nFrom b Mon Jan  1 00:00:00 2024\nA: 2\n\ny\n";
    const std::size_t second = data.find("From b");
    // A separator starting right at START belongs to the range.
    MboxPart at = mbox_part(data, second, data.size());
    BOOST_TEST(at.begin == second);
    BOOST_TEST(at.read_from == second - 1);
    BOOST_TEST(at.end == data.size());
    BOOST_TEST(at.read_to == data.size());
    // One byte past it: the range holds no message, and reads to the end looking for one.
    MboxPart past = mbox_part(data, second + 1, data.size());
    BOOST_TEST(past.begin == data.size());
    BOOST_TEST(past.end == data.size());
    // The first range ends at the second separator, having read its line (and no further).
    MboxPart first = mbox_part(data, 0, 5);
    BOOST_TEST(first.begin == 0U);
    BOOST_TEST(first.end == second);
    BOOST_TEST(first.read_from == 0U);
    BOOST_TEST(first.read_to == data.find('\n', second) + 1);
    // Past the end: nothing.
    MboxPart none = mbox_part(data, data.size() + 10, data.size() + 20);
    BOOST_TEST(none.begin == data.size());
    BOOST_TEST(none.end == data.size());
}

// A Content-Length body holding an unquoted From_ line: one pass over the
// whole file trusts the length; a range boundary between the message's
// separator and that line cuts the message there (a range cannot see the
// length before it), and still every byte lands in exactly one part.
BOOST_AUTO_TEST_CASE(range_boundary_before_a_from_line_in_a_content_length_body) {
    std::string body = "line\nFrom x@y Mon Jan  1 00:00:00 2024\nSubject: not a message\n";
    std::string data = "From - Mon Jan  1 00:00:00 2024\nContent-Length: " + std::to_string(body.size()) + "\n\n" +
                       body + "\nFrom - Tue Jan  2 00:00:00 2024\nSubject: two\n\nz\n";
    BOOST_TEST(split(data).size() == 2U);
    for (std::size_t cut : {std::size_t{3}, data.find("From x@y")}) {
        auto a = part_spans(data, 0, cut);
        auto b = part_spans(data, cut, data.size());
        BOOST_REQUIRE_EQUAL(a.size(), 1U);
        BOOST_REQUIRE_EQUAL(b.size(), 2U);
        BOOST_TEST(a[0].offset + a[0].length == b[0].offset);
        BOOST_TEST(b[0].offset == data.find("From x@y"));
        BOOST_TEST(b[1].offset + b[1].length == data.size());
    }
    // A boundary past that line keeps the length's word.
    std::size_t past = data.find("Subject: not");
    auto c = part_spans(data, 0, past);
    auto d = part_spans(data, past, data.size());
    BOOST_REQUIRE_EQUAL(c.size(), 1U);
    BOOST_REQUIRE_EQUAL(d.size(), 1U);
    BOOST_TEST(c[0].length == split(data)[0].size());
}

BOOST_AUTO_TEST_CASE(many_candidate_lines_stay_linear) {
    // 200,000 ">From"-less prose lines that start with "From " but are not separators.
    std::string data = "From -\nSubject: big\n\n";
    for (int i = 0; i < 200000; ++i) data += "From Russia with love\n";
    auto m = split(data);
    BOOST_TEST(m.size() == 1U);
}

// The vector searches for "\nFrom " (AVX2 where the CPU has it, and SSE2 as
// machines without it run) agree with memmem at every alignment, near the
// end of the data and with decoys ("\nFro", "\nFrom" without space), on
// text dense with hits and on base64-like text with long runs between them.
BOOST_AUTO_TEST_CASE(from_line_search_agrees_with_memmem) {
    const std::string base64_line = "\n" + std::string(76, 'A');
    const std::string run(200, 'x');
    const std::vector<std::vector<std::string>> alphabets = {
        {"\n", "F", "From", "\nFrom ", "\nFro", "x", "ab\nF", "\nFrom\n", "rom "},
        {base64_line, base64_line, run, "\nFrom ", "\nFro", "ab\nF", "\nFrom\n"}};
    for (const auto& pieces : alphabets) {
        std::string hay;
        std::uint32_t seed = 12345;
        for (int i = 0; i < 20000; ++i) {
            seed = seed * 1103515245U + 12345U;
            hay += pieces[(seed >> 16) % pieces.size()];
        }
        using Search = std::size_t (*)(std::string_view, std::size_t);
        const Search searches[] = {
            [](std::string_view d, std::size_t f) { return find_line_start_from(d, f, Simd::avx512); },
            [](std::string_view d, std::size_t f) { return find_line_start_from(d, f, Simd::avx2); },
            [](std::string_view d, std::size_t f) { return find_line_start_from(d, f, Simd::sse2); },
            &hopscope::find_line_start_from_sse2};
        for (Search search : searches) {
            for (std::size_t tail : {0, 1, 5, 6, 7, 16, 17, 63, 64, 65}) {
                std::string text = hay + std::string(tail > 6 ? tail - 6 : 0, 'y') +
                                   std::string("\nFrom ").substr(0, std::min<std::size_t>(tail, 6));
                // An exactly sized buffer, without std::string's terminating
                // NUL, so the sanitizer build sees any read past the end.
                std::vector<char> exact(text.begin(), text.end());
                std::string_view h(exact.data(), exact.size());
                std::size_t from = 0;
                std::size_t hits = 0;
                while (true) {
                    std::size_t want = std::string_view::npos;
                    if (const void* p = memmem(h.data() + from, h.size() - from, "\nFrom ", 6))
                        want = static_cast<std::size_t>(static_cast<const char*>(p) - h.data());
                    std::size_t got = search(h, from);
                    BOOST_REQUIRE_EQUAL(got, want);
                    if (got == std::string_view::npos) break;
                    ++hits;
                    from = got + 1;
                }
                BOOST_TEST(hits > 100U);
            }
        }
    }
}

// Every fuzz regression input split as the mbox fuzzer splits it, from an
// exactly sized buffer: spans are contiguous, inside the input, and cover it.
BOOST_AUTO_TEST_CASE(fuzz_regressions_split_cleanly) {
    std::filesystem::path dir = std::filesystem::path(HOPSCOPE_CORPUS_DIR) / "../tools/fuzz/regressions";
    if (!std::filesystem::exists(dir)) return;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        std::string text = read_file(e.path().string());
        std::vector<char> exact(text.begin(), text.end());
        std::string_view in(exact.data(), exact.size());
        BOOST_TEST_CONTEXT(e.path().filename().string()) {
            hopscope::MboxSplitter split(in);
            std::size_t expect = in.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
            while (auto span = split.next()) {
                BOOST_TEST(span->offset == expect);
                BOOST_REQUIRE(span->length > 0);
                expect = span->offset + span->length;
            }
            BOOST_TEST((expect == in.size() || in.size() <= 3));
        }
    }
}

// The header walk looks only at the lines after line breaks it finds 32
// bytes at a time: a blank line, a Content-Length or a separator in the
// header at every offset of such a block, with LF and CRLF, splits the same.
BOOST_AUTO_TEST_CASE(header_lines_at_every_block_offset) {
    const std::string sep = "From a@b Sat Jan  1 00:00:00 2000";
    for (const std::string nl : {"\n", "\r\n"})
        for (std::size_t pad = 0; pad < 70; ++pad) {
            BOOST_TEST_CONTEXT("pad " << pad << (nl.size() == 2 ? " CRLF" : " LF")) {
                std::string filler = "X-Pad: " + std::string(pad, 'a') + nl;
                // A body line that reads as a separator, protected by its Content-Length.
                std::string body = sep + nl + "b" + nl;
                std::string first = sep + nl + filler + "Content-Length: " + std::to_string(body.size()) + nl +
                                    "Cc: c" + nl + nl + body;
                std::string second = sep + nl + filler + "Subject: x" + nl + nl + "body" + nl;
                std::string third = sep + nl + filler + "Subject: headers only" + nl;  // a separator right after
                auto parts = split(first + second + third + second);
                BOOST_TEST_REQUIRE(parts.size() == 4U);
                BOOST_TEST(parts[0] == first);
                BOOST_TEST(parts[1] == second);
                BOOST_TEST(parts[2] == third);
            }
        }
}

// LineBreaks answers as the plain search does, asked line after line and
// at every position, across its 32-byte blocks and the tail.
BOOST_AUTO_TEST_CASE(line_breaks_agree_with_the_plain_search) {
    std::string text;
    unsigned seed = 7;
    for (int i = 0; i < 3000; ++i) {
        seed = seed * 1103515245U + 12345U;
        text.push_back((seed >> 16U) % 23 == 0 ? '\n' : 'x');
    }
    text += "\n\n\n";
    for (std::size_t step : {1U, 3U, 31U, 32U, 33U, 97U}) {
        LineBreaks breaks(text);
        for (std::size_t pos = 0; pos <= text.size(); pos += step)
            BOOST_TEST(breaks.next(pos) == find_line_end(text, pos));
    }
    LineBreaks lines(text);
    for (std::size_t pos = 0, nl; (nl = lines.next(pos)) != std::string_view::npos; pos = nl + 1)
        BOOST_TEST(nl == find_line_end(text, pos));
}

namespace {
// The "--" line starts of [from + 1, end) of `text` as the split notes them:
// after a line break at or after `from`, before `end`, less `origin`.
std::vector<std::uint32_t> dash_lines_by_hand(std::string_view text, std::size_t from, std::size_t end,
                                              std::size_t origin) {
    std::vector<std::uint32_t> out;
    for (std::size_t p = from + 1; p < end && p + 1 < text.size(); ++p)
        if (text[p - 1] == '\n' && text[p] == '-' && text[p + 1] == '-')
            out.push_back(static_cast<std::uint32_t>(p - origin));
    return out;
}
}  // namespace

// The search that notes "--" lines on the way (AVX-512, AVX2 and SSE2) finds the same
// separator as find_separator and notes exactly the "--" line starts before
// it, at every alignment, near the end of the data, with decoys ("\n-",
// "\nFrom" lines that are no separator) and past the limit of noted lines.
BOOST_AUTO_TEST_CASE(separator_search_notes_every_dash_line_before_it) {
    const std::string base64_line = "\n" + std::string(76, 'A');
    const std::vector<std::string> pieces = {base64_line,
                                             base64_line,
                                             "\n--b",
                                             "\n-x",
                                             "\n--",
                                             "\n-",
                                             "\nFrom Russia with love",
                                             "x--",
                                             "\nFrom",
                                             "\n\n",
                                             "--",
                                             "\n-\n--",
                                             "\nFrom a@b Mon Jan  1 00:00:00 2024"};
    std::string hay;
    std::uint32_t seed = 4242;
    for (int i = 0; i < 30000; ++i) {
        seed = seed * 1103515245U + 12345U;
        hay += pieces[(seed >> 16) % pieces.size()];
    }
    for (Simd level : {Simd::avx512, Simd::avx2, Simd::sse2}) {
        for (std::size_t tail : {0, 1, 2, 3, 17, 63, 64, 65, 66, 67}) {
            std::string text = hay + std::string("\n--\n--").substr(0, std::min<std::size_t>(tail, 6)) +
                               std::string(tail > 6 ? tail - 6 : 0, 'y');
            std::vector<char> exact(text.begin(), text.end());
            std::string_view h(exact.data(), exact.size());
            std::size_t from = 0;
            std::size_t found = 0;
            int separators = 0;
            while (true) {
                DashLines dashes;
                std::size_t origin = from > 5 ? from - 5 : 0;
                found = find_separator_noting(h, from, dashes, origin, level);
                BOOST_REQUIRE_EQUAL(found, find_separator(h, from));
                std::size_t end = found == std::string_view::npos ? h.size() : found;
                auto want = dash_lines_by_hand(h, from, end, origin);
                if (want.size() > DashLines::kMax) {
                    BOOST_TEST(dashes.from == std::string_view::npos);
                    BOOST_TEST(dashes.at.empty());
                } else {
                    BOOST_REQUIRE_EQUAL(dashes.from, from + 1 - origin);
                    BOOST_REQUIRE(dashes.at == want);
                }
                if (found == std::string_view::npos) break;
                ++separators;
                from = found + 1;
            }
            BOOST_TEST(separators > 100);
        }
    }
}

// A multipart message's span carries the "--" lines of its body where the
// split read the body; none where a Content-Length was trusted, none for
// another type, none past the limit.
BOOST_AUTO_TEST_CASE(spans_carry_the_dash_lines_of_their_bodies) {
    std::string mbox =
        "From a@b Mon Jan  1 00:00:00 2024\nContent-Type: multipart/mixed; boundary=b\n\n--b\nX: 1\n\nbody\n--b--\n"
        "From a@b Mon Jan  1 00:00:00 2024\nContent-Type: multipart/mixed\nContent-Length: 9\n\n--b\n--b\n\n"
        "From a@b Mon Jan  1 00:00:00 2024\nContent-Type: text/plain\n\n--b\n"
        "From a@b Mon Jan  1 00:00:00 2024\ncontent-type :\n multipart/mixed; boundary=b\n\n--b\n"
        "From a@b Mon Jan  1 00:00:00 2024\nContent-Type: Multipart/Mixed\n\n";
    for (std::size_t i = 0; i <= DashLines::kMax; ++i) mbox += "--\n";
    MboxSplitter split(mbox);
    auto first = split.next();
    BOOST_REQUIRE(first);
    std::string_view m = std::string_view(mbox).substr(first->offset, first->length);
    std::size_t body = m.find("\n\n") + 2;
    BOOST_TEST(first->dash_lines.from == body);
    BOOST_TEST((first->dash_lines.at == std::vector<std::uint32_t>{static_cast<std::uint32_t>(body),
                                                                   static_cast<std::uint32_t>(m.find("--b--"))}));
    auto counted = split.next();
    BOOST_REQUIRE(counted);
    BOOST_TEST(counted->dash_lines.from == std::string_view::npos);
    auto text = split.next();
    BOOST_REQUIRE(text);
    BOOST_TEST(text->dash_lines.from == std::string_view::npos);
    auto folded = split.next();
    BOOST_REQUIRE(folded);
    BOOST_TEST(folded->dash_lines.at.size() == 1U);
    auto many = split.next();
    BOOST_REQUIRE(many);
    BOOST_TEST(many->dash_lines.from == std::string_view::npos);
    BOOST_TEST(many->dash_lines.at.empty());
}
