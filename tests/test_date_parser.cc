#define BOOST_TEST_MODULE date_parser
#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>

#include "date_parser.hh"
#include "test_support.hh"

using namespace hopscope;

namespace {

struct Case {
    const char* text;
    const char* want_utc;      // nullptr: time must be null
    const char* want_anomaly;  // nullptr: no anomaly
};

const Case kCases[] = {
    {"Tue, 14 May 2024 09:12:03 +0200", "2024-05-14T07:12:03Z", nullptr},
    {"Tue,  6 Apr 2021 14:13:19 +0200 (CEST)", "2021-04-06T12:13:19Z", nullptr},
    {"14 May 2024 09:12:03 +0200", "2024-05-14T07:12:03Z", nullptr},  // no weekday
    {"  Fri, 01 Dec 2017   07:53:58   -0800 (PST)", "2017-12-01T15:53:58Z", nullptr},
    {"Thu, 6 Dec 2001 09:21:07 GMT", "2001-12-06T09:21:07Z", nullptr},
    {"Thu, 6 Dec 2001 09:21:07 UT", "2001-12-06T09:21:07Z", nullptr},
    {"Thu, 6 Dec 2001 09:21:07 Z", "2001-12-06T09:21:07Z", nullptr},
    {"Thu, 6 Dec 2001 09:21:07 EST", "2001-12-06T14:21:07Z", nullptr},
    {"Thu, 6 Jun 2001 09:21:07 EDT", "2001-06-06T13:21:07Z", nullptr},
    {"Thu, 6 Dec 2001 09:21:07 CST", "2001-12-06T15:21:07Z", nullptr},
    {"Thu, 6 Jun 2001 09:21:07 CDT", "2001-06-06T14:21:07Z", nullptr},
    {"Thu, 6 Dec 2001 09:21:07 MST", "2001-12-06T16:21:07Z", nullptr},
    {"Thu, 6 Jun 2001 09:21:07 MDT", "2001-06-06T15:21:07Z", nullptr},
    {"Thu, 6 Dec 2001 09:21:07 PST", "2001-12-06T17:21:07Z", nullptr},
    {"Thu, 6 Jun 2001 09:21:07 PDT", "2001-06-06T16:21:07Z", nullptr},
    {"Thu, 6 Dec 2001 09:21:07 -0000", "2001-12-06T09:21:07Z", nullptr},
    {"Thu, 6 Dec 01 09:21:07 +0000", "2001-12-06T09:21:07Z", nullptr},  // two-digit year
    {"Fri, 6 Dec 99 09:21:07 +0000", "1999-12-06T09:21:07Z", nullptr},
    {"Tue, 6 Apr 2021 14:13:19 CEST", "2021-04-06T12:13:19Z", nullptr},  // mapped by us
    {"Tue, 6 Apr 2021 14:13:19 MSK", "2021-04-06T11:13:19Z", nullptr},
    {"Tue Apr  6 14:13:19 2021", "2021-04-06T14:13:19Z", "missing-zone"},  // ctime
    {"Wed, 19 Jun 2002 20:50:49", "2002-06-19T20:50:49Z", "missing-zone"},
    {"Tue, 6 Apr 2021 14:13:19 XYZT", "2021-04-06T14:13:19Z", "unknown-zone"},
    {"2021-04-06 14:13:19 +0200", "2021-04-06T12:13:19Z", nullptr},
    {"2021-04-06T14:13:19Z", "2021-04-06T14:13:19Z", nullptr},
    {"Tue, 6 Apr 2021 14:13:19 +9900", nullptr, "unparsable-date"},
    {"", nullptr, "missing-date"},
    {"(just a comment)", nullptr, "missing-date"},
    {"yesterday afternoon", nullptr, "unparsable-date"},
    {"Tue, 6 Foo 2021 14:13:19 +0000", nullptr, "unparsable-date"},
    {"Mon, 1 Jan 1969 00:00:00 +0000", "1969-01-01T00:00:00Z", "implausible-date"},
    {"Mon, 1 Jan 1900 00:00:00 +0000", nullptr, "unparsable-date"},  // GMime reads no year before 1901
    {"1 Jan 9999 23:59:59 +0000", "9999-01-01T23:59:59Z", "implausible-date"},
    {"1 Jan 10000 00:00:00 +0000", nullptr, "unparsable-date"},
    {"1 Jan 2024 25:00:00 +0000", nullptr, "unparsable-date"},
};

}  // namespace

BOOST_AUTO_TEST_CASE(date_table) {
    for (const auto& c : kCases) {
        BOOST_TEST_CONTEXT(c.text) {
            auto d = parse_date(c.text);
            std::optional<std::string> got;
            if (d.time) got = format_utc(*d.time);
            std::optional<std::string> want;
            if (c.want_utc != nullptr) want = c.want_utc;
            BOOST_TEST(got == want);
            if (c.want_anomaly == nullptr) {
                BOOST_TEST(d.anomalies.empty());
            } else {
                BOOST_REQUIRE(!d.anomalies.empty());
                BOOST_TEST(d.anomalies.front().kind == c.want_anomaly);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(anomaly_quotes_the_text) {
    auto d = parse_date("sometime next week");
    BOOST_TEST(d.anomalies.at(0).detail.find("sometime next week") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(format_utc_is_iso) {
    BOOST_TEST(format_utc(0) == "1970-01-01T00:00:00Z");
}
