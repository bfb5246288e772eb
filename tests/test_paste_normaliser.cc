#define BOOST_TEST_MODULE paste_normaliser
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>

#include "input/header_block.hh"
#include "input/paste_normaliser.hh"
#include "test_support.hh"

using namespace hopscope;

namespace {

std::string names(const HeaderBlock& b) {
    std::string out;
    for (const auto& f : b.fields) out += std::string(f.name) + "|";
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(plain_message_with_body) {
    auto b =
        split_header_block("Received: from a\n by b; Mon, 1 Jan 2024 00:00:00 +0000\nSubject: hi\n\nFrom: body line\n");
    BOOST_TEST(names(b) == "Received|Subject|");
    BOOST_TEST(b.input_kind == "message");
    BOOST_TEST(unfold_collapsed(b.fields[0].raw) == "from a by b; Mon, 1 Jan 2024 00:00:00 +0000");
}

BOOST_AUTO_TEST_CASE(crlf_bom_and_leading_blank_lines) {
    auto b = split_header_block("\xEF\xBB\xBF\r\n  \r\n\r\nReceived: from a\r\n\tby b; x\r\nTo: c\r\n");
    BOOST_TEST(names(b) == "Received|To|");
    BOOST_TEST(unfold(b.fields[0].raw) == " from a\tby b; x");
    BOOST_TEST(b.input_kind == "header-block");
}

// White space alone on a line inside a folded field, the next line going
// on indented (RFC 5322's obsolete folding), folds as GMime reads it; a
// white-space-only line before an unindented one still ends the block.
BOOST_AUTO_TEST_CASE(a_white_space_line_inside_a_fold_folds) {
    auto b = split_header_block(
        "Subject: Re: TEST\r\n \r\n\t=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=\r\nTo: a@example.com\r\n"
        "Message-Id: <1@example.com>\r\n\r\nbody\r\n");
    BOOST_TEST(names(b) == "Subject|To|Message-Id|");
    BOOST_TEST(unfold_collapsed(b.fields[0].raw) == "Re: TEST =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=");
    auto ends = split_header_block("Subject: s\n \nTo: a@example.com\n");
    BOOST_TEST(names(ends) == "Subject|");
}

BOOST_AUTO_TEST_CASE(mbox_from_line_is_skipped) {
    auto b = split_header_block("From MAILER-DAEMON Fri Jul  8 12:08:34 2011\nSubject: s\n");
    BOOST_TEST(names(b) == "Subject|");
    BOOST_TEST(b.input_kind == "mbox-message");
    // A message stored with its own BOM after the separator.
    auto bom = split_header_block("From MAILER-DAEMON Fri Jul  8 12:08:34 2011\n\xEF\xBB\xBFReceived: by x; y\n\n");
    BOOST_TEST(names(bom) == "Received|");
}

BOOST_AUTO_TEST_CASE(lost_indentation_joins_the_field_above) {
    auto b = split_header_block(
        "Received: from SN7PR19MB7353.namprd19.prod.outlook.com (2603:10b6:806:345::8) by\n"
        "SJ0PR19MB5489.namprd19.prod.outlook.com with Microsoft SMTP Server id 15.20.7409.32; Sat, 30 Mar 2024\n"
        "01:35:25 +0000\n"
        "Message-ID:\n<abc@example.com>\n"
        "Subject: x\n");
    BOOST_TEST(names(b) == "Received|Message-ID|Subject|");
    BOOST_TEST(unfold_collapsed(b.fields[0].raw).find("Sat, 30 Mar 2024 01:35:25 +0000") != std::string::npos);
    BOOST_TEST(unfold_collapsed(b.fields[1].raw) == "<abc@example.com>");
    BOOST_TEST(b.anomalies.at(0).kind == "lost-indentation");
}

// Exchange writes its anti-spam key lists on the line after the name: lost
// indentation leaves "CIP:...;DIR:OUT;" at the start of a line, which goes
// on with the empty field above; a real field after an empty one does not.
BOOST_AUTO_TEST_CASE(a_key_list_that_lost_its_indentation_is_the_fields_value) {
    auto b = split_header_block(
        "X-Forefront-Antispam-Report:\n"
        "CIP:198.51.100.30;CTRY:NL;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;DIR:OUT;\n"
        "X-Microsoft-Antispam:\n"
        "BCL:0;ARA:13230040;\n"
        "X-MS-Exchange-Message-Is-Ndr:\n"
        "Subject: a; b\n"
        "CIP:192.0.2.1;DIR:INB;\n");
    BOOST_TEST(names(b) ==
               "X-Forefront-Antispam-Report|X-Microsoft-Antispam|X-MS-Exchange-Message-Is-Ndr|Subject|CIP|");
    BOOST_TEST(unfold_collapsed(b.fields[0].raw).find("DIR:OUT;") != std::string::npos);
    BOOST_TEST(b.anomalies.at(0).kind == "lost-indentation");
}

BOOST_AUTO_TEST_CASE(field_start_rules) {
    BOOST_TEST(is_field_start("Received: x"));
    BOOST_TEST(is_field_start("X-MS-Exchange-Organization-SCL:-1"));
    BOOST_TEST(is_field_start("Subject :spaced"));
    BOOST_TEST(!is_field_start("12:13:14 +0000"));       // a wrapped time
    BOOST_TEST(!is_field_start("http://example.com/"));  // a wrapped URL
    BOOST_TEST(!is_field_start("spf=pass (google.com: domain"));
    BOOST_TEST(!is_field_start(" indented: no"));
    // Names longer than one 16-byte block, and every kind of byte that ends one.
    BOOST_TEST(is_field_start("X-MS-Exchange-CrossTenant-OriginalArrivalTime: 30 Mar 2024"));
    BOOST_TEST(is_field_start("X-Very_Long.Field-Name-With-Digits-0123456789-And.More:x"));
    BOOST_TEST(is_field_start("X-MS-Exchange-Transport-CrossTenantHeadersStamped \t: x"));
    BOOST_TEST(!is_field_start("X-MS-Exchange-Cross\xC3\xA9Tenant: accented byte inside the name"));
    BOOST_TEST(!is_field_start("X-MS-Exchange-CrossTenant/Original: a slash"));
    BOOST_TEST(!is_field_start("X-MS-Exchange-CrossTenant@Original: an at sign"));
    BOOST_TEST(!is_field_start("X-MS-Exchange-CrossTenant[Original]: a bracket"));
    BOOST_TEST(!is_field_start("https-MS-Exchange-CrossTenant-Original://example.com/"));
    BOOST_TEST(!is_field_start("X-MS-Exchange-CrossTenant-OriginalArrivalTime"));  // no colon at all
}

BOOST_AUTO_TEST_CASE(uniformly_indented_paste) {
    auto b = split_header_block("   Received: from a\n      by b; x\n   Subject: s\n");
    BOOST_TEST(names(b) == "Received|Subject|");
}

BOOST_AUTO_TEST_CASE(gmail_show_original_summary_is_skipped) {
    auto b = split_header_block(
        "Original Message\n\nMessage ID\t<x@y>\nCreated at:\tFri, Dec 1, 2017 at 10:53 AM (Delivered after 1 second)\n"
        "From:\tA <a@b>\nTo:\tc@d\nSubject:\tNew\nSPF:\tPASS with IP 146.20.14.105 Learn more\n\n\n"
        "Download Original\tCopy to clipboard\t\nDelivered-To: z@gmail.com\nReceived: by 10.0.0.1 with SMTP id k; Fri, "
        "1 Dec "
        "2017 07:53:58 -0800 (PST)\n");
    BOOST_TEST(names(b) == "Delivered-To|Received|");
    BOOST_TEST(b.input_kind == "gmail-original");
}

BOOST_AUTO_TEST_CASE(gmail_summary_without_the_download_bar) {
    auto b = split_header_block("Original Message\nMessage ID\t<x@y>\nSPF:\tPASS\n\nReceived: by a; x\n");
    BOOST_TEST(names(b) == "Received|");
}

BOOST_AUTO_TEST_CASE(preamble_before_first_field_is_skipped_and_said) {
    auto b = split_header_block("here are the headers you asked for\n\nReceived: by a; x\n");
    BOOST_TEST(names(b) == "Received|");
    BOOST_TEST(b.anomalies.at(0).kind == "skipped-preamble");
}

BOOST_AUTO_TEST_CASE(no_fields_at_all) {
    BOOST_TEST(split_header_block("").fields.empty());
    BOOST_TEST(split_header_block("no colon anywhere\nat all\n").fields.empty());
    BOOST_TEST(split_header_block(std::string("\0\0\0\xff\xfe", 5)).fields.empty());
}

BOOST_AUTO_TEST_CASE(header_block_ends_at_whitespace_only_line) {
    auto b = split_header_block("A: 1\n \t \nB: 2\n");
    BOOST_TEST(names(b) == "A|");
}

// The sixteen-byte fast path of unfold_collapsed gives what the plain rule
// gives: white space runs become one space, none at either end.
BOOST_AUTO_TEST_CASE(unfold_collapsed_matches_the_plain_rule) {
    auto plain = [](std::string_view raw) {
        std::string out;
        bool pending = false;
        for (char c : raw) {
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                pending = !out.empty();
                continue;
            }
            if (pending) out.push_back(' ');
            pending = false;
            out.push_back(c);
        }
        return out;
    };
    std::uint32_t seed = 99;
    const char pieces[] = "abcdefgh  \t\r\n;()x";
    for (int n = 0; n < 40000; ++n) {
        std::string s;
        seed = seed * 1103515245U + 12345U;
        auto len = (seed >> 16) % 90;
        // Half the strings are mostly letters (long word runs); the other
        // half mostly single spaces, so blocks start and end on one.
        bool spaced = n % 2 == 1;
        for (unsigned k = 0; k < len; ++k) {
            seed = seed * 1103515245U + 12345U;
            unsigned r = (seed >> 16) % 8;
            if (r < 5)
                s.push_back('w');
            else if (spaced && r < 7)
                s.push_back(' ');
            else
                s.push_back(pieces[(seed >> 20) % (sizeof pieces - 1)]);
        }
        BOOST_TEST_CONTEXT(s) {
            BOOST_REQUIRE_EQUAL(unfold_collapsed(s), plain(s));
        }
    }
}

// unfold copies runs between line breaks whole; it must give what the plain
// byte rule gives (CR before LF dropped, a break not followed by white space
// becoming one space) on every mix of breaks, CRs and blanks.
BOOST_AUTO_TEST_CASE(unfold_matches_the_byte_rule) {
    auto reference = [](std::string_view raw) {
        std::string out;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            char c = raw[i];
            if (c == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') continue;
            if (c == '\n') {
                if (!(i + 1 < raw.size() && (raw[i + 1] == ' ' || raw[i + 1] == '\t'))) out.push_back(' ');
                continue;
            }
            out.push_back(c);
        }
        return out;
    };
    std::uint32_t state = 12345;
    const char alphabet[] = {'a', 'b', ' ', '\t', '\r', '\n', '\r', '\n', 'x', ';'};
    for (int round = 0; round < 50000; ++round) {
        std::string s;
        state = state * 1103515245U + 12345U;
        std::size_t len = (state >> 16) % 24;
        for (std::size_t k = 0; k < len; ++k) {
            state = state * 1103515245U + 12345U;
            s.push_back(alphabet[(state >> 16) % sizeof(alphabet)]);
        }
        if (unfold(s) != reference(s)) BOOST_TEST(unfold(s) == reference(s));
    }
}

// The one case-blind prefix test every stage uses: ASCII letters only fold.
BOOST_AUTO_TEST_CASE(istarts_with_folds_ascii_letters_only) {
    BOOST_TEST(istarts_with("ESMTPSA id 1", "esmtp"));
    BOOST_TEST(istarts_with("pop3", "POP"));
    BOOST_TEST(istarts_with("TLS", "TLS"));
    BOOST_TEST(istarts_with("anything", ""));
    BOOST_TEST(!istarts_with("TL", "TLS"));
    BOOST_TEST(!istarts_with("XESMTP", "ESMTP"));
    BOOST_TEST(!istarts_with("[ESMTP", "{ESMTP"));  // '[' and '{' differ by 0x20 but are no letters
}

// A paste with a blank line after every line is read as it was written: the
// header's own end (one empty line, three blank lines in the paste) stays.
BOOST_AUTO_TEST_CASE(a_double_spaced_paste_is_restored) {
    const std::string text =
        "Received: from a.example.com\n\nby b.example.net; Mon, 1 Jan 2024 00:00:00 +0000\n\n"
        "Received: from c\n\n by a.example.com; Mon, 1 Jan 2024 00:00:00 +0000\n\nSubject: hi\n\n\n\nbody\n\n";
    auto r = repair_paste_lines(text);
    BOOST_REQUIRE(r);
    BOOST_TEST(r->anomaly.kind == "double-spaced");
    BOOST_TEST(r->text ==
               "Received: from a.example.com\nby b.example.net; Mon, 1 Jan 2024 00:00:00 +0000\n"
               "Received: from c\n by a.example.com; Mon, 1 Jan 2024 00:00:00 +0000\nSubject: hi\n\nbody\n");
    BOOST_TEST(names(split_header_block(r->text)) == "Received|Received|Subject|");
    // CRLF pastes too, and after a preamble.
    auto crlf = repair_paste_lines(
        "Here they are\r\n\r\nReceived: by a\r\n\r\nFrom: b\r\n\r\nSubject: c\r\n\r\nDate: d\r\n\r\n");
    BOOST_REQUIRE(crlf);
    BOOST_TEST(crlf->text == "Here they are\r\n\r\nReceived: by a\r\nFrom: b\r\nSubject: c\r\nDate: d\r\n");
}

// Mail whose blank lines are its own is left as it is: a header of one
// field before a body, a body of double-spaced prose, a header that ends
// early, lines that are no fields.
BOOST_AUTO_TEST_CASE(mail_with_its_own_blank_lines_is_not_repaired) {
    BOOST_TEST(!repair_paste_lines("Received: from a\n by b; x\nSubject: s\n\nbody\n\nmore\n"));
    BOOST_TEST(!repair_paste_lines("Subject: s\n\nDear all,\n\nthe meeting\n\nis at\n\nnoon: come\n\n"));
    BOOST_TEST(!repair_paste_lines("To: a\n\nFrom: b\n\n\n\nbody\n\nmore\n\n"));
    // A short header over one-line paragraphs and a quoted From: line.
    BOOST_TEST(!repair_paste_lines(
        "Subject: Quarterly report\n\nHi all,\n\nPlease find the report attached.\n\nFrom: Accounting team\n\n"
        "Thanks\n\n"));
    BOOST_TEST(!repair_paste_lines("notes\n\nmore notes\n\nand more\n\nand more\n\n"));
    BOOST_TEST(!repair_paste_lines("From MAILER-DAEMON Thu Jan  1 00:00:00 2024\nTo: a\nFrom: b\n\nbody\n"));
}

BOOST_AUTO_TEST_CASE(cr_only_line_ends_are_read_as_lines) {
    auto r = repair_paste_lines("Received: from a\r by b; x\rSubject: s\r\rbody\r");
    BOOST_REQUIRE(r);
    BOOST_TEST(r->anomaly.kind == "cr-line-ends");
    BOOST_TEST(r->text == "Received: from a\n by b; x\nSubject: s\n\nbody\n");
    BOOST_TEST(!repair_paste_lines("Subject: one line\r"));
    BOOST_TEST(!repair_paste_lines("Subject: s\r\nTo: t\r\n"));
}
