// Output safety and layout: terminal escaping, display width, IDN, zones,
// JSON escaping and validity.
#define BOOST_TEST_MODULE output
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "base/byte_buffer.hh"
#include "base/utf8.hh"
#include "chain/trace_builder.hh"
#include "classify/hop_classifier.hh"
#include "classify/message_analysis.hh"
#include "json_check.hh"
#include "report/display_text.hh"
#include "report/display_zone.hh"
#include "report/html_report.hh"
#include "report/json_writer.hh"
#include "report/message_trace.hh"
#include "report/text_report.hh"
#include "report/trace_json.hh"
#include "test_support.hh"

using namespace hopscope;

BOOST_AUTO_TEST_CASE(terminal_escaping) {
    BOOST_TEST(escape_for_terminal("a\x1b[2Jb") == "a\\x1B[2Jb");
    BOOST_TEST(escape_for_terminal("bell\x07") == "bell\\x07");
    BOOST_TEST(escape_for_terminal("\xC2\x9B"
                                   "31m") == "\\x9B31m");                // C1 CSI
    BOOST_TEST(escape_for_terminal("x\xE2\x80\xAEy") == "x\\u{202E}y");  // RLO
    BOOST_TEST(escape_for_terminal("bad\xff") == "bad\\xFF");
    // Folding white space is shown as a space; only real controls are escaped.
    BOOST_TEST(escape_for_terminal("Rob Herring\t<robh@kernel.org>") == "Rob Herring <robh@kernel.org>");
    BOOST_TEST(escape_for_terminal("a\x0b\x0c") == "a\\x0B\\x0C");
    BOOST_TEST(escape_for_terminal("caf\xC3\xA9") == "caf\xC3\xA9");
}

BOOST_AUTO_TEST_CASE(display_width_counts_columns) {
    BOOST_TEST(display_width("abc") == 3U);
    BOOST_TEST(display_width("\xE6\x97\xA5\xE6\x9C\xAC") == 4U);  // 日本: wide
    BOOST_TEST(display_width("e\xCC\x81") == 1U);                 // e + combining acute
    BOOST_TEST(pad("\xE6\x97\xA5", 4) == "\xE6\x97\xA5  ");
    BOOST_TEST(display_width(fit_width("abcdefghij", 5)) == 5U);
    BOOST_TEST(fit_width("abc", 5) == "abc");
}

BOOST_AUTO_TEST_CASE(idn_hosts_shown_in_unicode) {
    BOOST_TEST(host_for_display("mail.xn--bcher-kva.example") ==
               "mail.b\xC3\xBC"
               "cher.example");
    BOOST_TEST(host_for_display("plain.example") == "plain.example");
    BOOST_TEST(host_for_display("xn--zz-invalid--.example") == "xn--zz-invalid--.example");
}

BOOST_AUTO_TEST_CASE(display_zones) {
    auto utc = DisplayZone::make("UTC");
    BOOST_REQUIRE(utc);
    BOOST_TEST(utc->format(1715670723) == "2024-05-14 07:12:03");
    auto paris = DisplayZone::make("Europe/Paris");
    BOOST_REQUIRE(paris);
    BOOST_TEST(paris->format(1715670723) == "2024-05-14 09:12:03 +0200");
    BOOST_TEST(paris->format(1704067200) == "2024-01-01 01:00:00 +0100");
    auto ny = DisplayZone::make("local");  // ctest pins TZ=America/New_York
    BOOST_REQUIRE(ny);
    BOOST_TEST(ny->format(1715670723) == "2024-05-14 03:12:03 -0400");
    BOOST_TEST(!DisplayZone::make("Nowhere/Special"));
}

BOOST_AUTO_TEST_CASE(durations) {
    BOOST_TEST(format_duration(0) == "0s");
    BOOST_TEST(format_duration(59) == "59s");
    BOOST_TEST(format_duration(61) == "1m 01s");
    BOOST_TEST(format_duration(3723) == "1h 02m 03s");
    BOOST_TEST(format_duration(-132) == "-2m 12s");
    BOOST_TEST(format_duration(90061) == "1d 01h 01m");
    BOOST_TEST(format_duration(600) == "10m 00s");
    BOOST_TEST(format_duration(3600) == "1h 00m 00s");
    BOOST_TEST(format_duration(86400) == "1d 00h 00m");
    BOOST_TEST(format_duration(-5) == "-5s");
    BOOST_TEST(format_duration(std::numeric_limits<std::int64_t>::max()) == "106751991167300d 15h 30m");
    BOOST_TEST(format_duration(std::numeric_limits<std::int64_t>::min()) == "-106751991167300d 15h 30m");
}

BOOST_AUTO_TEST_CASE(json_strings_are_escaped_and_valid) {
    std::string out;
    append_json_string(out, std::string("q\"b\\n\n\x01\xff\xE2\x80\xAE", 11));
    BOOST_TEST(out == "\"q\\\"b\\\\n\\n\\u0001\xEF\xBF\xBD\\u202e\"");
    BOOST_TEST(JsonCheck::valid(out));
}

