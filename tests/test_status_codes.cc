// Enhanced status codes: finding one in a diagnostic and what it means,
// from the compiled-in table (analyzer/data/status-codes.txt).
#define BOOST_TEST_MODULE status_codes
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "classify/status_codes.hh"

using namespace hopscope;

BOOST_AUTO_TEST_CASE(finds_the_code_in_a_diagnostic) {
    BOOST_TEST(find_status_code("550 5.7.64 TenantAttribution; Relay Access Denied").value() == "5.7.64");
    BOOST_TEST(find_status_code("smtp; 550-5.1.1 The email account that you tried to reach does not exist").value() ==
               "5.1.1");
    BOOST_TEST(
        find_status_code("Remote Server returned '550 5.4.1 Recipient address rejected: Access denied.'").value() ==
        "5.4.1");
    BOOST_TEST(find_status_code("451 4.7.500 Server busy. Please try again later. (AS123)").value() == "4.7.500");
    BOOST_TEST(find_status_code("Status: 5.0.0").value() == "5.0.0");
    BOOST_TEST(find_status_code("ends the sentence with 4.4.7.").value() == "4.4.7");
    BOOST_TEST(!find_status_code("version 15.20.7982.16, id 2.1.5.7.1"));  // versions, not codes
    BOOST_TEST(!find_status_code("at 12.34.56.78 from 10.5.7.64"));
    BOOST_TEST(!find_status_code("3.1.1 is not a class"));
    BOOST_TEST(!find_status_code("5.7.6442 too long"));
    BOOST_TEST(!find_status_code(""));
}

BOOST_AUTO_TEST_CASE(relay_codes_have_explanations_and_hints) {
    for (const char* code : {"5.7.64", "5.7.51", "5.7.54", "5.7.57", "5.7.708", "5.7.750", "5.7.509", "5.7.515",
                             "5.4.1", "5.4.14", "4.4.7"}) {
        auto m = explain_status(code);
        BOOST_REQUIRE_MESSAGE(m, code);
        BOOST_TEST(m->matched == code);
        BOOST_TEST(!m->explanation.empty());
        BOOST_TEST(!m->hint.empty(), code);
        BOOST_TEST(!m->source.empty());
    }
    auto tenant = explain_status("5.7.64");
    BOOST_TEST(tenant->hint.find("TlsSenderCertificateName") != std::string_view::npos);
    BOOST_TEST(explain_status("5.7.57")->hint.find("SMTP AUTH") != std::string_view::npos);
    BOOST_TEST(explain_status("5.7.51")->explanation.find("RestrictDomainsToIPAddresses") != std::string_view::npos);
}

// A code with a Microsoft row and an RFC 3463 row of its own: Microsoft's
// label (QUEUE.Expired) only where Microsoft gave the code.
BOOST_AUTO_TEST_CASE(microsoft_labels_only_for_microsoft_codes) {
    auto ms = explain_status("4.4.7", true);
    auto other = explain_status("4.4.7", false);
    BOOST_REQUIRE(ms && other);
    BOOST_TEST(ms->explanation.find("QUEUE.Expired") != std::string_view::npos);
    BOOST_TEST(other->explanation.find("QUEUE.Expired") == std::string_view::npos);
    BOOST_TEST(other->explanation.find("expired") != std::string_view::npos);
    BOOST_TEST(other->source == "[RFC3463]");
}

// Exchange Online's own expiry codes, left out of Microsoft's table: what
// failed (a refused connection, a DNS query), not "permanent failure".
BOOST_AUTO_TEST_CASE(exchange_online_expiry_codes) {
    auto refused = explain_status("5.4.316", true);
    auto dns = explain_status("5.4.312", true);
    BOOST_REQUIRE(refused && dns);
    BOOST_TEST(refused->matched == "5.4.316");
    BOOST_TEST(refused->explanation.find("refused") != std::string_view::npos);
    BOOST_TEST(dns->explanation.find("DNS") != std::string_view::npos);
    BOOST_TEST(refused->source == "[MS-OBS]");
    BOOST_TEST(explain_status("4.4.316", true)->explanation.find("keeps trying") != std::string_view::npos);
}

