#define BOOST_TEST_MODULE date_parser
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "parse/date_parser.hh"
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
    // Fractional seconds, as SendGrid's ismtpd writes them: read as midnight before.
    {"Thu, 05 Dec 2019 03:30:12.201 +0000 (UTC)", "2019-12-05T03:30:12Z", nullptr},
    {"Thu, 05 Dec 2019 03:30:12.201345 -0500", "2019-12-05T08:30:12Z", nullptr},
    {"Thu, 05 Dec 2019 03:30:12. +0000", nullptr, "unparsable-date"},
    {"Thu, 05 Dec 2019 03:30.5 +0000", nullptr, "unparsable-date"},
    // Go's time.String(), as SendGrid's filter stamps write it.
    {"2019-12-05 03:30:12.278306733 +0000 UTC m=+25522.916850060", "2019-12-05T03:30:12Z", nullptr},
    {"2019-12-05 03:30:12 +0000 UTC", "2019-12-05T03:30:12Z", nullptr},
    {"2019-12-05 03:30:12 +0000 and then some words", nullptr, "unparsable-date"},
    // Never a time from a date read in part.
    {"Thu, 05 Dec 2019 3:3O:12 +0000", nullptr, "unparsable-date"},
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
    // Zone names in any case (RFC 5322 section 4.3), as old mailers wrote them.
    {"Tue, 28 May 1996 12:24:23 cst", "1996-05-28T18:24:23Z", nullptr},
    {"Thu, 6 Dec 2001 09:21:07 pst", "2001-12-06T17:21:07Z", nullptr},
    {"Thu, 6 Dec 2001 09:21:07 Gmt", "2001-12-06T09:21:07Z", nullptr},
    {"Tue, 6 Apr 2021 14:13:19 cest", "2021-04-06T12:13:19Z", nullptr},
    {"Tue, 6 Apr 2021 14:13:19 MSK", "2021-04-06T11:13:19Z", nullptr},
    {"Tue Apr  6 14:13:19 2021", "2021-04-06T14:13:19Z", "missing-zone"},  // ctime
    {"Wed, 19 Jun 2002 20:50:49", "2002-06-19T20:50:49Z", "missing-zone"},
    {"Tue, 6 Apr 2021 14:13:19 XYZT", "2021-04-06T14:13:19Z", "unknown-zone"},
    // A 12-hour clock: AM/PM is the hour, not a zone.
    {"28 Nov 10 11:59:06 PM", "2010-11-28T23:59:06Z", "missing-zone"},
    {"Sun, 28 Nov 2010 12:05:00 AM -0500", "2010-11-28T05:05:00Z", nullptr},
    {"Sun, 28 Nov 2010 12:05:00 pm +0100", "2010-11-28T11:05:00Z", nullptr},
    {"Sun, 28 Nov 2010 11:05:00 PM EST", "2010-11-29T04:05:00Z", nullptr},
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

// The allocation-free reader must give the general (GMime) reader's answer on
// every text it accepts, and leave the rest to it. Mutations of real stamps
// walk the edges: days past month end, leap days, zone bounds, stray text.
BOOST_AUTO_TEST_CASE(canonical_reader_agrees_with_general_reader) {
    const char* bases[] = {
        "Tue, 14 May 2024 09:12:03 +0200",
        "14 May 2024 09:12:03 -0730",
        "Thu, 29 Feb 2024 23:59:59 +1400",
        "Fri, 29 Feb 2023 10:00:00 +0000",
        "Mon, 31 Apr 2024 10:00:00 +0000",
        "Mon, 1 Jan 1980 00:00:00 +0000",
        "Sat, 31 Dec 2100 23:59:59 -2359",
        "Wed, 19 Jun 2002 20:50:49 -0000 (UTC)",
        "Tue,  6 Apr 2021 14:13:19 +0200 (CEST)",
        "Tue, 6 Apr 2021 14:13 +0200",
        "tue, 06 APR 2021 14:13:19 +0200",
        "Tue 6 Apr 2021 14:13:19 +0200",
        "Tue, 6 Apr 2021 14:13:60 +0200",
        "Tue, 6 Apr 2021 24:00:00 +0200",
        "Tue, 6 Apr 2021 14:13:19 +0260",
        "Tue, 6 Apr 2021 14:13:19 +0200 x",
        "Tue, 6 Apr 2021 14:13:19 +0200 (a) (b)",
        "Tue, 6 Aprl 2021 14:13:19 +0200",
        "Tue, 6 Apr 21 14:13:19 +0200",
        "Tue, 6 Apr 1979 14:13:19 +0200",
        "Tue, 6 Apr 2101 14:13:19 +0200",
        "Tue, 0 Apr 2021 14:13:19 +0200",
        "Tue, 6 Apr 2021 14:13:19.5 +0200",
        "Tue, 6 Apr 2021 14:13:19 +02000",
        "Xyz, 6 Apr 2021 14:13:19 +0200",
        "Tue, 6 Apr 2021 14:13:19 GMT",
        "\t Tue,\t6 Apr 2021\r\n 14:13:19 +0200 ",
        "Tue, 6 Apr 2021 14:13:19 +0200 (unclosed",
        // found by fuzz_date: GMime needs the spaces between the parts
        "1Jan2001 14:15-0800",
        "1 Jan2001 14:15 -0800",
        "1 Jan 2001 14:15-0800",
        "Mon,1 Jan 2001 14:15 -0800",
        "1 Jan 200114:15 -0800",
    };
    int accepted = 0;
    for (const char* b : bases) {
        BOOST_TEST_CONTEXT(b) {
            auto fast = parse_canonical_date(b);
            auto general = parse_date_general(b);
            if (fast) {
                ++accepted;
                BOOST_TEST(general.anomalies.empty());
                BOOST_TEST((general.time ? format_utc(*general.time) : "null") == format_utc(*fast));
            }
            auto full = parse_date(b);
            BOOST_TEST((full.time ? format_utc(*full.time) : "null") ==
                       (general.time ? format_utc(*general.time) : "null"));
            BOOST_TEST(full.anomalies.size() == general.anomalies.size());
        }
    }
    BOOST_TEST(accepted >= 10);  // the fast path really is taken
    // Every day of a leap and a common year, every hour of zone offsets.
    static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (int year : {2023, 2024, 2000, 2100}) {
        for (const char* month : kMonths) {
            for (int d = 1; d <= 32; ++d) {
                std::string text = std::to_string(d) + " " + month + " " + std::to_string(year) + " " +
                                   (d % 24 < 10 ? "0" : "") + std::to_string(d % 24) +
                                   ":07:" + (d * 7 % 60 < 10 ? "0" : "") + std::to_string(d * 7 % 60) + " " +
                                   (d % 2 != 0 ? "+" : "-") + (d % 14 < 10 ? "0" : "") + std::to_string(d % 14) + "30";
                auto fast = parse_canonical_date(text);
                auto general = parse_date_general(text);
                BOOST_TEST_CONTEXT(text) {
                    BOOST_TEST(fast.has_value() == (general.time.has_value() && general.anomalies.empty()));
                    if (fast && general.time) BOOST_TEST(*fast == *general.time);
                }
            }
        }
    }
}