// The block copies (whole blocks, an overlapping last block, two overlapping
// words for 8-15 bytes) give what escaping piece by piece gives, whatever the
// length and wherever a byte that needs escaping falls.
BOOST_AUTO_TEST_CASE(json_escaping_matches_piece_by_piece) {
    struct Piece {
        std::string_view in;
        std::string_view out;
    };
    const std::array<Piece, 9> specials = {
        {{"\"", "\\\""},
         {"\\", "\\\\"},
         {"\n", "\\n"},
         {"\x01", "\\u0001"},
         {"\x7f", "\\u007f"},
         {"\xC3\xA9", "\xC3\xA9"},
         {"\xff", "\xEF\xBF\xBD"},
         {"\xE2\x80\xAE", "\\u202e"},  // NOLINT(misc-misleading-bidirectional): on purpose
         {" ", " "}}};
    std::uint32_t seed = 7;
    auto next = [&] {
        seed = seed * 1103515245U + 12345U;
        return seed >> 16;
    };
    for (int n = 0; n < 30000; ++n) {
        std::string in;
        std::string want = "\"";
        unsigned len = next() % 70;
        unsigned rarity = n % 3 == 0 ? 8 : 60;  // a third dense with escapes, the rest nearly plain
        for (unsigned k = 0; k < len; ++k) {
            if (next() % rarity == 0) {
                const Piece& p = specials.at(next() % specials.size());
                in += p.in;
                want += p.out;
            } else {
                char c = static_cast<char>('a' + next() % 26);
                in += c;
                want += c;
            }
        }
        want += "\"";
        std::string got;
        append_json_string(got, in);
        BOOST_TEST_CONTEXT(in) {
            BOOST_REQUIRE_EQUAL(got, want);
        }
    }
}

BOOST_AUTO_TEST_CASE(trace_json_is_valid_for_hostile_bytes) {
    std::string m = "Received: from \x1b\xff\xfe\x00x by y; Mon, 1 Jan 2024 00:00:00 +0000\nSubject: \x80\x81\n";
    m.append(std::string("X-Nul: a\0b\n", 11));
    auto t = build_trace(m);
    BOOST_REQUIRE(t);
    BOOST_TEST(JsonCheck::valid(trace_to_json(*t, true)));
    BOOST_TEST(JsonCheck::valid(trace_to_json(*t, false)));
}

