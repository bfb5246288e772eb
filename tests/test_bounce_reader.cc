// Bounces: the shared collection's 74 reports (72 bounces and 2 delay
// warnings, in reports and prose layouts) give the status, reporting and
// remote MTA that SOURCES.tsv records, and their returned message traced;
// notifications of success and delay are no bounce; plain mail, read
// receipts and hostile reports are no bounce or a bounded one.
#define BOOST_TEST_MODULE bounce_reader
#include <boost/test/unit_test.hpp>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "chain/trace_builder.hh"
#include "classify/bounce_analysis.hh"
#include "classify/hop_classifier.hh"
#include "classify/message_analysis.hh"
#include "classify/status_codes.hh"
#include "input/bounce_reader.hh"
#include "input/header_block.hh"
#include "input/text_bounce.hh"
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

// The leading number of a SOURCES.tsv cell ("3 (folded lines lost
// indentation)" gives 3), or -1.
int leading_number(const std::string& cell) {
    if (cell.empty() || cell[0] < '0' || cell[0] > '9') return -1;
    return std::stoi(cell);
}

// The number in the parentheses of "yes (3)" / "inline qmail copy (4)", or -1.
int number_in_parentheses(const std::string& cell) {
    auto open = cell.find('(');
    if (open == std::string::npos || open + 1 >= cell.size()) return -1;
    return leading_number(cell.substr(open + 1));
}

bool same_host(std::string_view a, std::string_view b) {
    while (!a.empty() && a.back() == '.') a.remove_suffix(1);
    while (!b.empty() && b.back() == '.') b.remove_suffix(1);
    return iequals(a, b);
}

}  // namespace

// Every one of the 74 shared reports (RFC 3464 reports, Microsoft's NDRs
// in five languages, Exchange 5.5/2003, Exim, qmail, Postfix, Sendmail,
// Gmail, DragonFly, appliance notices) through the whole pipeline: a bounce,
// or a delay warning when its own words say so (an "Action: delayed" report,
// Gmail's "has been delayed"), with the status, reporting MTA and remote MTA
// SOURCES.tsv records where it records them, and its original traced with
// the hop count recorded.
BOOST_AUTO_TEST_CASE(every_shared_bounce_is_read_as_sources_tsv_records) {
    if (!fs::exists(kBounces / "SOURCES.tsv")) {
        BOOST_TEST_MESSAGE("no shared bounces: skipped");
        return;
    }
    const auto rules = RuleSet::builtin();
    int bounces = 0;
    int delays = 0;
    int statuses = 0;
    int remotes = 0;
    int reportings = 0;
    int originals = 0;
    for (const auto& row : sources()) {
        const std::string bytes = read_file((kBounces / row[0]).string());
        auto trace = build_trace(split_header_block(bytes));
        BOOST_TEST_CONTEXT(row[0]) {
            BOOST_REQUIRE(trace.has_value());
            classify(*trace, rules);
            analyse_bounce(*trace, bytes, rules);
            std::string lower = bytes;
            for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            const bool delay = lower.find("\naction: delayed") != std::string::npos ||
                               lower.find("delivery to the following recipient has been delayed") != std::string::npos;
            if (delay) {
                BOOST_REQUIRE_MESSAGE(trace->notification, "a delay warning not taken for one");
                BOOST_TEST(!trace->bounce);
                BOOST_TEST(trace->notification->action.value_or("") == "delayed");
                ++delays;
            } else {
                BOOST_REQUIRE_MESSAGE(trace->bounce, "not taken for a bounce");
                BOOST_TEST(!trace->notification);
                ++bounces;
            }
            const Bounce& b = delay ? *trace->notification : *trace->bounce;
            const BounceReport& r = b.report;
            // Status: the first code of the cell ("5.1.1;5.2.2" lists two recipients'); "none (...)": no code.
            const std::string& status = row[9];
            if (status.starts_with("none")) {
                BOOST_TEST(!b.status.has_value());
                ++statuses;
            } else if (status != "-") {
                std::string want = status.substr(0, status.find_first_of("; "));
                bool seen = b.status.value_or("") == want;
                for (const auto& x : r.recipients) seen = seen || x.status.value_or("") == want;
                BOOST_TEST(seen, "status " << want << ", read " << b.status.value_or("none"));
                ++statuses;
            }
            // Reporting MTA: any host the cell names ("a / b (unknown MTA)").
            if (row[10] != "-") {
                std::string got = r.reporting_mta.value_or(r.generating_server.value_or(""));
                bool seen = false;
                std::stringstream words(row[10]);
                for (std::string w; words >> w;) seen = seen || same_host(w, got);
                BOOST_TEST(seen, "reporting MTA " << row[10] << ", read " << got);
                ++reportings;
            }
            // Remote MTA: the first word of the cell.
            std::string remote = first_word(row[11]);
            if (remote != "-") {
                bool seen = same_host(b.server.value_or(""), remote);
                for (const auto& x : r.recipients) seen = seen || same_host(x.remote_mta.value_or(""), remote);
                BOOST_TEST(seen, "remote MTA " << remote << ", read " << b.server.value_or("none"));
                ++remotes;
            }
            // The original: enclosed ("yes: message/rfc822") with its Received
            // count, else inline ("yes (3)", "inline qmail copy (4)").
            int hops = -1;
            if (row[12].starts_with("yes"))
                hops = leading_number(row[13]);
            else if (row.size() > 14 && (row[14].starts_with("yes") || row[14].starts_with("inline")))
                hops = number_in_parentheses(row[14]);
            // Failed or still waiting, the returned message was not delivered.
            for (const auto& o : b.original) BOOST_TEST(o.undelivered);
            if (hops >= 0) {
                BOOST_REQUIRE_MESSAGE(!b.original.empty(), "no original traced");
                BOOST_TEST(static_cast<int>(b.original.front().hops.size()) == hops, "hops of the original");
                ++originals;
            }
        }
    }
    BOOST_TEST_MESSAGE(bounces << " bounces, " << delays << " delay warnings; checked " << statuses << " statuses, "
                               << reportings << " reporting MTAs, " << remotes << " remote MTAs, " << originals
                               << " originals");
    BOOST_TEST(bounces == 72);
    BOOST_TEST(delays == 2);
    BOOST_TEST(statuses >= 40);
    BOOST_TEST(originals >= 40);
}

