// Bounces read from the MIME tree: the shared collection's RFC 3464 reports
// give the status, reporting and remote MTA that SOURCES.tsv records, and
// their returned message; plain mail, read receipts and hostile reports are
// no bounce or a bounded one.
#define BOOST_TEST_MODULE bounce_reader
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "input/bounce_reader.hh"
#include "input/header_block.hh"
#include "test_support.hh"

using namespace hopscope;
namespace fs = std::filesystem;

namespace {

const fs::path kBounces = fs::path(HOPSCOPE_SHARED_DIR) / "corpus-ext" / "bounces";

std::vector<std::vector<std::string>> sources() {
    std::vector<std::vector<std::string>> rows;
    std::ifstream tsv(kBounces / "SOURCES.tsv");
    std::string line;
    std::getline(tsv, line);
    while (std::getline(tsv, line)) {
        std::vector<std::string> cells;
        std::stringstream row(line);
        for (std::string cell; std::getline(row, cell, '\t');) cells.push_back(cell);
        if (cells.size() >= 13) rows.push_back(cells);
    }
    return rows;
}

// The first word of a SOURCES.tsv cell ("mx4.example.org", or "-").
std::string first_word(const std::string& cell) {
    return cell.substr(0, cell.find(' '));
}

}  // namespace

BOOST_AUTO_TEST_CASE(shared_rfc3464_reports_are_read_as_sources_tsv_records) {
    if (!fs::exists(kBounces / "SOURCES.tsv")) {
        BOOST_TEST_MESSAGE("no shared bounces: skipped");
        return;
    }
    int reports = 0;
    int enclosed = 0;
    int text_bounces = 0;
    int text_recipients = 0;
    for (const auto& row : sources()) {
        std::string bytes = read_file((kBounces / row[0]).string());
        // Reports by their own Content-Type; the non-standard layouts (and a
        // bounce forwarded as text) come with their own readers.
        bool dsn = false;
        for (const auto& f : split_header_block(bytes).fields)
            if (iequals(f.name, "Content-Type")) dsn = may_be_report(unfold(f.raw));
        auto b = read_bounce(bytes);
        if (!dsn) {
            // Exim's and qmail's text bounces are read by their own words;
            // the other layouts (Microsoft's text NDR, Sendmail, Postfix as
            // text) are not yet, and nothing else is taken for a bounce.
            bool exim = bytes.find("created automatically by mail delivery software") != std::string::npos;
            bool qmail = bytes.find("This is the qmail-send program") != std::string::npos;
            if (exim || qmail) {
                BOOST_TEST_CONTEXT(row[0]) {
                    BOOST_REQUIRE(b);
                    BOOST_TEST(b->kind == (exim ? "exim" : "qmail"));
                    ++text_bounces;
                    text_recipients += b->recipients.empty() ? 0 : 1;
                }
            }
            continue;
        }
        BOOST_TEST_CONTEXT(row[0]) {
            BOOST_REQUIRE(b);
            ++reports;
            const std::string& status = row[9];
            // Microsoft's reports without a delivery-status part carry the status in text only.
            bool fields = !b->recipients.empty();
            if (fields && status.find('.') != std::string::npos && status.find(';') == std::string::npos) {
                bool seen = false;
                for (const auto& r : b->recipients) seen = seen || r.status.value_or("") == status;
                BOOST_TEST(seen, "status " << status);
            }
            std::string reporting = first_word(row[10]);
            if (reporting != "-" && b->reporting_mta) BOOST_TEST(*b->reporting_mta == reporting);
            std::string remote = first_word(row[11]);
            if (fields && remote != "-") {
                bool seen = false;
                for (const auto& r : b->recipients) seen = seen || r.remote_mta.value_or("") == remote;
                BOOST_TEST(seen, "remote MTA " << remote);
            }
            if (row[12].starts_with("yes")) {
                BOOST_TEST(b->original.has_value());
                enclosed += b->original ? 1 : 0;
            }
        }
    }
    BOOST_TEST_MESSAGE(reports << " RFC 3464 reports read, " << enclosed << " with their original; " << text_bounces
                               << " Exim/qmail text bounces, " << text_recipients << " with their recipients");
    BOOST_TEST(reports >= 40);
    BOOST_TEST(text_bounces >= 10);
    BOOST_TEST(text_recipients >= text_bounces - 2);
}