BOOST_AUTO_TEST_CASE(ranges_generic_codes_and_classes) {
    auto banned = explain_status("5.7.612");
    BOOST_REQUIRE(banned);
    BOOST_TEST(banned->matched == "5.7.606-649");
    BOOST_TEST(explain_status("4.7.650")->matched == "4.7.500-699");
    BOOST_TEST(explain_status("5.7.650")->matched == "5");  // past both ranges, no generic row: the class
    BOOST_TEST(explain_status("5.1.1")->matched == "x.1.1");
    BOOST_TEST(explain_status("4.2.2")->matched == "x.2.2");
    BOOST_TEST(explain_status("5.9.99")->matched == "5");
    BOOST_TEST(explain_status("4.9.99")->explanation.find("transient") != std::string_view::npos);
    BOOST_TEST(explain_status(" 5.7.64 ")->code == "5.7.64");
    BOOST_TEST(explain_status("5.07.064")->code == "5.7.64");
    BOOST_TEST(!explain_status("3.1.1"));
    BOOST_TEST(!explain_status("5.7"));
    BOOST_TEST(!explain_status("five"));
}

// A success is explained by its own row or its class, never by a
// class-independent row written for failures ("Other or undefined status",
// "Bad destination mailbox address").
BOOST_AUTO_TEST_CASE(successes_are_never_explained_as_failures) {
    struct Case {
        const char* code;
        const char* matched;
    };
    for (const auto& c : {Case{"2.0.0", "2.0.0"}, Case{"2.1.5", "2.1.5"}, Case{"2.6.0", "2.6.0"}, Case{"2.1.1", "2"},
                          Case{"2.4.0", "2"}, Case{"2.7.0", "2"}}) {
        auto m = explain_status(c.code);
        BOOST_REQUIRE_MESSAGE(m, c.code);
        BOOST_TEST(m->matched == c.matched, c.code << ": got " << m->matched << ", want " << c.matched);
        BOOST_TEST(m->explanation.starts_with("Success"), c.code << ": " << m->explanation);
    }
    // A delay's own rows, and the class-independent ones still answer 4.x.x.
    BOOST_TEST(explain_status("4.4.1")->matched == "4.4.1");
    BOOST_TEST(explain_status("4.7.1")->matched == "4.7.1");
    BOOST_TEST(explain_status("4.4.3")->matched == "x.4.3");
}

BOOST_AUTO_TEST_CASE(every_row_cites_a_source) {
    std::string_view text = status_codes_text();
    std::size_t rows = 0;
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        if (line.empty() || line.front() == '#') continue;
        ++rows;
        BOOST_TEST(line.find("| [") != std::string_view::npos, line);
    }
    BOOST_TEST(rows > 40U);
}

// Every status the shared bounce collection's SOURCES.tsv names has a
// meaning (skipped without ../shared).
BOOST_AUTO_TEST_CASE(every_shared_bounce_status_is_explained) {
    std::ifstream tsv(std::string(HOPSCOPE_SHARED_DIR) + "/corpus-ext/bounces/SOURCES.tsv");
    if (!tsv) {
        BOOST_TEST_MESSAGE("no shared bounces: skipped");
        return;
    }
    std::string line;
    int checked = 0;
    std::getline(tsv, line);  // the header
    while (std::getline(tsv, line)) {
        std::vector<std::string> cells;
        std::stringstream row(line);
        for (std::string cell; std::getline(row, cell, '\t');) cells.push_back(cell);
        if (cells.size() < 10) continue;
        std::stringstream statuses(cells[9]);  // "5.1.1;5.2.2", "-", "none (...)"
        for (std::string status; std::getline(statuses, status, ';');) {
            auto code = find_status_code(status);
            if (!code) continue;
            BOOST_TEST(explain_status(*code).has_value(), cells[0] << " " << *code);
            ++checked;
        }
    }
    BOOST_TEST(checked >= 40);
}

// Microsoft's own meaning of a code holds where Microsoft 365 gave it; from
// another server the code means what RFC 3463 says.
BOOST_AUTO_TEST_CASE(microsoft_meanings_only_from_microsoft) {
    auto ms = explain_status("5.1.8");
    BOOST_REQUIRE(ms);
    BOOST_TEST(ms->matched == "5.1.8");
    auto other = explain_status("5.1.8", false);
    BOOST_REQUIRE(other);
    BOOST_TEST(other->matched == "x.1.8");
    BOOST_TEST(std::string(other->explanation).find("sender's system address") != std::string::npos);
    // A code only Microsoft uses keeps its meaning whoever reports it.
    auto banned = explain_status("5.7.606", false);
    BOOST_REQUIRE(banned);
    BOOST_TEST(banned->matched == "5.7.606-649");
    // A row Microsoft and the RFC both cite stays, without its Exchange Online advice.
    BOOST_TEST(explain_status("4.4.7", false)->matched == "4.4.7");
    BOOST_TEST(explain_status("5.7.1", false)->hint.empty());
    BOOST_TEST(!explain_status("5.7.1")->hint.empty());
    BOOST_TEST(!banned->hint.empty());
}