// corpus-ext/general: exactly the messages whose Content-Type is a
// delivery-status report are bounces or notifications, and a notification
// exactly when no Action of its report says failed; a read receipt (MDN)
// and everything else are neither.
BOOST_AUTO_TEST_CASE(general_corpus_bounces_are_exactly_its_delivery_reports) {
    const fs::path general = fs::path(HOPSCOPE_SHARED_DIR) / "corpus-ext" / "general";
    if (!fs::exists(general)) {
        BOOST_TEST_MESSAGE("no shared general corpus: skipped");
        return;
    }
    const auto rules = RuleSet::builtin();
    int reports = 0;
    int notifications = 0;
    int checked = 0;
    for (const auto& e : fs::recursive_directory_iterator(general)) {
        if (!e.is_regular_file() || e.path().filename().string().starts_with(".")) continue;
        const std::string bytes = read_file(e.path().string());
        auto trace = build_trace(split_header_block(bytes));
        if (!trace) continue;
        classify(*trace, rules);
        analyse_bounce(*trace, bytes, rules);
        std::string lower = bytes;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        bool report = lower.find("report-type=delivery-status") != std::string::npos ||
                      lower.find("report-type=\"delivery-status\"") != std::string::npos;
        // A notification: every Action line of the report says other than failed.
        bool actions = false;
        bool failed = false;
        for (std::size_t at = lower.find("\naction:"); at != std::string::npos; at = lower.find("\naction:", at + 1)) {
            std::string word = lower.substr(at + 8, lower.find('\n', at + 1) - at - 8);
            word.erase(0, word.find_first_not_of(' '));
            actions = true;
            failed = failed || !(word.starts_with("delayed") || word.starts_with("delivered") ||
                                 word.starts_with("relayed") || word.starts_with("expanded"));
        }
        const bool notification = report && actions && !failed;
        BOOST_TEST_CONTEXT(e.path().string()) {
            BOOST_TEST(static_cast<bool>(trace->bounce) == (report && !notification));
            BOOST_TEST(static_cast<bool>(trace->notification) == notification);
        }
        reports += report ? 1 : 0;
        notifications += notification ? 1 : 0;
        ++checked;
    }
    BOOST_TEST_MESSAGE(checked << " messages, " << reports << " delivery reports, " << notifications
                               << " notifications");
    BOOST_TEST(reports == 18);
    BOOST_TEST(notifications == 4);
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

// Gmail's legacy notice of its own mailbox store's refusal: "Technical
// details of permanent failure:" and the reason, kept without the space
// the lines were joined with.
BOOST_AUTO_TEST_CASE(gmail_legacy_technical_details) {
    std::string gmail =
        "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: a@example.net\n"
        "Subject: Delivery Status Notification (Failure)\nContent-Type: text/plain; charset=UTF-8\n\n"
        "Delivery to the following recipient failed permanently:\n\n     user@example.com\n\n"
        "Technical details of permanent failure: \nStorage quota exceeded\n\n----- Original message -----\n";
    auto g = read_bounce(gmail);
    BOOST_REQUIRE(g);
    BOOST_REQUIRE_EQUAL(g->recipients.size(), 1U);
    BOOST_TEST(*g->recipients[0].address == "user@example.com");
    BOOST_REQUIRE(g->recipients[0].diagnostic);
    BOOST_TEST(*g->recipients[0].diagnostic == "Storage quota exceeded");
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
    // A local delivery: the file it was saved to, the address that led
    // there under it, and the error.
    auto local = read_bounce(
        "From: Mail Delivery System <Mailer-Daemon@mx.example.org>\nSubject: Mail delivery failed\n\n"
        "This message was created automatically by mail delivery software.\n\n"
        "A message that you sent could not be delivered to one or more of its\n"
        "recipients. This is a permanent error. The following address(es) failed:\n\n"
        "  save to /var/mail/spool/ana\n    generated by ana@example.org\n"
        "    mailbox is full: retry timeout exceeded\n\n"
        "------ This is a copy of the message, including all the headers. ------\n\n");
    BOOST_REQUIRE(local);
    BOOST_REQUIRE(local->recipients.size() == 1U);
    BOOST_TEST(local->recipients[0].address.value_or("") == "ana@example.org");
    BOOST_TEST(local->recipients[0].diagnostic.value_or("") == "mailbox is full: retry timeout exceeded");
    // Words alone do not make a bounce.
    BOOST_TEST(!read_bounce("From: a@example.org\nSubject: delivery\n\nYour parcel delivery is late.\n"));
}

// A security gateway's own notice: Mimecast's text/plain layout, no report
// part and no Reporting-MTA; the refusing server is in brackets after the reply.
BOOST_AUTO_TEST_CASE(mimecast_gateway_notice) {
    auto m = read_bounce(read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/bounce-mimecast-gateway-541.eml"));
    BOOST_REQUIRE(m);
    BOOST_TEST(m->kind == "mimecast");
    BOOST_TEST(!m->reporting_mta);
    BOOST_REQUIRE(m->recipients.size() == 1U);
    BOOST_TEST(*m->recipients[0].address == "j.doe@fabrikam.example");
    BOOST_TEST(*m->recipients[0].status == "5.4.1");
    BOOST_TEST(*m->recipients[0].remote_mta == "AM0PR04MB6466.eurprd04.prod.outlook.com");
    BOOST_TEST(*m->recipients[0].action == "failed");
    // Two recipients, the lead unwrapped, no bracketed host.
    auto two = read_bounce(
        "From: postmaster@example.org\nSubject: [Postmaster] Email Delivery Failure\n\n"
        "An email that you attempted to send to the following address could not be delivered:\n"
        "-- a@example.net\n-- b@example.net\n\nThe problem appears to be :\n-- Mailbox full\n");
    BOOST_REQUIRE(two);
    BOOST_TEST(two->kind == "mimecast");
    BOOST_TEST(two->recipients.size() == 2U);
    BOOST_TEST(!two->recipients[1].remote_mta);
}

// Exchange Online's "Message expired" NDR quotes its last attempt at the
// destination under its own result: kept apart, never the diagnostic.
BOOST_AUTO_TEST_CASE(microsoft_ndr_last_attempt) {
    auto m =
        read_bounce(read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/bounce-exo-ndr-5-4-316-connection-refused.eml"));
    BOOST_REQUIRE(m);
    BOOST_REQUIRE(m->recipients.size() == 1U);
    const auto& r = m->recipients[0];
    BOOST_TEST(*r.status == "5.4.316");
    BOOST_TEST(r.diagnostic->starts_with("550 5.4.316 Message expired"));
    BOOST_REQUIRE(r.last_attempt_server);
    BOOST_TEST(*r.last_attempt_server == "mx1.wingtip-supply.example (203.0.113.25)");
    BOOST_TEST(r.last_attempt_result->starts_with("450 4.4.316 Connection refused"));
    // Prose alone: the earlier attempt does not replace the final result.
    auto text = read_bounce(
        "From: postmaster@example.org\nSubject: Undeliverable: x\n\n"
        "Diagnostic information for administrators:\n\nGenerating server: AM9PR06MB7745.eurprd06.prod.outlook.com\n"
        "Receiving server: AM9PR06MB7745.eurprd06.prod.outlook.com\n\nuser@example.net\n"
        "1/1/2025 9:00:00 AM - Server at AM9PR06MB7745.eurprd06.prod.outlook.com returned '550 5.4.312 Message "
        "expired, DNS query failed(InfoNoRecords)'\n"
        "1/1/2025 8:50:00 AM - Server at example.net returned '450 4.4.312 DNS query failed "
        "[Message=InfoNoRecords]'\n");
    BOOST_REQUIRE(text);
    BOOST_REQUIRE(text->recipients.size() == 1U);
    BOOST_TEST(text->recipients[0].diagnostic->starts_with("550 5.4.312"));
    BOOST_TEST(*text->recipients[0].status == "5.4.312");
    BOOST_TEST(*text->recipients[0].last_attempt_server == "example.net");
    // Every line about the receiving server (a delay notice): no last attempt.
    auto delayed = read_bounce(read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/notification-exo-delayed-4-4-1.eml"));
    BOOST_REQUIRE(delayed);
    for (const auto& x : delayed->recipients) BOOST_TEST(!x.last_attempt_server);
}

// The prose readers on hostile text: bounded recipients and fields, no
// quadratic walk, a forwarded report read at most two levels down.
BOOST_AUTO_TEST_CASE(prose_layouts_are_bounded) {
    std::string many = "Diagnostic information for administrators:\n\nGenerating server: x.example.com\n\n";
    for (int i = 0; i < 100000; ++i) many += "user" + std::to_string(i) + "@example.com\n";
    BounceReport r;
    BOOST_TEST(read_microsoft_ndr(many, r));
    BOOST_TEST(r.recipients.size() <= 200U);
    std::string exim = "This message was created automatically by mail delivery software.\n\n  a@b.example\n    " +
                       std::string(1 << 20, 'x') + " 550 5.1.1\n";
    BounceReport e;
    BOOST_TEST(read_text_bounce(exim, e));
    BOOST_TEST(e.kind == "exim");
    BOOST_REQUIRE(!e.recipients.empty());
    BOOST_TEST(e.recipients[0].diagnostic->size() <= kMaxBounceField);
    std::string qmail = "Hi. This is the qmail-send program at q.example.\n";
    for (int i = 0; i < 50000; ++i)
        qmail += "<a" + std::to_string(i) + "@b.example>:\nx failed after I sent the message.\n\n";
    BounceReport q;
    BOOST_TEST(read_text_bounce(qmail, q));
    BOOST_TEST(q.recipients.size() <= 200U);
    // A report forwarded as text, quoted under six forwards: found by one linear search.
    std::string inner =
        "From: MAILER-DAEMON@m.example\nSubject: Undelivered Mail\nMIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n--b\n"
        "Content-Type: message/delivery-status\n\nReporting-MTA: dns; m.example\n\nFinal-Recipient: rfc822; "
        "x@y.example\n"
        "Action: failed\nStatus: 5.1.1\n--b--\n";
    std::string message = inner;
    for (int level = 0; level < 6; ++level)
        message =
            "From: a@b.example\nSubject: Fwd: Undelivered Mail\nContent-Type: text/plain\n\n---------\n" + message;
    BOOST_TEST(read_bounce(message).has_value());
    std::string once = "From: a@b.example\nSubject: Fwd: bounce\nContent-Type: text/plain\n\n---------\n" + inner;
    auto b = read_bounce(once);
    BOOST_REQUIRE(b.has_value());
    BOOST_TEST(b->recipients.at(0).status.value_or("") == "5.1.1");
}

// Inputs the bounce_text fuzzer once broke on (tools/fuzz/regressions/bounce-text-*).
BOOST_AUTO_TEST_CASE(bounce_text_fuzz_regressions_replay) {
    const fs::path dir = fs::path(HOPSCOPE_CORPUS_DIR) / ".." / "tools" / "fuzz" / "regressions";
    int replayed = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (!e.path().filename().string().starts_with("bounce-text-")) continue;
        const std::string bytes = read_file(e.path().string());
        BounceReport microsoft;
        BounceReport prose;
        (void)read_microsoft_ndr(bytes, microsoft);
        (void)read_text_bounce(bytes, prose);
        for (const auto* r : {&microsoft, &prose})
            for (const auto& x : r->recipients)
                BOOST_TEST(x.diagnostic.value_or("").size() <= kMaxBounceField, e.path().filename().string());
        (void)read_bounce(bytes);
        ++replayed;
    }
    BOOST_TEST(replayed >= 1);
}

// Microsoft's labels in Spanish and German (the shared collection has French
// and Italian): the generating server, the recipient, the refusing server,
// the status and the inline original are read the same way.
BOOST_AUTO_TEST_CASE(microsoft_ndr_in_spanish_and_german) {
    const std::string spanish =
        "No se pudo entregar a estos destinatarios o grupos:\n\nventas@contoso.example\n\n"
        "Información de diagnóstico para administradores:\n\nServidor de generación: "
        "AM0PR04MB1234.eurprd04.prod.outlook.com\n\nventas@contoso.example\ncontoso-example.mail.protection.outlook."
        "com\n"
        "Remote Server returned '550 5.7.64 TenantAttribution; Relay Access Denied'\n\n"
        "Encabezados originales del mensaje:\n\nReceived: from relay.fabrikam.example (203.0.113.9) by\n"
        "AM0PR04MB1234.eurprd04.prod.outlook.com with Microsoft SMTP Server; Tue, 3 Jun 2025 10:00:01 +0000\n"
        "Subject: Escaneo\n";
    const std::string german =
        "Diagnoseinformationen für Administratoren:\n\nGenerierender Server: EXCH01.adatum.example\n\n"
        "buchhaltung@adatum.example\nRemote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound'\n\n"
        "Ursprüngliche Nachrichtenkopfzeilen:\n\nReceived: from a.adatum.example by EXCH01.adatum.example; Tue, 3 Jun "
        "2025 10:00:01 +0000\n";
    for (const auto& [text, server, status, recipient] :
         {std::tuple{spanish, "AM0PR04MB1234.eurprd04.prod.outlook.com", "5.7.64", "ventas@contoso.example"},
          std::tuple{german, "EXCH01.adatum.example", "5.1.10", "buchhaltung@adatum.example"}}) {
        BounceReport r;
        BOOST_TEST_CONTEXT(server) {
            BOOST_REQUIRE(read_microsoft_ndr(text, r));
            BOOST_TEST(r.kind == "microsoft-ndr");
            BOOST_TEST(r.generating_server.value_or("") == server);
            BOOST_REQUIRE(r.recipients.size() == 1U);
            BOOST_TEST(r.recipients[0].address.value_or("") == recipient);
            BOOST_TEST(r.recipients[0].status.value_or("") == status);
            BOOST_TEST(r.original.has_value());
            BOOST_TEST(r.original_kind == "inline");
        }
    }
}

// Each recipient's outcome: its Action (RFC 3464), the first word of it
// (Sendmail writes "relayed (to non-DSN-aware mailer)"), else its status class.
BOOST_AUTO_TEST_CASE(recipient_outcome_by_action_then_status_class) {
    struct Case {
        std::optional<std::string> action;
        std::optional<std::string> status;
        std::string_view want;
    };
    const std::vector<Case> cases = {
        {"failed", "5.7.64", "failed"},
        {"Failed", "4.4.7", "failed"},  // expired: a failure whatever its class
        {"delayed", "4.7.500", "delayed"},
        {"delivered", "2.0.0", "delivered"},
        {"relayed", "2.0.0", "relayed"},
        {"expanded", "2.0.0", "expanded"},
        {"relayed (to non-DSN-aware mailer)", "2.0.0", "relayed"},
        {"delivered (to mailing list)", "2.0.0", "delivered"},
        {std::nullopt, "2.1.5", "delivered"},
        {std::nullopt, "4.2.2", "delayed"},
        {std::nullopt, "5.1.1", "failed"},
        {"xxxxxx", "5.0.0", "failed"},
        {std::nullopt, std::nullopt, "failed"},
    };
    for (const auto& c : cases) {
        BounceRecipient r;
        r.action = c.action;
        r.status = c.status;
        BOOST_TEST(recipient_outcome(r) == c.want, c.action.value_or("no action")
                                                       << " " << c.status.value_or("no status") << ": got "
                                                       << recipient_outcome(r) << ", want " << c.want);
    }
    BOOST_TEST(is_success_action("relayed"));
    BOOST_TEST(!is_success_action("delayed"));
    BOOST_TEST(!is_success_action("failed"));
    BOOST_TEST(notification_note("relayed") == "success; the destination sends no notification of its own");
}

// Last-Attempt-Date and Will-Retry-Until: read per recipient as written, and
// said with their distance from the arrival; a last attempt at the arrival
// itself and a retry limit of a recipient no longer being tried say nothing.
BOOST_AUTO_TEST_CASE(attempt_dates_are_read_and_said_from_the_arrival) {
    const std::string report =
        "From: MAILER-DAEMON@mx.example.org\nTo: a@example.net\nSubject: Delayed Mail\nMIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n--b\n"
        "Content-Type: text/plain\n\nStill trying.\n\n--b\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.example.org\nArrival-Date: Tue, 19 Aug 2025 06:02:11 +0200\n\n"
        "Final-Recipient: rfc822; f@example.com\nAction: delayed\nStatus: 4.4.1\n"
        "Last-Attempt-Date: Tue, 19 Aug 2025 10:02:11 +0200\nWill-Retry-Until: Sun, 24 Aug 2025 06:02:11 +0200\n\n"
        "Final-Recipient: rfc822; g@example.com\nAction: failed\nStatus: 5.1.1\n"
        "Last-Attempt-Date: Tue, 19 Aug 2025 06:02:20 +0200\nWill-Retry-Until: Sun, 24 Aug 2025 06:02:11 +0200\n"
        "\n--b--\n";
    auto b = read_bounce(report);
    BOOST_REQUIRE(b);
    BOOST_REQUIRE_EQUAL(b->recipients.size(), 2U);
    const auto& delayed = b->recipients[0];
    BOOST_TEST(delayed.last_attempt_date.value_or("") == "Tue, 19 Aug 2025 10:02:11 +0200");
    BOOST_TEST(delayed.will_retry_until.value_or("") == "Sun, 24 Aug 2025 06:02:11 +0200");
    BOOST_TEST(attempt_words(delayed, b->arrival_date) ==
               "last attempt Tue, 19 Aug 2025 10:02:11 +0200, 4h 00m 00s after the message arrived; it goes on trying "
               "until Sun, 24 Aug 2025 06:02:11 +0200, 5d 00h 00m after the message arrived");
    BOOST_TEST(attempt_words(b->recipients[1], b->arrival_date).empty());
    // Without an arrival to count from, the dates alone.
    BOOST_TEST(attempt_words(delayed, std::nullopt) ==
               "last attempt Tue, 19 Aug 2025 10:02:11 +0200; it goes on trying until Sun, 24 Aug 2025 06:02:11 +0200");
}

// The corpus' notifications: each is no bounce, with the action its name
// says and, for the relayed ones, the server it was relayed to; the mixed
// report is a bounce that lists its relayed recipient too.
BOOST_AUTO_TEST_CASE(corpus_notifications_and_the_mixed_report) {
    struct Case {
        std::string file;
        std::string action;
        std::string server;
        std::optional<bool> traversed;  // the returned message's relay verdict
    };
    const std::vector<Case> cases = {
        {"notification-exo-relayed-to-gmail.eml", "relayed", "mx.google.com", true},
        {"notification-exo-fr-relayed.eml", "relayed", "mx.google.com", true},
        {"notification-exo-delivered-mailbox.eml", "delivered", "AM8PR04MB7762.eurprd04.prod.outlook.com", true},
        {"notification-postfix-relayed-to-eop-2-6-0.eml", "relayed", "contoso-example.mail.protection.outlook.com",
         false},
        {"notification-postfix-expanded-alias.eml", "expanded", "mail.adatum.example", false},
        {"notification-exo-delayed-4-4-1.eml", "delayed", "mail.fabrikam-supplier.example", true},
        {"notification-postfix-delayed-4750-access-denied.eml", "delayed",
         "relecloud-example.mail.protection.outlook.com", false},
    };
    const auto rules = RuleSet::builtin();
    for (const auto& c : cases) {
        const std::string bytes = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/" + c.file);
        auto trace = build_trace(split_header_block(bytes));
        BOOST_TEST_CONTEXT(c.file) {
            BOOST_REQUIRE(trace.has_value());
            classify(*trace, rules);
            analyse_bounce(*trace, bytes, rules);
            BOOST_TEST(!trace->bounce);
            BOOST_REQUIRE(trace->notification);
            const Bounce& n = *trace->notification;
            BOOST_TEST(n.action.value_or("") == c.action);
            BOOST_TEST(n.server.value_or("") == c.server);
            BOOST_REQUIRE(!n.original.empty());
            BOOST_REQUIRE(n.original.front().relay.has_value());
            BOOST_TEST(n.original.front().relay->traversed == *c.traversed);
            BOOST_TEST(n.explanation.has_value());
        }
    }
    // A delay whose report names no Remote-MTA: the message waits at the
    // reporting server, which is no remote server.
    {
        const std::string bytes = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/notification-iis-delayed-4-4-7.eml");
        auto trace = build_trace(split_header_block(bytes));
        BOOST_REQUIRE(trace.has_value());
        classify(*trace, rules);
        analyse_bounce(*trace, bytes, rules);
        BOOST_REQUIRE(trace->notification);
        BOOST_TEST(!trace->notification->server);
        BOOST_TEST(trace->notification->report.reporting_mta.value_or("") == "relay01.fabrikam.example");
    }
    // 2.x.x is never "Other or undefined status".
    for (std::string_view code : {"2.0.0", "2.1.5", "2.6.0", "2.4.0", "2.1.1"}) {
        auto m = explain_status(code);
        BOOST_REQUIRE(m.has_value());
        BOOST_TEST(m->explanation.starts_with("Success"), code << ": " << m->explanation);
    }
    const std::string mixed = read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/bounce-sendmail-mixed-failed-relayed.eml");
    auto trace = build_trace(split_header_block(mixed));
    BOOST_REQUIRE(trace.has_value());
    classify(*trace, rules);
    analyse_bounce(*trace, mixed, rules);
    BOOST_REQUIRE(trace->bounce);
    BOOST_TEST(!trace->notification);
    BOOST_TEST(trace->bounce->status.value_or("") == "5.7.64");
    BOOST_REQUIRE(trace->bounce->report.recipients.size() == 2U);
    BOOST_TEST(recipient_outcome(trace->bounce->report.recipients[1]) == "relayed");
}

// The prose notices, read without a report part (forwarded, pasted, or
// written as text): each recipient with the action its words say.
BOOST_AUTO_TEST_CASE(prose_notices_of_success_and_delay) {
    struct Case {
        std::string name;
        std::string text;
        std::string kind;
        std::string address;
        std::string action;
    };
    const std::vector<Case> cases = {
        {"microsoft delivered",
         "Your message has been delivered to the following recipients:\n\nAccounts Payable "
         "(ap@fabrikam.example)<mailto:ap@fabrikam.example>\n\nSubject: Scanned document\n",
         "microsoft-notification", "ap@fabrikam.example", "delivered"},
        {"microsoft relayed",
         "Delivery to these recipients or groups is complete, but no delivery notification was sent by the "
         "destination server:\n\npartner.ops@gmail.com (partner.ops@gmail.com)<mailto:partner.ops@gmail.com>\n\n"
         "Subject: test\n",
         "microsoft-notification", "partner.ops@gmail.com", "relayed"},
        {"microsoft delayed, with the administrators' section",
         "Delivery is delayed to these recipients or groups:\n\nq@fabrikam.example (q@fabrikam.example)<mailto:"
         "q@fabrikam.example>\n\nSubject: x\n\nThis message hasn't been delivered yet. Delivery will continue to be "
         "attempted.\n\nDiagnostic information for administrators:\n\nGenerating server: VI1PR08MB5326.eurprd08.prod."
         "outlook.com\n\nq@fabrikam.example\nRemote Server at mail.fabrikam.example (192.0.2.45) returned '400 4.4.7 "
         "Message delayed'\n",
         "microsoft-ndr", "q@fabrikam.example", "delayed"},
        {"postfix delayed",
         "This is the mail system at host mx.example.org.\n\n####\n# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO "
         "RESEND YOUR MESSAGE. #\n####\n\n<f@example.net>: host mx.example.net[192.0.2.1] said: 451 4.7.500 "
         "Server busy\n",
         "postfix", "f@example.net", "delayed"},
        {"postfix success",
         "This is the mail system at host relay.example.org.\n\nYour message was successfully delivered to the "
         "destination(s)\nlisted below.\n\n<f@example.net>: delivery via mx.example.net[192.0.2.1]:25: 250 2.0.0 "
         "Ok\n",
         "postfix", "f@example.net", "relayed"},
        {"sendmail success",
         "   ----- The following addresses had successful delivery notifications -----\n"
         "<a@example.org>  (successfully delivered to mailbox)\n\n   ----- Transcript of session follows -----\n"
         "<a@example.org>... Successfully delivered\n",
         "sendmail", "a@example.org", "delivered"},
        {"sendmail transient",
         "   ----- The following addresses had transient non-fatal errors -----\n<b@example.org>\n\n"
         "   ----- Transcript of session follows -----\n<b@example.org>... Deferred: Connection timed out\n",
         "sendmail", "b@example.org", "delayed"},
        {"exim delay warning",
         "This message was created automatically by mail delivery software.\nA message that you sent has not yet "
         "been delivered to one or more of its\nrecipients after more than 24 hours on the queue on mx.example.com."
         "\n\nThe address to which the message has not yet been delivered is:\n\n  k@example.co.jp\n    host "
         "mta.example.co.jp [192.0.2.222]\n    Delay reason: SMTP error from remote mail server after RCPT TO:\n"
         "    451 4.7.1 try again later\n\nNo action is required on your part.\n",
         "exim", "k@example.co.jp", "delayed"},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.name) {
            BounceReport r;
            BOOST_REQUIRE(read_microsoft_ndr(c.text, r) || read_text_bounce(c.text, r));
            BOOST_TEST(r.kind == c.kind);
            BOOST_REQUIRE(!r.recipients.empty());
            BOOST_TEST(r.recipients[0].address.value_or("") == c.address);
            BOOST_TEST(recipient_outcome(r.recipients[0]) == c.action);
        }
    }
    // A failed Exim bounce stays failed; a Sendmail bounce's failed recipient too.
    BounceReport exim;
    BOOST_REQUIRE(
        read_text_bounce("This message was created automatically by mail delivery software.\n\n"
                         "  a@b.example\n    550 5.1.1 unknown\n",
                         exim));
    BOOST_TEST(recipient_outcome(exim.recipients.at(0)) == "failed");
}

// A notice that names no recipient is still a notice, never a bounce.
BOOST_AUTO_TEST_CASE(notices_without_recipients_stay_notices) {
    for (std::string text :
         {std::string("Your message has been delivered to the following recipients:\n\nSubject: x\n"),
          std::string("This is the mail system at host m.example.\n\n# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO "
                      "RESEND YOUR MESSAGE. #\n"),
          std::string("This message was created automatically by mail delivery software.\nA message that you sent "
                      "has not yet been delivered to one or more of its\nrecipients after more than 24 hours.\n"),
          std::string("Delivery is delayed to these recipients or groups:\n\nDiagnostic information for "
                      "administrators:\n\nGenerating server: A.example.com\n")}) {
        BounceReport r;
        BOOST_REQUIRE(read_microsoft_ndr(text, r) || read_text_bounce(text, r));
        BOOST_REQUIRE_MESSAGE(!r.recipients.empty(), text);
        BOOST_TEST(!r.recipients[0].address.has_value());
        BOOST_TEST(recipient_outcome(r.recipients[0]) != "failed", text);
    }
}

// A code the remote server's own reply carries is that server's: Microsoft's
// meaning of 5.1.8 (an account blocked for spam) holds only where Microsoft
// 365 gave it; Exchange Online reporting another server's 5.1.8 gives RFC
// 3463's.
BOOST_AUTO_TEST_CASE(status_meanings_follow_who_gave_the_code) {
    auto dsn = [](const std::string& remote, const std::string& diagnostic, const std::string& status = "5.1.8") {
        return "From: postmaster@contoso.com\nTo: a@contoso.com\nSubject: Undeliverable: x\nMIME-Version: 1.0\n"
               "Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\n"
               "Content-Type: text/plain\n\nDelivery has failed.\n--b\nContent-Type: message/delivery-status\n\n"
               "Reporting-MTA: dns;SG2APC01HT040.mail.protection.outlook.com\n\n"
               "Final-Recipient: rfc822;x@example.jp\nAction: failed\nStatus: " +
               status + "\nDiagnostic-Code: smtp;" + diagnostic + "\nRemote-MTA: dns;" + remote + "\n\n--b--\n";
    };
    const auto rules = RuleSet::builtin();
    auto bounce_of = [&](const std::string& bytes) {
        auto trace = build_trace(split_header_block(bytes));
        BOOST_REQUIRE(trace.has_value());
        classify(*trace, rules);
        analyse_bounce(*trace, bytes, rules);
        BOOST_REQUIRE(trace->bounce);
        return *trace->bounce;
    };
    auto explain = [&](const std::string& bytes) { return bounce_of(bytes).explanation.value_or(""); };
    BOOST_TEST(explain(dsn("nijo.example.jp", "501 5.1.8 Sender address rejected")).starts_with("Bad sender's system"));
    BOOST_TEST(explain(dsn("SG2APC01HT040.mail.protection.outlook.com", "550 5.1.8 Access denied, bad outbound sender"))
                   .starts_with("Access denied, bad outbound sender"));
    // Exchange Online advice only for Exchange Online's own 5.7.1.
    auto hint = [&](const std::string& bytes) { return bounce_of(bytes).hint; };
    BOOST_TEST(!hint(dsn("mx1.example.eu", "550 5.7.1 Client host rejected: policy", "5.7.1")));
    // The reply's own words say more than its code: a block list.
    const auto listed = dsn("mx1.example.eu", "550 5.7.1 Client host blocked using cbl.abuseat.org", "5.7.1");
    BOOST_TEST(explain(listed).find("block list") != std::string::npos);
    BOOST_TEST(hint(listed).value_or("").find("connector") == std::string::npos);
    BOOST_TEST(bounce_of(listed).status.value_or("") == "5.7.1");
    BOOST_TEST(hint(dsn("contoso-com.mail.protection.outlook.com", "550 5.7.1 Service unavailable", "5.7.1"))
                   .value_or("")
                   .find("connector") != std::string::npos);
    // Gmail's 5.7.26 names the one check that failed: that one, with what to do.
    const auto spf = dsn("gmail-smtp-in.l.google.com",
                         "550-5.7.26 The MAIL FROM domain [email.example.jp] has an SPF record with a hard fail "
                         "policy (-all) but it fails to pass SPF checks with the ip: [203.0.113.22]",
                         "5.7.26");
    BOOST_TEST(explain(spf).starts_with("The receiving server refused the message because it failed SPF"));
    BOOST_TEST(hint(spf).value_or("").find("SPF record") != std::string::npos);
    const auto dmarc = dsn("gmail-smtp-in.l.google.com",
                           "550-5.7.26 Unauthenticated email from libsisimai.org is not accepted due to 550-5.7.26 "
                           "domain's DMARC policy.",
                           "5.7.26");
    BOOST_TEST(explain(dmarc).starts_with("The receiving server refused the message because it failed DMARC"));
    // A provider's own server on the block list (the report is the
    // provider's): the sender cannot delist it.
    std::string by_provider = listed;
    by_provider.replace(by_provider.find("SG2APC01HT040.mail.protection.outlook.com"),
                        std::string_view("SG2APC01HT040.mail.protection.outlook.com").size(), "mail-pf1-f170.google.com");
    BOOST_TEST(hint(by_provider).value_or("").starts_with("The listed address is a sending server of the provider, Google"));
    BOOST_TEST(hint(listed).value_or("").starts_with("Look the sending server's public IP up"));
    // A reply that names no check keeps the code's meaning.
    BOOST_TEST(explain(dsn("mx.example.net", "550 5.7.26 Message rejected", "5.7.26")).starts_with("Multiple"));
    // A reply whose words say otherwise than its code: the words first,
    // then what the code alone would mean.
    const auto unknown = explain(dsn("mx.example.jp", "550 5.2.1 <x@example.jp>... User Unknown", "5.2.1"));
    BOOST_TEST(unknown.starts_with("The receiving server's reply says the recipient's address is unknown"));
    BOOST_TEST(unknown.find("Its code alone, 5.2.1, would mean: Mailbox disabled") != std::string::npos);
    // The same words under a code that says so already keep the code's row;
    // about the sender's address they are not the recipient's.
    BOOST_TEST(explain(dsn("mx.example.jp", "550 5.1.1 <x@example.jp>: User unknown", "5.1.1"))
                   .starts_with("Bad destination mailbox address"));
    BOOST_TEST(explain(dsn("mx.example.jp", "553 5.7.1 <a@b.example>: Sender address rejected: User unknown", "5.7.1"))
                   .find("recipient's address is unknown") == std::string::npos);
}

// The returned headers under the nonstandard message/rfc822-headers, and a
// report part that names no recipient beside Postfix prose that does.
BOOST_AUTO_TEST_CASE(report_variants_keep_what_they_say) {
    const std::string head =
        "From: MAILER-DAEMON@relay.example.org (Mail Delivery System)\nTo: ops@example.org\n"
        "Subject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B1\"\n\n"
        "--B1\nContent-Type: text/plain\n\nThis is the mail system at host relay.example.org.\n\n"
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients. It's attached below.\n\n"
        "                   The mail system\n\n"
        "<bob@example.net>: host mx.example.net[192.0.2.9] said: 550 5.1.1 <bob@example.net>:\n"
        "    Recipient address rejected: User unknown (in reply to RCPT TO command)\n\n"
        "--B1\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; relay.example.org\n\n";
    auto headers_part =
        read_bounce(head +
                    "Final-Recipient: rfc822; bob@example.net\nAction: failed\nStatus: 5.1.1\n\n"
                    "--B1\nContent-Type: message/rfc822-headers\n\n"
                    "Received: from a.example.org by relay.example.org; Wed, 15 May 2024 10:00:00 +0000\n"
                    "Subject: hello\n\n--B1--\n");
    BOOST_REQUIRE(headers_part);
    BOOST_TEST(headers_part->original.has_value());
    auto mangled = read_bounce(head + "Content-Transfer-Encoding: base64\n\nRmluYWwtUmVjaXBpZW50Cg==\n\n--B1--\n");
    BOOST_REQUIRE(mangled);
    BOOST_REQUIRE(mangled->recipients.size() == 1U);
    BOOST_TEST(mangled->recipients.front().address == "bob@example.net");
    BOOST_TEST(mangled->kind == "dsn");
}

// Microsoft 365 names its own servers at the end of its replies: a refusal
// by a server the report names only by an address outside the ranges we
// know is Microsoft 365's all the same.
BOOST_AUTO_TEST_CASE(a_refusal_whose_reply_names_microsoft_365s_servers) {
    auto bounce = [](std::string_view diagnostic) {
        return "From: MAILER-DAEMON@relay.example.jp\nTo: a@example.jp\nSubject: Undelivered Mail\n"
               "Date: Mon, 26 May 2025 07:22:30 +0900\nMIME-Version: 1.0\n"
               "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B1\"\n\n"
               "--B1\nContent-Type: text/plain\n\nThis is the mail system at host relay.example.jp.\n\n"
               "--B1\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; relay.example.jp\n\n"
               "Final-Recipient: rfc822; b@example.onmicrosoft.com\nAction: failed\nStatus: 5.7.515\n"
               "Remote-MTA: dns; 203.0.113.25\nDiagnostic-Code: smtp; " +
               std::string(diagnostic) +
               "\n\n--B1\nContent-Type: text/rfc822-headers\n\n"
               "Received: from pc.example.jp (pc.example.jp [10.0.0.5]) by relay.example.jp (Postfix) with ESMTP "
               "id 4A1; Mon, 26 May 2025 07:22:20 +0900\nFrom: a@example.jp\nSubject: hello\n\n--B1--\n";
    };
    auto t = analyse_message(bounce("550 5.7.515 Access denied, sending domain EXAMPLE.JP doesn't meet the required "
                                    "authentication level. [TY0PR01MB1234.jpnprd01.prod.outlook.com "
                                    "2025-05-25T22:22:22.000Z 08DD9AB1]"),
                             RuleSet::builtin());
    BOOST_REQUIRE(t);
    BOOST_REQUIRE(t->bounce);
    BOOST_REQUIRE(!t->bounce->original.empty());
    BOOST_REQUIRE(t->bounce->original.front().relay);
    BOOST_TEST(t->bounce->original.front().relay->reason == "refused-by-microsoft-365");
    auto other = analyse_message(bounce("550 5.7.1 Access denied [mx.example.net 2025-05-25T22:22:22.000Z]"),
                                 RuleSet::builtin());
    BOOST_REQUIRE(other);
    BOOST_TEST(other->bounce->original.front().relay->reason == "no-microsoft-365");
}

// Sendmail keeps only the first line of a multi-line reply in
// Diagnostic-Code; the transcript beside it has the rest.
BOOST_AUTO_TEST_CASE(a_multiline_reply_is_read_whole_from_the_transcript) {
    auto dsn = [](std::string_view transcript) {
        return read_bounce(
            "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.jp>\nTo: a@example.jp\n"
            "Subject: Returned mail: see transcript for details\nMIME-Version: 1.0\n"
            "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B1\"\n\n"
            "--B1\nContent-Type: text/plain\n\n   ----- Transcript of session follows -----\n"
            "... while talking to gmail-smtp-in.l.google.com.:\n>>> DATA\n" +
            std::string(transcript) +
            "\n--B1\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.jp\n\n"
            "Final-Recipient: RFC822; b@example.com\nAction: failed\nStatus: 5.7.26\n"
            "Diagnostic-Code: SMTP; 550-5.7.26 The MAIL FROM domain [example.jp] has an SPF record with a hard "
            "fail\n\n--B1--\n");
    };
    auto whole =
        dsn("<<< 550-5.7.26 The MAIL FROM domain [example.jp] has an SPF record with a hard fail\n"
            "<<< 550-5.7.26 policy (-all) but it fails to pass SPF checks with the ip:\n"
            "<<< 550 5.7.26 [203.0.113.22]. q2.22 - gsmtp\n"
            "554 5.0.0 Service unavailable\n");
    BOOST_REQUIRE(whole);
    BOOST_TEST(whole->recipients.at(0).diagnostic.value_or("") ==
               "550 5.7.26 The MAIL FROM domain [example.jp] has an SPF record with a hard fail policy (-all) but "
               "it fails to pass SPF checks with the ip: [203.0.113.22]. q2.22 - gsmtp");
    // Without the transcript's lines, the first line as the report gave it.
    auto alone = dsn("554 5.0.0 Service unavailable\n");
    BOOST_REQUIRE(alone);
    BOOST_TEST(alone->recipients.at(0).diagnostic.value_or("") ==
               "550-5.7.26 The MAIL FROM domain [example.jp] has an SPF record with a hard fail");
}

// Exchange 2010's NDR prose (as Outlook keeps it in PR_BODY): the code on a
// "#550 5.1.1 ... ##" line under the address.
BOOST_AUTO_TEST_CASE(exchange_2010_prose_gives_the_code_under_the_address) {
    auto b = read_bounce(
        "From: postmaster@contoso.example\nSubject: Undeliverable: test\nContent-Type: text/plain\n\n"
        "Delivery has failed to these recipients or groups:\n\nana@contoso.example\n"
        "The e-mail address you entered couldn't be found. Please check the\n"
        "recipient's e-mail address and try to resend the message.\n\n\n"
        "Diagnostic information for administrators:\n\nGenerating server: contoso.example\n\n"
        "ana@contoso.example\n#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##\n\n"
        "Original message headers:\n\nReceived: from a.example (192.0.2.1) by exchange.contoso.example;"
        " Mon, 11 May 2015 04:02:14 -0500\nSubject: test\n");
    BOOST_REQUIRE(b);
    BOOST_REQUIRE(b->recipients.size() == 1U);
    BOOST_TEST(b->recipients.front().status.value_or("") == "5.1.1");
    BOOST_TEST(b->recipients.front().diagnostic.value_or("") == "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found");
}

// The original's headers in the prose, where line wrapping left a fold of
// white space alone (a DKIM signature's, with CRLF): the block goes on past
// it; an empty line still ends it.
BOOST_AUTO_TEST_CASE(the_originals_headers_go_on_past_a_bare_fold) {
    auto b = read_bounce(
        "From: postmaster@contoso.example\nSubject: Undeliverable: test\nContent-Type: text/plain\n\n"
        "Delivery has failed to these recipients or groups:\n\nana@contoso.example\n\n"
        "Diagnostic information for administrators:\n\nGenerating server: contoso.example\n\n"
        "ana@contoso.example\n#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##\n\n"
        "Original message headers:\n\nReceived: from a.example (192.0.2.1) by exchange.contoso.example;"
        " Mon, 11 May 2015 04:02:14 -0500\r\nDKIM-Signature: v=1; b=OuXHNaJolrLppBdQ\r\n \r\nA4wvXMOWEnsA==\r\n"
        "Subject: test subj\r\nDate: Mon, 11 May 2015 12:02:13 +0300\r\n\r\nNot a header: the end\n");
    BOOST_REQUIRE(b);
    BOOST_REQUIRE(b->original.has_value());
    BOOST_TEST(b->original->find("Subject: test subj") != std::string::npos, *b->original);
    BOOST_TEST(b->original->find("Date: Mon, 11 May 2015") != std::string::npos);
    BOOST_TEST(b->original->find("Not a header") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(original_recipient_is_kept_only_where_the_sender_wrote_another_address) {
    auto report = [](std::string_view recipient_fields) {
        return "From: MAILER-DAEMON@mx.example.net\nTo: jane@example.org\nSubject: Undelivered Mail\nMIME-Version: "
               "1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n--b\n"
               "Content-Type: text/plain\n\nNot delivered.\n--b\nContent-Type: message/delivery-status\n\n"
               "Reporting-MTA: dns; mx.example.net\n\n" +
               std::string(recipient_fields) + "Action: failed\nStatus: 5.1.1\n--b--\n";
    };
    // An alias rewrote the address: both are said, in the text too.
    auto aliased = read_bounce(
        report("Final-Recipient: rfc822; j.doe@mail.example.net\nOriginal-Recipient: rfc822;info@example.net\n"));
    BOOST_TEST_REQUIRE(aliased.has_value());
    BOOST_TEST_REQUIRE(aliased->recipients.size() == 1U);
    BOOST_TEST(aliased->recipients[0].address.value_or("") == "j.doe@mail.example.net");
    BOOST_TEST(aliased->recipients[0].original.value_or("") == "info@example.net");
    BOOST_TEST(recipient_words(aliased->recipients[0]) == "j.doe@mail.example.net (the sender wrote info@example.net)");
    // The same address (in another case or in brackets) is said once.
    auto same = read_bounce(
        report("Original-Recipient: rfc822;<Info@Example.net>\nFinal-Recipient: rfc822; info@example.net\n"));
    BOOST_TEST_REQUIRE(same.has_value());
    BOOST_TEST(!same->recipients[0].original.has_value());
    BOOST_TEST(recipient_words(same->recipients[0]) == "info@example.net");
    // A local delivery's file: the original address is the recipient, not said twice.
    auto pipe =
        read_bounce(report("Final-Recipient: X-Unix; /var/mail/info\nOriginal-Recipient: rfc822; info@example.net\n"));
    BOOST_TEST_REQUIRE(pipe.has_value());
    BOOST_TEST(pipe->recipients[0].address.value_or("") == "info@example.net");
    BOOST_TEST(!pipe->recipients[0].original.has_value());
}

// "Final-Recipient: RFC822; <u@ci.com>" names u@ci.com: the brackets are
// not part of the address scripts match on.
BOOST_AUTO_TEST_CASE(a_recipient_in_angle_brackets_is_its_address) {
    std::string dsn =
        "From: MAILER-DAEMON@mta.example.com\nTo: a@example.net\nSubject: Returned mail\n"
        "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n"
        "--b\nContent-Type: text/plain\n\nundeliverable\n\n--b\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mta.example.com\n\nFinal-Recipient: RFC822; <u@ci.example>\n"
        "Original-Recipient: rfc822;u@ci.example\nAction: failed\nStatus: 5.3.0\nDiagnostic-Code: SMTP; \n\n--b--\n";
    auto b = read_bounce(dsn);
    BOOST_REQUIRE(b);
    BOOST_REQUIRE_EQUAL(b->recipients.size(), 1U);
    BOOST_TEST(*b->recipients[0].address == "u@ci.example");
    BOOST_TEST(!b->recipients[0].original);
    BOOST_TEST(!b->recipients[0].diagnostic);  // an empty Diagnostic-Code says nothing
}
