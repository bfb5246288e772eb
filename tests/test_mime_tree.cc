#define BOOST_TEST_MODULE mime_tree
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>

#include "base/gmime_types.hh"
#include "input/mime_tree.hh"
#include "test_support.hh"

using namespace hopscope;
namespace fs = std::filesystem;

namespace {

// A part written out by GMime: its headers, its content, every part below.
std::string text_of(GMimeObject* part) {
    if (part == nullptr) return "(no part)";
    gm::CString s(g_mime_object_to_string(part, nullptr));
    return gm::to_string(s);
}

// The top part GMime reads from the whole message, as the readers read it before.
std::string whole_tree(std::string_view message) {
    auto top = whole_message_tree(message);
    return text_of(top.get());
}

std::string tree(std::string_view message) {
    auto top = parse_mime_tree(message);
    return text_of(top.get());
}

const std::string kReport =
    "Received: from mx.example.net (mx.example.net [192.0.2.7]) by mail.example.org with ESMTPS id 1;\n"
    " Mon, 1 Jan 2024 10:00:00 +0000\n"
    "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\n"
    "To: alice@example.org\n"
    "Subject: Undelivered Mail Returned to Sender\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status;\n"
    "\tboundary=\"B1\"\n"
    "Content-Transfer-Encoding: 7bit\n"
    "\n"
    "--B1\n"
    "Content-Type: text/plain\n"
    "\n"
    "I could not deliver it.\n"
    "--B1\n"
    "Content-Type: message/delivery-status\n"
    "\n"
    "Reporting-MTA: dns; mx.example.net\n"
    "\n"
    "Final-Recipient: rfc822; bob@example.net\n"
    "Action: failed\n"
    "Status: 5.1.1\n"
    "--B1\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "Received: by mail.example.org; Mon, 1 Jan 2024 09:59:00 +0000\n"
    "From: alice@example.org\n"
    "Subject: hi\n"
    "\n"
    "hello\n"
    "--B1--\n";

}  // namespace

BOOST_AUTO_TEST_CASE(a_plain_message_gives_gmime_its_content_fields_and_body_only) {
    std::string given;
    BOOST_TEST(mime_part_bytes(kReport, given));
    BOOST_TEST(given.find("Received:") == given.find("Received: by mail.example.org"));  // the returned one only
    BOOST_TEST(given.find("Subject: Undelivered") == std::string::npos);
    // The Content-* fields, the left-out ones' length in lines of 'x' after
    // the first, and the body where it was.
    const std::string type = "Content-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"B1\"\n";
    BOOST_TEST(given.starts_with(type + "xxx"));
    BOOST_TEST(given.find("\nContent-Transfer-Encoding: 7bit\n\n--B1\n") != std::string::npos);
    BOOST_TEST(given.size() == kReport.size());
    BOOST_TEST(given.substr(kReport.find("\n\n--B1")) == kReport.substr(kReport.find("\n\n--B1")));
    BOOST_TEST(given.find_first_not_of("x\n", type.size()) == given.find("Content-Transfer-Encoding"));
    BOOST_TEST(tree(kReport) == whole_tree(kReport));
    // After an mbox separator, and with CRLF line ends.
    std::string mbox = "From MAILER-DAEMON Mon Jan  1 10:00:00 2024\n" + kReport;
    BOOST_TEST(mime_part_bytes(mbox, given));
    BOOST_TEST(tree(mbox) == whole_tree(mbox));
    std::string crlf;
    for (char c : kReport) {
        if (c == '\n') crlf += '\r';
        crlf += c;
    }
    BOOST_TEST(mime_part_bytes(crlf, given));
    BOOST_TEST(tree(crlf) == whole_tree(crlf));
}

BOOST_AUTO_TEST_CASE(a_header_block_gmime_could_read_otherwise_is_given_whole) {
    std::string given;
    const std::string body_at = "\n--B1\n";
    auto with_header = [&](const std::string& header) { return header + kReport.substr(kReport.find(body_at)); };
    const std::string type = "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B1\"\n";
    const std::string cases[] = {
        "preamble line\n" + type,                       // a paste's preamble
        "  From: a@example.org\n  " + type,             // a paste that indents every field
        "From: a@example.org\nno colon here\n" + type,  // a line that lost its indentation
        "\xEF\xBB\xBF" + type,                          // a byte-order mark
        "\xEF\xBB\xBF"
        "From MAILER-DAEMON Mon Jan  1 10:00:00 2024\n" +
            type,     // one before a separator
        "\n" + type,  // a blank line first
    };
    for (const auto& header : cases) {
        std::string m = with_header(header);
        BOOST_TEST(!mime_part_bytes(m, given), m);
        BOOST_TEST(tree(m) == whole_tree(m));
    }
    // White space on the line that ends the header block: GMime may read it as a fold.
    std::string spaced = type + "   \n--B1\nContent-Type: text/plain\n\nx\n--B1--\n";
    BOOST_TEST(!mime_part_bytes(spaced, given));
    BOOST_TEST(tree(spaced) == whole_tree(spaced));
    // A header block without a body.
    BOOST_TEST(!mime_part_bytes(type, given));
    BOOST_TEST(tree(type) == whole_tree(type));
}