BOOST_AUTO_TEST_CASE(text_report_has_summary_and_table) {
    auto t = build_trace(read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/demo-o365-relay.eml"));
    BOOST_REQUIRE(t);
    classify(*t, RuleSet::builtin());
    auto zone = DisplayZone::make("UTC");
    std::string text = render_text(*t, TextStyle{false, true, *zone});
    BOOST_TEST(text.find("Created    2024-05-14 07:12:01 UTC\n") != std::string::npos);
    // A Date with no zone is said to be uncertain where it is shown.
    auto nozone = build_trace(
        "Received: from a.example.org ([192.0.2.1]) by mx.example.net; Tue, 12 Oct 2010 20:21:07 +0000\n"
        "Date: Tue, 12 Oct 2010 16:21:05 H0500\nFrom: a@example.org\n\n");
    BOOST_REQUIRE(nozone);
    classify(*nozone, RuleSet::builtin());
    BOOST_TEST(
        render_text(*nozone, TextStyle{false, true, *zone}).find("Created    2010-10-12 16:21:05 UTC (uncertain") !=
        std::string::npos);
    // Two Date headers that disagree (a list added its own): said, and no
    // delay or device clock is counted from either.
    auto two = build_trace(
        "Received: from a.example.org ([192.0.2.1]) by mx.example.net; Tue, 19 Jun 2001 01:16:05 +0800\n"
        "Received: from b.example.org ([192.0.2.2]) by a.example.org; Tue, 19 Jun 2001 01:04:22 +0800\n"
        "Date: Tue, 19 Jun 2001 01:16:04 +0800\nDate: Tue, 19 Jun 2001 01:04:22 +0800\nFrom: a@example.org\n\n");
    BOOST_REQUIRE(two);
    classify(*two, RuleSet::builtin());
    const std::string two_text = render_text(*two, TextStyle{false, true, *zone});
    BOOST_TEST(two_text.find("(two Date headers disagree: not counted)") != std::string::npos);
    BOOST_TEST(two_text.find("device clock fast") == std::string::npos);
    BOOST_TEST(std::ranges::any_of(two->anomalies, [](const Anomaly& a) { return a.kind == "duplicate-date"; }));
    BOOST_TEST(text.find("Delivered  in 6s over 5 hops") != std::string::npos);
    BOOST_TEST(text.find("relay.contoso.com [198.51.100.77]") != std::string::npos);
    BOOST_TEST(text.find("\x1b[") == std::string::npos);
    // The verdict closes the output, after the roles and the security section.
    BOOST_REQUIRE(text.find("Security headers") != std::string::npos);
    BOOST_REQUIRE(text.rfind("\nRelay      TRAVERSED") != std::string::npos);
    BOOST_TEST(text.rfind("\nRelay      TRAVERSED") > text.find("Security headers"));
    BOOST_TEST(text.find("Why each role") < text.find("Security headers"));
    std::string coloured = render_text(*t, TextStyle{true, false, *zone});
    BOOST_TEST(coloured.find("\x1b[1m") != std::string::npos);
    BOOST_TEST(coloured.find("\xE2\x96\x88") == std::string::npos);  // ASCII bars when not UTF-8
}

// A returned message's stamps say how far it got: "Travelled", for a
// delay warning as for a failure, and for a returned message of no fields.
BOOST_AUTO_TEST_CASE(returned_messages_travelled_not_delivered) {
    auto zone = DisplayZone::make("UTC");
    for (const char* name : {"notification-postfix-delayed-4750-access-denied.eml",
                             "notification-exo-delayed-4-4-1.eml", "bounce-postfix-5764-tenantattribution.eml"}) {
        BOOST_TEST_CONTEXT(name) {
            auto t = analyse_message(read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/" + name), RuleSet::builtin());
            BOOST_REQUIRE(t);
            std::string text = render_text(*t, TextStyle{false, true, *zone});
            auto returned = text.find("The returned message");
            BOOST_REQUIRE(returned != std::string::npos);
            auto next = text.find("\nTravelled  ", returned);
            BOOST_TEST(next != std::string::npos);
            BOOST_TEST(next < text.find("\nDelivered  ", returned));
        }
    }
}

// An SMTP client's submission proxied to the mailbox server, whose address
// the header does not keep: the Origin line says it is a client's
// submission, as the verdict does, never "written in a mailbox".
BOOST_AUTO_TEST_CASE(a_proxied_submission_without_its_client_is_no_mailbox) {
    auto zone = DisplayZone::make("UTC");
    std::string bytes = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/o365-smtp-auth-proxied-mapi.eml");
    bytes.erase(bytes.find("x-originating-ip: [203.0.113.58]\n"), std::string_view("x-originating-ip: [203.0.113.58]\n").size());
    auto t = analyse_message(bytes, RuleSet::builtin());
    BOOST_REQUIRE(t);
    BOOST_REQUIRE(t->relay);
    BOOST_TEST(t->relay->method == "client-submission");
    std::string text = render_text(*t, TextStyle{false, true, *zone});
    std::string origin = text.substr(text.find("\nOrigin "), 200);
    BOOST_TEST(origin.find("submitted by an SMTP client through Exchange's front end") != std::string::npos, origin);
    BOOST_TEST(text.find("written in a mailbox") == std::string::npos);
}

// Evidence lines wrap at spaces under their text, to the width asked;
// without one they stay whole, and a word longer than a line is never cut.
BOOST_AUTO_TEST_CASE(evidence_lines_wrap_under_their_text) {
    const std::string text =
        "Microsoft 365 took the message in at hop #2 (AM4PEPF00027A5F.mail.protection.outlook.com) from "
        "relay.contoso.com [198.51.100.77] over TLS 1.2";
    BOOST_TEST(wrapped("  - ", text, 0) == "  - " + text + "\n");
    const std::string w = wrapped("  - ", text, 50);
    std::size_t lines = 0;
    for (std::size_t at = 0, nl = w.find('\n'); nl != std::string::npos; at = nl + 1, nl = w.find('\n', at)) {
        std::string line = w.substr(at, nl - at);
        ++lines;
        BOOST_TEST((display_width(line) <= 50 || line.find(' ', 4) == std::string::npos), line);
        if (lines > 1) BOOST_TEST((line.starts_with("    ") && line[4] != ' '));
    }
    BOOST_TEST(lines >= 3U);
    BOOST_TEST(w.find("(AM4PEPF00027A5F.mail.protection.outlook.com)") != std::string::npos);  // whole
    BOOST_TEST(w.size() > text.size());
}

// A delivery to the mailbox is said once: the headline's note is the whole
// explanation, in the text and in the HTML page.
BOOST_AUTO_TEST_CASE(a_delivered_notification_says_it_once) {
    auto zone = DisplayZone::make("UTC");
    auto t = analyse_message(read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/notification-exo-delivered-mailbox.eml"),
                             RuleSet::builtin());
    BOOST_REQUIRE(t);
    BOOST_REQUIRE(t->notification);
    auto count = [](const std::string& text) {
        std::size_t n = 0;
        for (auto at = text.find("delivered to the mailbox"); at != std::string::npos;
             at = text.find("delivered to the mailbox", at + 1))
            ++n;
        return n;
    };
    BOOST_TEST(count(render_text(*t, TextStyle{false, true, *zone})) == 1U);
    std::string html = render_html(*t, HtmlOptions{});
    std::string banner = html.substr(html.find("id=\"verdict\""));
    BOOST_TEST(count(banner.substr(0, banner.find("</section>"))) == 1U);
}

// A report of several failed recipients: the headline is the first's, and
// says the others failed too, and whether for another cause.
BOOST_AUTO_TEST_CASE(bounce_line_counts_the_other_failed_recipients) {
    auto report = [](std::string_view second_status) {
        return "From: MAILER-DAEMON@mx.example.jp\nTo: a@example.jp\nSubject: Undelivered Mail\n"
               "Date: Mon, 2 Dec 2024 10:00:00 +0900\nMIME-Version: 1.0\n"
               "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B1\"\n\n"
               "--B1\nContent-Type: text/plain\n\nThis is the mail system at host mx.example.jp.\n\n"
               "--B1\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.jp\n\n"
               "Final-Recipient: rfc822; ana@example.net\nAction: failed\nStatus: 5.1.1\n\n"
               "Final-Recipient: rfc822; ben@example.net\nAction: failed\nStatus: " +
               std::string(second_status) + "\n\n--B1--\n";
    };
    auto zone = DisplayZone::make("UTC");
    auto other = analyse_message(report("5.2.2"), RuleSet::builtin());
    BOOST_REQUIRE(other);
    std::string text = render_text(*other, TextStyle{false, true, *zone});
    BOOST_TEST(text.find("Also failed: 1 more recipient, for another cause (below).") != std::string::npos);
    auto same = analyse_message(report("5.1.1"), RuleSet::builtin());
    BOOST_REQUIRE(same);
    text = render_text(*same, TextStyle{false, true, *zone});
    BOOST_TEST(text.find("Also failed: 1 more recipient, for the same cause (below).") != std::string::npos);
    // A diagnostic the headline quotes whole is not said twice.
    std::string quoted = report("5.1.1");
    quoted.replace(quoted.find("Status: 5.1.1\n"), 14, "Status: 5.0.0\nDiagnostic-Code: smtp; mailbox is full\n");
    auto once = analyse_message(quoted, RuleSet::builtin());
    BOOST_REQUIRE(once);
    text = render_text(*once, TextStyle{false, true, *zone});
    BOOST_TEST(text.find("The report's diagnostic: mailbox is full") != std::string::npos);
    BOOST_TEST(text.find("ana@example.net: (the diagnostic quoted above)") != std::string::npos);
}

// Where a bounce's returned message stopped: what is known, never a "?".
BOOST_AUTO_TEST_CASE(stopped_text_says_only_what_is_known) {
    Bounce b;
    Trace o;
    BOOST_TEST(stopped_text(b, o).empty());
    Hop& h = o.hops.emplace_back();
    h.index = 3;
    BOOST_TEST(stopped_text(b, o) == "stopped after hop #3");
    h.fields.by.ip = "192.0.2.1";
    BOOST_TEST(stopped_text(b, o) == "stopped after hop #3 (192.0.2.1)");
    h.fields.by.host = "mx.example.net";
    b.report.generating_server = "EX01.example.org";
    BOOST_TEST(stopped_text(b, o) == "stopped after hop #3 (mx.example.net): the report came from EX01.example.org");
    b.report.reporting_mta = "relay.example.org";
    BOOST_TEST(stopped_text(b, o) == "stopped after hop #3 (mx.example.net): the report came from relay.example.org");
}

BOOST_AUTO_TEST_CASE(text_report_tells_the_chain_as_organisations) {
    auto t = build_trace(read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/list-to-recipient.eml"));
    BOOST_REQUIRE(t);
    classify(*t, RuleSet::builtin());
    auto zone = DisplayZone::make("UTC");
    std::string text = render_text(*t, TextStyle{false, true, *zone});
    auto google = text.find("   gmail.com \u2014 sender's provider (Gmail)\n");
    auto list = text.find("   kernel.org \u2014 mailing list\n");
    auto recipient = text.find("   example.org \u2014 recipient\n");
    BOOST_REQUIRE(google != std::string::npos);
    BOOST_REQUIRE(list != std::string::npos);
    BOOST_REQUIRE(recipient != std::string::npos);
    BOOST_TEST((google < list && list < recipient));
    // Each story line sits right above the first hop of its organisation.
    BOOST_TEST(text.compare(text.find('\n', list) + 1, 2, "3 ") == 0, text.substr(list, 60));
    std::string ascii = render_text(*t, TextStyle{false, false, *zone});
    BOOST_TEST(ascii.find("   kernel.org - mailing list\n") != std::string::npos);
    // Roles in colour on a terminal: the organisation lines name them (the
    // table has no Role column when they do).
    std::string coloured = render_text(*t, TextStyle{true, true, *zone});
    BOOST_TEST(coloured.find("\x1b[96mmailing list\x1b[0m") != std::string::npos);
    BOOST_TEST(coloured.find("\x1b[94msender's provider (Gmail)\x1b[0m") != std::string::npos);
    BOOST_TEST(text.find("  Role  ") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(hop_table_fits_the_terminal_and_never_cuts_an_address) {
    auto t = build_trace(read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/demo-o365-relay.eml"));
    BOOST_REQUIRE(t);
    classify(*t, RuleSet::builtin());
    auto zone = DisplayZone::make("UTC");
    auto widest = [](const std::string& text) {
        std::size_t w = 0;
        std::size_t at = text.find("\n#  Time");  // the table's head line
        for (std::size_t end = text.find('\n', at + 1); end != std::string::npos && end > at + 1;
             at = end, end = text.find('\n', at + 1)) {
            std::string line = text.substr(at + 1, end - at - 1);
            if (line.empty()) break;
            w = std::max(w, display_width(line));
        }
        return w;
    };
    std::string whole = render_text(*t, TextStyle{false, true, *zone});
    std::size_t natural = widest(whole);
    BOOST_TEST(whole.find("\u2026") == std::string::npos);  // no limit: nothing cut
    // Wide enough: nothing cut, whatever the old fixed widths were.
    TextStyle wide{false, true, *zone};
    wide.width = natural;
    BOOST_TEST(render_text(*t, wide) == whole);
    // Narrower: cut to fit, names only, every address whole.
    TextStyle narrow{false, true, *zone};
    narrow.width = natural - 30;
    std::string cut = render_text(*t, narrow);
    BOOST_TEST(widest(cut) <= narrow.width);
    BOOST_TEST(cut.find("\u2026") != std::string::npos);
    for (const auto& h : t->hops)
        if (h.fields.from.ip)
            BOOST_TEST(cut.find("[" + *h.fields.from.ip + "]") != std::string::npos, *h.fields.from.ip);
    // Far too narrow: the table stops shrinking at readable names and whole addresses.
    TextStyle tiny{false, true, *zone};
    tiny.width = 40;
    std::string floor = render_text(*t, tiny);
    for (const auto& h : t->hops)
        if (h.fields.from.ip) BOOST_TEST(floor.find("[" + *h.fields.from.ip + "]") != std::string::npos);
}

// The ASCII run is measured sixteen bytes at a time with an overlapping last
// block: one byte from 0x80 up at every place of every length up to 70 (and
// none at all) must end it exactly there, from exactly sized buffers.
BOOST_AUTO_TEST_CASE(ascii_prefix_ends_at_the_first_high_byte) {
    for (std::size_t len = 0; len <= 70; ++len) {
        for (std::size_t at = 0; at <= len; ++at) {
            auto buf = std::make_unique<char[]>(len == 0 ? 1 : len);
            for (std::size_t k = 0; k < len; ++k) buf[k] = static_cast<char>('a' + k % 26);
            if (at < len) buf[at] = static_cast<char>(0x80 + at % 0x80);
            BOOST_TEST(ascii_prefix(std::string_view(buf.get(), len)) == at, "len " << len << " at " << at);
        }
    }
}

// Records are written into a ByteBuffer's room: growing keeps what is
// there, and a writer appending to one leaves the text before it alone.
BOOST_AUTO_TEST_CASE(byte_buffer_keeps_content_as_it_grows) {
    ByteBuffer b;
    std::string want;
    for (int i = 0; i < 2000; ++i) {
        std::string piece = std::to_string(i) + ",";
        b.append(piece);
        want += piece;
    }
    b.push_back('!');
    want += '!';
    BOOST_TEST(b.view() == want);
    b.reserve(b.capacity() + 1);
    BOOST_TEST(b.view() == want);
    {
        JsonWriter w(false, b);  // grows the buffer several times on the way
        w.begin_array();
        for (int i = 0; i < 500; ++i) w.value(std::string(40, 'x'));
        w.end_array();
    }
    BOOST_TEST(b.view().substr(0, want.size()) == want);
    BOOST_TEST(b.view().substr(want.size(), 4) == "[\"xx");
    BOOST_TEST(b.size() == want.size() + 2 + std::size_t{500} * 42 + 499);
}

namespace {

Trace analysed(const std::string& name) {
    auto t = analyse_message(read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/" + name), RuleSet::builtin());
    BOOST_REQUIRE(t);
    return std::move(*t);
}

}  // namespace

// The answer first: the verdict line opens the report (and still closes it
// with its evidence); with attached messages it says whose verdict it is,
// and each attached message has its own.
BOOST_AUTO_TEST_CASE(the_verdict_first_and_whose_it_is) {
    auto zone = DisplayZone::make("UTC");
    std::string demo = render_text(analysed("demo-o365-relay.eml"), TextStyle{false, true, *zone});
    BOOST_TEST(
        demo.starts_with("Relay      TRAVERSED: relay.contoso.com [198.51.100.77] -> EOP with TLS 1.2 (through an "
                         "inbound connector)\n"));
    BOOST_TEST(demo.rfind("\nRelay      TRAVERSED") > demo.find("Security headers"));
    std::string fwd = render_text(analysed("forwarded-as-attachment.eml"), TextStyle{false, true, *zone});
    BOOST_TEST(
        fwd.starts_with("Relay      NOT APPLICABLE: written in an Exchange Online mailbox  (this message; the "
                        "message attached to it has its own, below)\n"));
    auto attached = fwd.find("Attached message 1 (its own chain)");
    BOOST_REQUIRE(attached != std::string::npos);
    // The phish's own chain: the attacker's server into EOP as internet mail, another organisation's.
    BOOST_TEST(fwd.find("Relay      NOT APPLICABLE: another organisation's mail (Microsoft 365 received it from "
                        "mail.mailbox-quota.example [192.0.2.201]",
                        attached) != std::string::npos);
    BOOST_TEST(fwd.find("Subject    Your mailbox is full - action required", attached) != std::string::npos);
}

// Small things a reader trips over: a HELO address literal labelled, "via"
// alone when a stamp names no protocol, no nested parentheses in a service
// name, no heading over nothing.
BOOST_AUTO_TEST_CASE(small_readings) {
    auto zone = DisplayZone::make("UTC");
    auto t = build_trace(
        "Received: (majordomo@vger.kernel.org) by vger.kernel.org via listexpand id S1; Sun, 11 Apr 2021 06:09:37 "
        "-0400\n"
        "Received: from [172.27.15.30] (172.20.145.6) by HQMAIL107.nvidia.com (172.20.187.13) with Microsoft SMTP "
        "Server (TLS) id 15.0.1497.2; Sun, 11 Apr 2021 10:09:06 +0000\n"
        "Date: Sun, 11 Apr 2021 13:09:03 +0300\nFrom: a@nvidia.com\n");
    BOOST_REQUIRE(t);
    classify(*t, RuleSet::builtin());
    std::string text = render_text(*t, TextStyle{false, true, *zone});
    BOOST_TEST(text.find("Origin     172.20.145.6 (HELO [172.27.15.30])\n") != std::string::npos);
    BOOST_TEST(text.find("  via listexpand\n") != std::string::npos);
    BOOST_TEST(text.find("- via") == std::string::npos);
    std::string google = render_text(analysed("gmail-to-gmail.eml"), TextStyle{false, true, *zone});
    BOOST_TEST(google.find(": Google (Gmail / Workspace)\n") != std::string::npos);
    BOOST_TEST(google.find("((") == std::string::npos);
    std::string none = render_text(analysed("no-received-header.txt"), TextStyle{false, true, *zone});
    BOOST_TEST(none.find("Why each role") == std::string::npos);
}

// A report read from its header fields alone (a PST/OST item's transport
// headers, a paste): what it does not name is said so, never "?", and the
// returned message is not said to be missing from the report.
BOOST_AUTO_TEST_CASE(a_headers_only_report_says_what_it_does_not_name) {
    auto zone = DisplayZone::make("UTC");
    auto t = analyse_message(
        "From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@ex2010.local>\n"
        "To: <saqib.razzaq@ex2010.local>\nSubject: Undeliverable: 05 - test email\n"
        "Date: Wed, 11 May 2011 16:19:27 +0500\nMIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"b\"\n\n",
        RuleSet::builtin());
    BOOST_REQUIRE(t);
    BOOST_REQUIRE(t->bounce);
    std::string text = render_text(*t, TextStyle{false, true, *zone});
    BOOST_TEST(text.find("Delivery FAILED (no recipient or server found in what was read of the report)") != std::string::npos);
    BOOST_TEST(text.find("(the returned message is not in what was read: only the report's header fields)") !=
               std::string::npos);
    BOOST_TEST(text.find("?") == std::string::npos);
    // A delay warning that names no server says none.
    Bounce delayed;
    delayed.action = "delayed";
    delayed.recipient = "kijitora@example.com";
    BOOST_TEST(notification_headline(delayed).find('?') == std::string::npos);
    BOOST_TEST(notification_headline(delayed).find(" at ") == std::string::npos);
}

// The clocks in words: a device's Date ahead is said on the Delivered line,
// never as a negative total; a fast relay's row shows "skew" and no bar.
BOOST_AUTO_TEST_CASE(clocks_in_the_text) {
    auto zone = DisplayZone::make("UTC");
    std::string device = render_text(analysed("clock-skew-device.eml"), TextStyle{false, true, *zone});
    BOOST_TEST(device.find("Delivered  in 1s over 2 hops, from the first stamp; the Date header is 9m 43s ahead "
                           "(device clock fast)\n") != std::string::npos);
    BOOST_TEST(device.find("-9m") == std::string::npos);
    std::string relay = render_text(analysed("clock-skew-relay.eml"), TextStyle{false, true, *zone});
    auto row = relay.find("\n2  10:03:30  skew ");
    BOOST_REQUIRE(row != std::string::npos);
    std::string line = relay.substr(row + 1, relay.find('\n', row + 1) - row - 1);
    BOOST_TEST(line.find("\u2588") == std::string::npos);  // no bar for a clock that is off
    BOOST_TEST(relay.find("by mx2.example.net, whose clock is 3m 25s to 3m 29s fast") != std::string::npos);
    BOOST_TEST(relay.find("\n3  10:00:05    4s ") != std::string::npos);  // its successor not blamed
    std::string zoned = render_text(analysed("clock-skew-zone.eml"), TextStyle{false, true, *zone});
    BOOST_TEST(zoned.find("(device clock fast, or its zone is wrong)") != std::string::npos);
}

// HTML: real line breaks in the raw headers, host names that break at
// dots, no Org column beside the org rows, the file named without its path.
BOOST_AUTO_TEST_CASE(html_reads_as_a_page) {
    std::string bytes = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/demo-o365-relay.eml");
    Trace t = analysed("demo-o365-relay.eml");
    std::string page = render_html(t, {"/home/someone/mail/demo-o365-relay.eml", bytes.substr(0, 400)});
    auto pre = page.find("<summary>Raw headers</summary><pre>");
    BOOST_REQUIRE(pre != std::string::npos);
    std::string raw = page.substr(pre, page.find("</pre>", pre) - pre);
    BOOST_TEST(raw.find('\n') != std::string::npos);
    BOOST_TEST(raw.find("\\x0A") == std::string::npos);
    BOOST_TEST(page.find("<th>Org</th>") == std::string::npos);
    BOOST_TEST(page.find("relay.<wbr>contoso.<wbr>com") != std::string::npos);
    BOOST_TEST(page.find("hopscope report of demo-o365-relay.eml.") != std::string::npos);
    BOOST_TEST(page.find("/home/someone") == std::string::npos);
    // Each meaning links its source; the Message trace line is there.
    BOOST_TEST(page.find("href=\"https://learn.microsoft.com/defender-office-365/message-headers-eop-mdo\"") !=
               std::string::npos);
    BOOST_TEST(
        page.find("Get-MessageTraceV2 -MessageId &#39;&lt;20240514091201.3F1A.scanner-3f@contoso.com&gt;&#39;") !=
        std::string::npos);
}

// The Get-MessageTraceV2 line: only for mail that passed through Microsoft
// 365, the Message-ID quoted as PowerShell takes it, the days around the
// stamps (at most ten).
BOOST_AUTO_TEST_CASE(message_trace_line) {
    Trace t = analysed("demo-o365-relay.eml");
    auto sec = decode_security(t.signals);
    BOOST_TEST(*message_trace_command(t, sec) ==
               "Get-MessageTraceV2 -MessageId '<20240514091201.3F1A.scanner-3f@contoso.com>' -StartDate 2024-05-13 "
               "-EndDate 2024-05-16");
    t.message_id = "<it's@example.com>";
    BOOST_TEST(message_trace_command(t, sec)->find("-MessageId '<it''s@example.com>'") != std::string::npos);
    t.message_id = "<caf\xC3\xA9@example.com>";  // more than quoting would be needed
    BOOST_TEST(!message_trace_command(t, sec));
    Trace plain = analysed("postfix-basic.eml");  // never through Microsoft 365
    BOOST_TEST(!message_trace_command(plain, decode_security(plain.signals)));
    // Exchange Server on premises writes Exchange's IDs too: no tenant's trace.
    auto onprem = analyse_message(
        "Received: from EX02.corp.example (10.1.0.12) by EX01.corp.example (10.1.0.11) with Microsoft SMTP Server "
        "(version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384) id 15.0.1178.4; Mon, 22 Feb 2021 10:00:01 "
        "+0100\nX-MS-Exchange-Organization-Network-Message-Id: 7b9f8bf0-0922-4b2c-2779-08d8d741d6ec\n"
        "Message-ID: <485a17ae@ex.corp.example>\nFrom: a@corp.example\nTo: b@corp.example\n"
        "Date: Mon, 22 Feb 2021 10:00:00 +0100\n\nx\n",
        RuleSet::builtin());
    BOOST_REQUIRE(onprem);
    BOOST_TEST(outside_microsoft_365(*onprem));
    BOOST_TEST(!message_trace_command(*onprem, decode_security(onprem->signals)));
    auto zone = DisplayZone::make("UTC");
    std::string text = render_text(*onprem, TextStyle{false, true, *zone});
    BOOST_TEST(text.find("For the Exchange admin") != std::string::npos);
    BOOST_TEST(text.find("For the Exchange Online admin") == std::string::npos);
    // Last handled by Outlook.com's consumer tenant: no admin can trace it.
    Trace personal = analysed("o365-inbound-junk-verdicts.eml");
    for (auto& sig : personal.signals)
        if (iequals(sig.name, "X-MS-Exchange-CrossTenant-Id")) sig.value = "84df9e7f-e9f6-40af-b435-aaaaaaaaaaaa";
    auto consumer = decode_security(personal.signals);
    BOOST_REQUIRE(consumer.ids.tenant_id);
    BOOST_TEST(consumer.ids.consumer_tenant());
    BOOST_TEST(consumer.ids.tenant_id->row()->text.find("consumer") != std::string_view::npos);
    BOOST_TEST(!message_trace_command(personal, consumer));
    BOOST_TEST(!sec.ids.consumer_tenant());
}

namespace {

// Pretty JSON without the white space between its tokens.
std::string compacted(std::string_view pretty) {
    std::string out;
    bool in_string = false;
    for (std::size_t i = 0; i < pretty.size(); ++i) {
        char c = pretty[i];
        if (in_string) {
            out.push_back(c);
            if (c == '\\' && i + 1 < pretty.size())
                out.push_back(pretty[++i]);
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
            out.push_back(c);
        } else if (c != ' ' && c != '\n') {
            out.push_back(c);
        }
    }
    return out;
}

}  // namespace

// A compact record says what the pretty one says, token for token (its hops
// are written after one room check, its security groups copied where the
// same header and value were written before): written again and again, the
// same text.
BOOST_AUTO_TEST_CASE(compact_record_is_the_pretty_one_without_spaces) {
    for (const char* name : {"demo-o365-relay.eml", "gmail-to-gmail.eml", "forwarded-as-attachment.eml",
                             "control-chars-hostile.eml", "bounce-exo-ndr-5750-unregistered-domain.eml"}) {
        Trace t = analysed(name);
        std::string pretty = compacted(trace_to_json(t, true));
        for (int round = 0; round < 3; ++round)
            BOOST_TEST(compacted(trace_to_json(t, false)) == pretty, name << " " << round);
    }
}

// With Microsoft 365's stamps cut, the first sender is Microsoft's own host:
// the Origin line says so instead of naming it where the message started.
BOOST_AUTO_TEST_CASE(origin_says_when_the_chain_starts_at_microsoft) {
    auto zone = DisplayZone::make("UTC");
    Trace cut = analysed("o365-stamps-cut.txt");
    std::string text = render_text(cut, TextStyle{false, true, *zone});
    BOOST_TEST(text.find("Origin     - (the first stamp's sender is Microsoft 365's own host ") != std::string::npos);
    BOOST_TEST(text.find(": where the message started is not in this header)") != std::string::npos);
    // No writer gives Microsoft's host as the origin: JSON's is empty, so the
    // audit groups it under no device.
    const std::string json = trace_to_json(cut, false);
    BOOST_TEST(json.find("\"origin\":{\"host\":null,\"ip\":null") != std::string::npos);
    // Spliced headers whose oldest Microsoft 365 stamp is not the first: the
    // first sender is a client of another provider, and no such note.
    auto spliced = analyse_message(
        "Received: from DM3NAM03FT035.eop-NAM03.prod.protection.outlook.com (2a01:111:f400:7e49::205) by\n"
        " CY4PR0601CA0051.outlook.office365.com (2603:10b6:910:89::28) with Microsoft SMTP Server\n"
        " (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P384) id 15.1.587.13 via Frontend\n"
        " Transport; Mon, 22 Aug 2016 14:23:00 +0000\n"
        "Received: from computer_3436 (unknown [43.230.105.145]) (Authenticated sender: ana@example.org)\n"
        "\tby omf06.b.hostedemail.example (Postfix) with ESMTPA; Mon, 22 Aug 2016 14:22:58 +0000 (UTC)\n"
        "From: ana@example.org\nTo: bo@example.net\nSubject: hi\nDate: Mon, 22 Aug 2016 14:22:57 +0000\n\nhi\n",
        RuleSet::builtin());
    BOOST_REQUIRE(spliced);
    BOOST_TEST(spliced->relay->reason == "no-microsoft-365-stamps");
    BOOST_TEST(render_text(*spliced, TextStyle{false, true, *zone}).find("Microsoft 365's own host") ==
               std::string::npos);
    Trace relayed = analysed("demo-o365-relay.eml");
    BOOST_TEST(render_text(relayed, TextStyle{false, true, *zone}).find("Microsoft 365's own host") ==
               std::string::npos);
}

// A bounce says "FAILED at" the server that refused the message, as the report
// names it (Remote-MTA, or the host its diagnostic names); a report that names
// neither says only who reported the failure.
BOOST_AUTO_TEST_CASE(bounce_headline_names_the_refusing_server_or_the_reporter) {
    auto report = [](const std::string& recipient_fields) {
        std::string m =
            "Received: from mx.example.net (mx.example.net [192.0.2.7]) by mail.example.org with ESMTP id 1A2B;\r\n"
            " Mon, 7 Dec 2026 05:00:00 +0000\r\n"
            "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\n"
            "To: ann@example.org\r\nSubject: Undelivered Mail Returned to Sender\r\n"
            "Date: Mon, 7 Dec 2026 05:00:00 +0000\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n"
            "--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
            "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
            "Reporting-MTA: dns; mx.example.net\r\n\r\n"
            "Final-Recipient: rfc822; bob@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n" +
            recipient_fields + "\r\n--b--\r\n";
        auto t = analyse_message(m, RuleSet::builtin());
        BOOST_REQUIRE(t);
        BOOST_REQUIRE(t->bounce);
        return bounce_headline(*t->bounce);
    };
    BOOST_TEST(report("Diagnostic-Code: smtp; 550 5.1.1 unknown user\r\n") ==
               "Delivery to bob@example.com FAILED, reported by mx.example.net (5.1.1)");
    BOOST_TEST(report("Remote-MTA: dns; mx1.example.com\r\nDiagnostic-Code: smtp; 550 5.1.1 unknown user\r\n") ==
               "Delivery to bob@example.com FAILED at mx1.example.com (5.1.1)");
    BOOST_TEST(report("Diagnostic-Code: smtp; host mx2.example.com[198.51.100.4] said: 550 5.1.1 unknown user\r\n") ==
               "Delivery to bob@example.com FAILED at mx2.example.com (5.1.1)");
}