namespace {
// Dates in the fixed layout from the parts given, picked at random (a
// reproducible sequence), fields out of range now and then, and one byte in
// five texts out of place.
struct RandomDates {
    std::vector<const char*> days, months, zones, tails;
    std::uint32_t seed;
    std::uint32_t next(std::uint32_t n) {
        seed = seed * 1103515245U + 12345U;
        return (seed >> 16) % n;
    }
    std::string operator()() {
        char buf[64];
        unsigned day = next(4) == 0 ? next(40) : 1 + next(31);
        const char* d = days[next(static_cast<std::uint32_t>(days.size()))];
        const char* m = months[next(static_cast<std::uint32_t>(months.size()))];
        unsigned year = 1975 + next(130);
        unsigned hour = next(26);
        unsigned minute = next(62);
        unsigned second = next(62);
        const char* z = zones[next(static_cast<std::uint32_t>(zones.size()))];
        const char* t = tails[next(static_cast<std::uint32_t>(tails.size()))];
        (void)std::snprintf(buf, sizeof buf, "%s, %u %s %u %02u:%02u:%02u %s%s", d, day, m, year, hour, minute, second,
                            z, t);
        std::string s = buf;
        if (next(5) == 0) s[next(static_cast<std::uint32_t>(s.size()))] = "9 :,a()"[next(7)];  // one byte out of place
        return s;
    }
};
}  // namespace

// The fixed-layout reader ("Tue, 14 Nov 2023 22:13:20 +0000", 30 or 31
// bytes, and what may follow the zone) gives what the token reader gives for
// the same date; a leading space sends a text to the token reader. Fields out
// of range, wrong names, tails and characters out of place at every position
// are in the mix.
BOOST_AUTO_TEST_CASE(fixed_layout_reader_agrees_with_token_reader) {
    RandomDates dates{
        {"Tue", "sun", "SAT", "Xyz", "Tu1"},
        {"Nov", "feb", "FEB", "Dec", "Jan", "Foo"},
        {"+0000", "-0000", "+0200", "-0730", "+2400", "+0260", "+1400", "x0000", "+00a0"},
        {"", "", " (CEST)", "  (UTC)  ", "(PDT)", " (a(b))", " (x\\y)", " (open", " (a) (b)", " x", " ", "\t(GMT)"},
        7};
    int accepted = 0;
    int with_tail = 0;
    for (int n = 0; n < 30000; ++n) {
        std::string s = dates();
        BOOST_TEST_CONTEXT(s) {
            auto fixed = parse_canonical_date(s);
            auto token = parse_canonical_date(" " + s);
            BOOST_TEST((fixed ? format_utc(*fixed) : "null") == (token ? format_utc(*token) : "null"));
            accepted += fixed ? 1 : 0;
            with_tail += fixed && s.size() > 31 ? 1 : 0;
        }
    }
    BOOST_TEST(accepted > 2500);
    BOOST_TEST(with_tail > 500);  // accepted with a comment after the zone
}

// The fixed-layout reader takes "GMT" for the zone as the general reader
// (GMime) reads it: any date it accepts, the general reader reads to the
// same instant without an anomaly. Fields out of range, tails and bytes out
// of place are in the mix.
BOOST_AUTO_TEST_CASE(fixed_layout_reader_reads_gmt_as_the_general_reader) {
    RandomDates dates{{"Tue", "sun", "SAT", "Xyz"},
                      {"Nov", "feb", "FEB", "Dec", "Foo"},
                      {"GMT", "GMT", "gmt", "GMTX", "GM"},
                      {"", "", " (GMT)", "  (UTC)  ", "(PDT)", " (a(b))", " x", " ", "+0100"},
                      11};
    int accepted = 0;
    for (int n = 0; n < 20000; ++n) {
        std::string s = dates();
        auto fixed = parse_canonical_date(s);
        if (!fixed) continue;
        ++accepted;
        auto general = parse_date_general(s);
        BOOST_TEST_CONTEXT(s) {
            BOOST_TEST(general.anomalies.empty());
            BOOST_TEST((general.time ? format_utc(*general.time) : "null") == format_utc(*fixed));
        }
    }
    BOOST_TEST(accepted > 1000);
}