BOOST_AUTO_TEST_CASE(plain_mail_and_read_receipts_are_no_bounce) {
    BOOST_TEST(!read_bounce(read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/demo-o365-relay.eml")));
    std::string mdn =
        "From: a@example.org\nTo: b@example.org\nSubject: Read: x\nMIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=disposition-notification; boundary=\"b\"\n\n"
        "--b\nContent-Type: text/plain\n\nread\n--b\nContent-Type: message/disposition-notification\n\n"
        "Final-Recipient: rfc822; b@example.org\nDisposition: manual-action/MDN-sent-manually; displayed\n--b--\n";
    BOOST_TEST(!read_bounce(mdn));
    BOOST_TEST(!may_be_report("multipart/report; report-type=disposition-notification"));
    BOOST_TEST(may_be_report(" Multipart/Report; report-type=\"delivery-status\"; boundary=x"));
    BOOST_TEST(!read_bounce(""));
    BOOST_TEST(!read_bounce("\x00\xff garbage"));
}

BOOST_AUTO_TEST_CASE(hostile_reports_stay_bounded) {
    // A field of a megabyte is cut; a report nested in a report is read once;
    // a missing closing boundary still reads what is there.
    std::string big(1 << 20, 'x');
    std::string m =
        "From: MAILER-DAEMON@example.org\nMIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"o\"\n\n"
        "--o\nContent-Type: text/plain\n\nfailed\n"
        "--o\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
        "Final-Recipient: rfc822; x@example.net\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 " +
        big +
        "\n\n--o\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"i\"\n\n"
        "--i\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; inner.example\n\n";
    auto b = read_bounce(m);
    BOOST_REQUIRE(b);
    BOOST_TEST(*b->reporting_mta == "mx.example.org");
    BOOST_REQUIRE(b->recipients.size() == 1U);
    BOOST_TEST(b->recipients[0].diagnostic->size() <= 4096U);
    BOOST_TEST(*b->recipients[0].status == "5.1.1");
    // Thousands of parts: only the first few hundred are looked at.
    std::string many = "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"m\"\n\n";
    for (int i = 0; i < 5000; ++i) many += "--m\nContent-Type: text/plain\n\nx\n";
    many += "--m--\n";
    BOOST_TEST(!read_bounce(many));
}

BOOST_AUTO_TEST_CASE(qmail_and_exim_text_bounces) {
    std::string qmail =
        "From: MAILER-DAEMON@mx.example.net\nTo: dev@example.org\nSubject: failure notice\n\n"
        "Hi. This is the qmail-send program at mx.example.net.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n\n"
        "<ap@example.com>:\nRemote host said: 550 5.7.64 TenantAttribution; Relay Access Denied\n\n"
        "--- Below this line is a copy of the message.\n\n"
        "Received: from dev (dev.lan [10.0.0.9]) by mx.example.net; Mon, 2 Dec 2024 08:00:00 +0000\n"
        "Subject: test\n\nbody\n";
    auto q = read_bounce(qmail);
    BOOST_REQUIRE(q);
    BOOST_TEST(q->kind == "qmail");
    BOOST_TEST(*q->reporting_mta == "mx.example.net");
    BOOST_REQUIRE(q->recipients.size() == 1U);
    BOOST_TEST(*q->recipients[0].address == "ap@example.com");
    BOOST_TEST(*q->recipients[0].status == "5.7.64");
    BOOST_REQUIRE(q->original);
    BOOST_TEST(q->original->starts_with("Received: from dev"));
    std::string exim =
        "From: Mail Delivery System <Mailer-Daemon@relay.example.org>\nSubject: Mail delivery failed\n\n"
        "This message was created automatically by mail delivery software.\n\n"
        "A message that you sent could not be delivered to one or more of its\n"
        "recipients. This is a permanent error. The following address(es) failed:\n\n"
        "  ap@example.com\n    host example-com.mail.protection.outlook.com [52.101.1.2]\n"
        "    SMTP error from remote mail server after RCPT TO:<ap@example.com>:\n"
        "    550 5.7.64 TenantAttribution; Relay Access Denied\n\n"
        "------ This is a copy of the message, including all the headers. ------\n\n"
        "Received: from scanner ([10.0.0.5]) by relay.example.org with esmtp; Mon, 2 Dec 2024 08:00:00 +0000\n"
        "Subject: scan\n\n";
    auto e = read_bounce(exim);
    BOOST_REQUIRE(e);
    BOOST_TEST(e->kind == "exim");
    BOOST_REQUIRE(e->recipients.size() == 1U);
    BOOST_TEST(*e->recipients[0].status == "5.7.64");
    BOOST_TEST(*e->recipients[0].remote_mta == "example-com.mail.protection.outlook.com");
    BOOST_TEST(e->original.has_value());
    // Words alone do not make a bounce.
    BOOST_TEST(!read_bounce("From: a@example.org\nSubject: delivery\n\nYour parcel delivery is late.\n"));
}