BOOST_AUTO_TEST_CASE(the_tree_is_gmimes_on_every_corpus_message) {
    std::size_t read = 0;
    std::size_t given_part = 0;
    auto check = [&](const fs::path& p) {
        std::string m = read_file(p.string());
        std::string given;
        given_part += mime_part_bytes(m, given) ? 1 : 0;
        BOOST_TEST(tree(m) == whole_tree(m), p.string());
        std::string mbox = "From MAILER-DAEMON Mon Jan  1 10:00:00 2024\n" + m;
        BOOST_TEST(tree(mbox) == whole_tree(mbox), p.string() << " after a separator");
        ++read;
    };
    for (const auto& e : fs::directory_iterator(HOPSCOPE_CORPUS_DIR))
        if (e.path().extension() == ".eml" || e.path().extension() == ".txt") check(e.path());
    // Real mail, when ../shared is there: every single message.
    const fs::path ext = fs::path(HOPSCOPE_SHARED_DIR) / "corpus-ext";
    for (const char* sub : {"general", "o365", "bounces", "pasted"}) {
        if (!fs::is_directory(ext / sub)) continue;
        for (const auto& e : fs::recursive_directory_iterator(ext / sub)) {
            if (!e.is_regular_file() || e.file_size() > (4U << 20)) continue;
            auto x = e.path().extension();
            if (x == ".md" || x == ".tsv") continue;
            check(e.path());
        }
    }
    // The inputs the mime_tree fuzz target once found read otherwise.
    const fs::path regressions = fs::path(HOPSCOPE_CORPUS_DIR) / "../tools/fuzz/regressions";
    for (const auto& e : fs::directory_iterator(regressions))
        if (e.path().filename().string().starts_with("mime-tree-")) check(e.path());
    BOOST_TEST_MESSAGE(read << " messages, " << given_part << " given to GMime as a part");
    BOOST_TEST(given_part > 0U);
}

BOOST_AUTO_TEST_CASE(gmime_read_points_and_long_lines) {
    std::string given;
    // E: a body line that crosses GMime's 4096-byte read point.
    std::string e = "Subject: x\nContent-Type: multipart/mixed; boundary=B1\n\n--B1\nContent-Type: text/plain\n\n" +
                    std::string(4010, 'a') + "--B1--\ntail\n--B1--\n";
    BOOST_TEST(tree(e) == whole_tree(e), "E");
    // A/B: a long field name, long blanks before a colon.
    std::string a = "X-" + std::string(4300, 'a') + ": v\nContent-Type: text/plain\n\nhi\n";
    BOOST_TEST(tree(a) == whole_tree(a), "A");
    std::string b = "Subject" + std::string(4300, ' ') + ": v\nContent-Type: text/plain\n\nhi\n";
    BOOST_TEST(tree(b) == whole_tree(b), "B");
    std::string b2 = "Subject" + std::string(4100, ' ') + ": v\nContent-Type: text/plain\n\nhi\n";
    BOOST_TEST(tree(b2) == whole_tree(b2), "B2");
    // C: the reverse.
    std::string c = "From: a@example.org\nContent-Type" + std::string(4100, ' ') + ": text/plain\n\nhi\n";
    BOOST_TEST(tree(c) == whole_tree(c), "C");
    // F: a long mbox From line.
    std::string f = "From x" + std::string(4081, 'y') + "\nSubject   : x\nContent-Type: text/plain\n\nhi\n";
    BOOST_TEST(tree(f) == whole_tree(f), "F");
}

// Long header values and body lines that meet GMime's 4096-byte reads at
// every offset around them: the trees still agree.
BOOST_AUTO_TEST_CASE(read_points_fall_alike_whatever_the_left_out_fields_hold) {
    std::size_t short_way = 0;
    for (std::size_t to_len : {10U, 200U, 3000U, 4090U, 5000U, 9000U})
        for (std::size_t shift = 0; shift < 140; shift += 7)
            for (bool crlf : {false, true}) {
                std::string nl = crlf ? "\r\n" : "\n";
                std::string m =
                    "Received: from a.example (a.example [192.0.2.1]) by b.example; Mon, 1 Jan 2024 "
                    "10:00:00 +0000" +
                    nl + "To: " + std::string(to_len, 't') + "@example.org" + nl +
                    "Subject: " + std::string(shift, 's') + nl + "Content-Type: multipart/mixed; boundary=B1" + nl +
                    "X-After: y" + nl + nl + "--B1" + nl + "Content-Type: text/plain" + nl + nl +
                    std::string(3900, 'a') + "--B1--" + nl + std::string(300, 'b') + nl + "--B1" + nl +
                    "Content-Type: message/rfc822" + nl + nl + "Subject: inner" + nl + nl + std::string(5000, 'c') +
                    nl + "--B1--" + nl;
                std::string given;
                short_way += mime_part_bytes(m, given) ? 1 : 0;
                BOOST_TEST(tree(m) == whole_tree(m), to_len << " " << shift << " " << crlf);
            }
    BOOST_TEST(short_way > 0U);
}
