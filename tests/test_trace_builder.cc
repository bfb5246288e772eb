#define BOOST_TEST_MODULE trace_builder
#include <boost/test/unit_test.hpp>

#include <string>

#include "base/gmime_text.hh"
#include "chain/trace_builder.hh"
#include "parse/date_parser.hh"
#include "test_support.hh"

using namespace hopscope;

namespace {

const char* kThreeHops =
    "Received: from c.example (c.example [192.0.2.3]) by d.example with ESMTP; Mon, 1 Jan 2024 10:00:30 +0000\n"
    "Received: from b.example (b.example [192.0.2.2]) by c.example with ESMTP; Mon, 1 Jan 2024 11:00:10 +0100\n"
    "Received: from a.example (a.example [192.0.2.1]) by b.example with ESMTP; Mon, 1 Jan 2024 05:00:05 -0500\n"
    "Date: Mon, 1 Jan 2024 10:00:00 +0000\n"
    "Subject: =?UTF-8?B?SMOpbGxv?= world\n"
    "From: =?ISO-8859-1?Q?Andr=E9?= <a@example>\n"
    "To: b@example\n"
    "Message-ID: <m1@example>\n"
    "X-Received: by 10.1.2.3 with SMTP id q; Mon, 1 Jan 2024 10:00:31 +0000\n";

}  // namespace

BOOST_AUTO_TEST_CASE(oldest_first_with_delays) {
    auto t = build_trace(kThreeHops);
    BOOST_REQUIRE(t);
    BOOST_REQUIRE_EQUAL(t->hops.size(), 3U);
    BOOST_TEST(*t->hops[0].fields.from.ip == "192.0.2.1");
    BOOST_TEST(t->hops[0].index == 1);
    BOOST_TEST(*t->hops[0].delay_s == 5);  // from Date
    BOOST_TEST(*t->hops[1].delay_s == 5);
    BOOST_TEST(*t->hops[2].delay_s == 20);
    BOOST_TEST(*t->total_delay_s == 30);
    BOOST_TEST(format_utc(*t->created) == "2024-01-01T10:00:00Z");
    BOOST_TEST(*t->subject == "H\xC3\xA9llo world");
    BOOST_TEST(*t->from == "Andr\xC3\xA9 <a@example>");
    BOOST_TEST(*t->message_id == "<m1@example>");
    BOOST_REQUIRE_EQUAL(t->x_received.size(), 1U);
    BOOST_TEST(*t->x_received[0].fields.by.ip == "10.1.2.3");
}

// Clocks, not delays: a stamp out of line with the stamps around it is a
// clock that is off, named by its writer; no delay is ever negative, and
// the successor of a fast stamp is not blamed.
BOOST_AUTO_TEST_CASE(clocks_that_disagree_are_findings_not_negative_delays) {
    auto t = build_trace(
        "Received: by b; Mon, 1 Jan 2024 10:00:00 +0000\n"
        "Received: by a; Mon, 1 Jan 2024 10:02:00 +0000\n"
        "Date: Mon, 1 Jan 2024 10:05:00 +0000\n");
    BOOST_REQUIRE(t);
    // Every point disagrees with every other: the receiver nearest the
    // mailbox is kept, the others are off against it.
    BOOST_TEST(!t->hops[0].delay_s);
    BOOST_TEST(!t->hops[1].delay_s);
    BOOST_TEST(!t->total_delay_s);
    BOOST_TEST(t->delay_from.empty());
    BOOST_REQUIRE_EQUAL(t->clock.size(), 2U);
    BOOST_TEST(t->clock[0].kind == "date-ahead");
    BOOST_TEST(t->clock[0].min_s == 300);
    BOOST_TEST(t->clock[1].kind == "fast");
    BOOST_TEST(t->clock[1].hop == 1);
    BOOST_TEST(*t->clock[1].host == "a");
    BOOST_TEST(t->hops[0].anomalies.at(0).kind == "clock-skew");
    BOOST_TEST(t->anomalies.at(0).kind == "clock-skew");
}

// The Date header and the first stamp disagree alone (the Date between the
// first stamp and the next): the device's clock fast or the first server's
// slow fit the same, and the finding says both, whichever point is left out.
// A Date ahead of every stamp is the device's alone.
BOOST_AUTO_TEST_CASE(date_against_the_first_stamp_alone_names_both_clocks) {
    auto t = build_trace(
        "Received: from mail.perches.example by mx.example.net; Mon, 15 Nov 2010 03:06:01 +0000\n"
        "Received: from laptop.home (unknown [192.168.1.162]) by mail.perches.example; Sun, 14 Nov 2010 19:04:28 "
        "-0800\n"
        "Date: Sun, 14 Nov 2010 19:04:59 -0800\n");
    BOOST_REQUIRE(t);
    BOOST_REQUIRE_EQUAL(t->clock.size(), 1U);
    BOOST_TEST(t->clock[0].device_or_server);
    BOOST_TEST(t->clock[0].detail.find("the headers do not tell which") != std::string::npos, t->clock[0].detail);
    auto device = build_trace(
        "Received: from mail.perches.example by mx.example.net; Mon, 15 Nov 2010 03:06:01 +0000\n"
        "Received: from laptop.home (unknown [192.168.1.162]) by mail.perches.example; Sun, 14 Nov 2010 19:04:28 "
        "-0800\n"
        "Date: Sun, 14 Nov 2010 19:09:00 -0800\n");
    BOOST_REQUIRE(device);
    BOOST_REQUIRE_EQUAL(device->clock.size(), 1U);
    BOOST_TEST(device->clock[0].kind == "date-ahead");
    BOOST_TEST(!device->clock[0].device_or_server);
    BOOST_TEST(device->clock[0].detail.find("(the sender's device clock is fast)") != std::string::npos);
    // Over loopback from a program on the first server's own host: one
    // machine, one clock: the server's alone.
    auto one = build_trace(
        "Received: from forestfire.example by mx.example.net; Mon, 15 Nov 2010 03:06:01 +0000\n"
        "Received: from User (localhost [127.0.0.1]) by forestfire.example; Sun, 14 Nov 2010 19:04:28 -0800\n"
        "Date: Sun, 14 Nov 2010 19:04:59 -0800\n");
    BOOST_REQUIRE(one);
    BOOST_REQUIRE_EQUAL(one->clock.size(), 1U);
    BOOST_TEST(!one->clock[0].device_or_server);
    // Exchange's own copy of the client's address names the origin where
    // X-Originating-IP is missing.
    auto cross = build_trace(
        "Received: from PH0PR15MB4704.namprd15.prod.outlook.com ([fe80::1]) by\n"
        " PH0PR15MB4704.namprd15.prod.outlook.com ([fe80::1%3]) with mapi id 15.20.1; Mon, 1 Jan 2024 10:00:00 +0000\n"
        "X-MS-Exchange-CrossPremises-OriginalClientIPAddress: 2a10:3781:1f::465\n"
        "Date: Mon, 1 Jan 2024 10:00:00 +0000\n");
    BOOST_REQUIRE(cross);
    BOOST_TEST(origin_of(*cross).ip.value_or("") == "2a10:3781:1f::465");
}

// Stamps are to the second: one a second out of line with the points on
// either side is rounding, kept with no delay of its own, and the minutes
// before it stay where they were spent (a fetch from a mailbox).
BOOST_AUTO_TEST_CASE(a_second_out_of_line_is_rounding_not_a_clock) {
    auto t = build_trace(
        "Received: from localhost (localhost [127.0.0.1]) by mx.home.example with ESMTP; Mon, 1 Jan 2024 "
        "10:04:06 +0000\n"
        "Received: from pop.isp.example [127.0.0.1] by localhost with POP3 (fetchmail-6.4.37); Mon, 1 Jan 2024 "
        "10:04:07 +0000\n"
        "Received: from b.example (b.example [192.0.2.2]) by pop.isp.example with ESMTP; Mon, 1 Jan 2024 "
        "10:00:04 +0000\n"
        "Received: from a.example (a.example [192.0.2.1]) by b.example with ESMTP; Mon, 1 Jan 2024 10:00:05 +0000\n");
    BOOST_REQUIRE(t);
    BOOST_REQUIRE_EQUAL(t->hops.size(), 4U);
    BOOST_TEST(t->clock.empty());
    BOOST_TEST(*t->hops[1].delay_s == 0);    // a second before hop 1
    BOOST_TEST(*t->hops[2].delay_s == 243);  // the fetch: 4m 03s in the mailbox
    BOOST_TEST(*t->hops[3].delay_s == 0);    // a second before the fetch
    BOOST_TEST(*t->total_delay_s == 241);
    for (const auto& h : t->hops) BOOST_TEST(h.anomalies.empty());
    // Two seconds is a clock that is off.
    auto two = build_trace(
        "Received: from b.example (b.example [192.0.2.2]) by c.example with ESMTP; Mon, 1 Jan 2024 10:00:03 +0000\n"
        "Received: from a.example (a.example [192.0.2.1]) by b.example with ESMTP; Mon, 1 Jan 2024 10:00:05 +0000\n"
        "Date: Mon, 1 Jan 2024 10:00:00 +0000\n");
    BOOST_REQUIRE(two);
    BOOST_TEST(two->clock.size() == 1U);
}

// One host's stamps on either side of the Date header it wrote (a list
// server's first stamp, then its SMTP hand-on after it set the Date): one
// clock cannot be off against itself; the minutes are time on that host.
BOOST_AUTO_TEST_CASE(a_hosts_stamps_around_its_date_are_time_not_skew) {
    auto t = build_trace(
        "Received: from lists.example.org [192.0.2.11] by relay2.example.net with esmtp; Tue, 23 Jul 2002 01:28:32 "
        "+0000\n"
        "Received: from localhost (lnchuser@localhost) by lists.example.org with SMTP id TAA16990; Mon, 22 Jul 2002 "
        "19:11:24 -0400\n"
        "Received: by lists.example.org; Mon, 22 Jul 2002 19:05:32 -0400\n"
        "Date: Mon, 22 Jul 2002 19:11:24 -0400\n");
    BOOST_REQUIRE(t);
    BOOST_TEST(t->clock.empty());
    BOOST_TEST(*t->hops[0].delay_s == 0);
    BOOST_TEST(*t->hops[1].delay_s == 352);
    for (const auto& h : t->hops) BOOST_TEST(h.anomalies.empty());
}

BOOST_AUTO_TEST_CASE(a_device_clock_ahead_leaves_the_chain_alone) {
    auto t = build_trace(read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/clock-skew-device.eml"));
    BOOST_REQUIRE(t);
    BOOST_TEST(!t->hops[0].delay_s);  // nothing trustworthy before the first stamp
    BOOST_TEST(*t->hops[1].delay_s == 1);
    BOOST_TEST(*t->total_delay_s == 1);
    BOOST_TEST(t->delay_from == "first-stamp");
    BOOST_REQUIRE_EQUAL(t->clock.size(), 1U);
    BOOST_TEST(t->clock[0].kind == "date-ahead");
    BOOST_TEST(t->clock[0].min_s == 583);  // 9m 43s
    BOOST_TEST(t->clock[0].detail.find("9m 43s ahead") != std::string::npos);
    BOOST_TEST(!t->clock[0].zone_sized);
    BOOST_TEST(t->hops[0].anomalies.empty());
}

BOOST_AUTO_TEST_CASE(a_fast_relay_is_named_and_its_successor_not_blamed) {
    auto t = build_trace(read_file(std::string(HOPSCOPE_CORPUS_DIR) + "/clock-skew-relay.eml"));
    BOOST_REQUIRE(t);
    BOOST_TEST(*t->hops[0].delay_s == 1);
    BOOST_TEST(!t->hops[1].delay_s);       // the fast clock: no delay, no bar
    BOOST_TEST(*t->hops[2].delay_s == 4);  // from the last stamp in line
    BOOST_TEST(t->hops[2].anomalies.empty());
    BOOST_TEST(*t->total_delay_s == 5);
    BOOST_TEST(t->delay_from == "date");
    BOOST_REQUIRE_EQUAL(t->clock.size(), 1U);
    const auto& c = t->clock[0];
    BOOST_TEST(c.kind == "fast");
    BOOST_TEST(c.hop == 2);
    BOOST_TEST(*c.host == "mx2.example.net");
    BOOST_TEST(c.min_s == 205);
    BOOST_TEST(*c.max_s == 209);
    BOOST_TEST(t->hops[1].anomalies.at(0).detail.find("mx2.example.net") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(zone_sized_offsets_are_recognised) {
    // The middle stamp written an hour behind (a zone mistake): slow by an hour.
    auto t = build_trace(
        "Received: by c.example; Mon, 1 Jan 2024 10:00:09 +0000\n"
        "Received: by b.example; Mon, 1 Jan 2024 09:00:05 +0000\n"
        "Received: by a.example; Mon, 1 Jan 2024 10:00:02 +0000\n"
        "Date: Mon, 1 Jan 2024 10:00:00 +0000\n");
    BOOST_REQUIRE(t);
    BOOST_REQUIRE_EQUAL(t->clock.size(), 1U);
    BOOST_TEST(t->clock[0].kind == "slow");
    BOOST_TEST(*t->clock[0].host == "b.example");
    BOOST_TEST(t->clock[0].zone_sized);
    BOOST_TEST(t->clock[0].detail.find("whole-hour offset") != std::string::npos);
    BOOST_TEST(*t->hops[2].delay_s == 7);
    // The Date written an hour ahead: a device in the wrong zone.
    auto d = build_trace(
        "Received: by a.example; Mon, 1 Jan 2024 10:00:02 +0000\n"
        "Date: Mon, 1 Jan 2024 11:00:00 +0000\n");
    BOOST_REQUIRE(d);
    BOOST_TEST(d->clock.at(0).kind == "date-ahead");
    BOOST_TEST(d->clock.at(0).zone_sized);
    // A gap of exactly an hour forward: kept as a delay, and said.
    auto g = build_trace(
        "Received: by b.example; Mon, 1 Jan 2024 11:00:03 +0000\n"
        "Received: by a.example; Mon, 1 Jan 2024 10:00:02 +0000\n"
        "Date: Mon, 1 Jan 2024 10:00:00 +0000\n");
    BOOST_REQUIRE(g);
    BOOST_TEST(*g->hops[1].delay_s == 3601);
    BOOST_TEST(g->clock.at(0).kind == "zone-sized-gap");
    BOOST_TEST(g->hops[1].anomalies.at(0).kind == "zone-sized-gap");
    // Two hours less 73 seconds: as near a whole number of hours below as above.
    auto below = build_trace(
        "Received: by b.example; Mon, 1 Jan 2024 11:58:49 +0000\n"
        "Received: by a.example; Mon, 1 Jan 2024 10:00:02 +0000\n"
        "Date: Mon, 1 Jan 2024 10:00:00 +0000\n");
    BOOST_REQUIRE(below);
    BOOST_TEST(*below->hops[1].delay_s == 7127);
    BOOST_TEST(below->hops[1].anomalies.at(0).kind == "zone-sized-gap");
    // Minutes off are not zone-sized.
    auto m = build_trace(
        "Received: by c.example; Mon, 1 Jan 2024 10:00:09 +0000\n"
        "Received: by b.example; Mon, 1 Jan 2024 09:47:05 +0000\n"
        "Received: by a.example; Mon, 1 Jan 2024 10:00:02 +0000\n");
    BOOST_REQUIRE(m);
    BOOST_TEST(!m->clock.at(0).zone_sized);
}

BOOST_AUTO_TEST_CASE(undated_hop_is_skipped_by_delay_arithmetic) {
    auto t = build_trace(
        "Received: by c; Mon, 1 Jan 2024 10:00:09 +0000\n"
        "Received: by b\n"
        "Received: by a; Mon, 1 Jan 2024 10:00:01 +0000\n");
    BOOST_REQUIRE(t);
    BOOST_TEST(!t->hops[0].delay_s);  // no Date header
    BOOST_TEST(!t->hops[1].delay_s);
    BOOST_TEST(!t->hops[1].fields.time);
    BOOST_TEST(t->hops[1].anomalies.at(0).kind == "missing-date");
    BOOST_TEST(*t->hops[2].delay_s == 8);
    BOOST_TEST(*t->total_delay_s == 8);  // from the first hop when there is no Date
}

// A time read without its zone (read as UTC) is hours off: neither the
// Date nor such a stamp counts toward delays or clock findings.
BOOST_AUTO_TEST_CASE(times_without_a_zone_are_no_points) {
    auto t = build_trace(
        "Received: by c; Mon, 1 Jan 2024 06:00:09 -0400\n"
        "Received: by b; Mon, 1 Jan 2024 06:00:05\n"
        "Received: by a; Mon, 1 Jan 2024 06:00:01 -0400\n"
        "Date: Mon, 1 Jan 2024 06:00:00 H0500\n");
    BOOST_REQUIRE(t);
    BOOST_TEST(t->created.has_value());
    BOOST_TEST(!t->created_certain);
    BOOST_TEST(t->clock.empty());     // no "Date header ahead", no "clock slow" for b
    BOOST_TEST(!t->hops[0].delay_s);  // nothing before it to count from
    BOOST_TEST(!t->hops[1].delay_s);
    BOOST_TEST(*t->hops[2].delay_s == 8);
    BOOST_TEST(*t->total_delay_s == 8);
    BOOST_TEST(t->delay_from == "first-stamp");
    auto plain = build_trace(
        "Received: by a; Mon, 1 Jan 2024 06:00:01 -0400\n"
        "Date: Mon, 1 Jan 2024 06:00:00 -0400\n");
    BOOST_REQUIRE(plain);
    BOOST_TEST(plain->created_certain);
    BOOST_TEST(*plain->hops[0].delay_s == 1);
}

// A security header whose whole value is RFC 2047 encoded words is kept decoded.
BOOST_AUTO_TEST_CASE(encoded_security_values_are_decoded) {
    auto t = build_trace(
        "Received: by mx.example; Mon, 1 Jan 2024 00:00:00 +0000\n"
        "X-Forefront-Antispam-Report: =?us-ascii?Q?CIP:192.0.2.52;CTRY:US;LANG:en;SCL:1;H:a.e?=\n"
        " =?us-ascii?Q?xample;DIR:INB;?=\n"
        "X-MS-Exchange-Organization-SCL: 1\n");
    BOOST_REQUIRE(t);
    BOOST_REQUIRE_EQUAL(t->signals.size(), 2U);
    BOOST_TEST(t->signals[0].value == "CIP:192.0.2.52;CTRY:US;LANG:en;SCL:1;H:a.example;DIR:INB;");
    BOOST_TEST(t->signals[1].value == "1");
}

BOOST_AUTO_TEST_CASE(no_header_fields_is_an_error) {
    BOOST_TEST(!build_trace(""));
    BOOST_TEST(!build_trace("just text\n"));
    auto t = build_trace("Subject: only\n");
    BOOST_REQUIRE(t);
    BOOST_TEST(t->hops.empty());
    BOOST_TEST(t->anomalies.at(0).kind == "no-received");
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_replaced_and_flagged) {
    auto t = build_trace("Received: from \xff\xfe host by b; Mon, 1 Jan 2024 10:00:00 +0000\n");
    BOOST_REQUIRE(t);
    BOOST_TEST(t->hops[0].anomalies.at(0).kind == "invalid-utf8");
    BOOST_TEST(t->hops[0].fields.raw.find("\xEF\xBF\xBD") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(many_received_fields_are_capped_and_said) {
    std::string m;
    for (int i = 0; i < 100000; ++i) m += "Received: by h" + std::to_string(i) + "; Mon, 1 Jan 2024 10:00:00 +0000\n";
    auto t = build_trace(m);
    BOOST_REQUIRE(t);
    BOOST_TEST(t->hops.size() == 1000U);
    bool said = false;
    for (const auto& a : t->anomalies) said = said || a.kind == "hop-limit" || a.kind == "field-limit";
    BOOST_TEST(said);
}

// Plain ASCII skips GMime; these edges must come out as GMime writes them.
BOOST_AUTO_TEST_CASE(plain_header_text_decodes_as_gmime_does) {
    const char* cases[] = {" Hello world", "\tTabbed\tsubject ", "  many   inner   spaces  ",  "",
                           "   ",          "Re: [list] a=b c?d", "Fwd: =?UTF-8?Q?caf=C3=A9?=", "not =? encoded",
                           "trailing \t"};
    for (const char* c : cases) {
        BOOST_TEST_CONTEXT(c) {
            BOOST_TEST(hopscope::decode_header_text(c) == hopscope::decode_header_text_gmime(c));
        }
    }
    BOOST_TEST(hopscope::decode_header_text(" =?UTF-8?Q?caf=C3=A9?=") == "caf\xC3\xA9");
    // The plain test reads sixteen bytes at a time: a control or 8-bit byte
    // at every place of a long value must still send it to GMime.
    for (const char* odd : {"\x01", "\x1f", "\x7f", "\x80", "\xC3\xA9", "\xFF"}) {
        for (std::size_t at = 0; at <= 40; ++at) {
            std::string c(" Subject line long enough for blocks of sixteen");
            c.insert(at, odd);
            BOOST_TEST_CONTEXT(at << " " << static_cast<int>(static_cast<unsigned char>(odd[0]))) {
                BOOST_TEST(hopscope::decode_header_text(c) == hopscope::decode_header_text_gmime(c));
            }
        }
    }
}

// A host's stamps keep one clock: two stamps of a list host 1m 47s ahead of
// the stamps around them are its clock off, as likely as the one stamp after
// them being slow; among explanations as good, the one spanning less time.
// A run that keeps one of a host's stamps and drops another is no answer.
BOOST_AUTO_TEST_CASE(a_hosts_stamps_share_one_clock) {
    auto t = build_trace(
        "Received: from out.list.example (out.list.example [192.0.2.9]) by mx.rcpt.example with ESMTP; "
        "Mon, 1 Jan 2024 10:00:10 +0000\n"
        "Received: by list.example via listexpand; Mon, 1 Jan 2024 10:01:57 +0000\n"
        "Received: from front.example (front.example [192.0.2.5]) by list.example with ESMTP; "
        "Mon, 1 Jan 2024 10:01:56 +0000\n"
        "Received: from a.example (a.example [192.0.2.1]) by front.example with ESMTP; Mon, 1 Jan 2024 10:00:08 "
        "+0000\n"
        "Date: Mon, 1 Jan 2024 10:00:06 +0000\n");
    BOOST_REQUIRE(t);
    BOOST_REQUIRE_EQUAL(t->clock.size(), 2U);
    BOOST_TEST(t->clock[0].kind == "fast");
    BOOST_TEST(*t->clock[0].host == "list.example");
    BOOST_TEST(t->clock[1].kind == "fast");
    BOOST_TEST(*t->total_delay_s == 4);
    // The same host 5 s apart, then a stamp back at the first one's time: that
    // host took 5 s; the stamp after it is the slow one.
    auto u = build_trace(
        "Received: from mirror.example (mirror.example [192.0.2.8]) by mx.rcpt.example with ESMTP; "
        "Mon, 1 Jan 2024 10:01:02 +0000\n"
        "Received: from relay.example (relay.example [192.0.2.7]) by mirror.example with ESMTP; "
        "Mon, 1 Jan 2024 10:00:52 +0000\n"
        "Received: from localhost (localhost [127.0.0.1]) by list.example with ESMTP; Mon, 1 Jan 2024 10:00:57 "
        "+0000\n"
        "Received: from a.example (a.example [192.0.2.1]) by list.example with ESMTP; Mon, 1 Jan 2024 10:00:52 "
        "+0000\n"
        "Date: Mon, 1 Jan 2024 10:00:43 +0000\n");
    BOOST_REQUIRE(u);
    BOOST_REQUIRE_EQUAL(u->clock.size(), 1U);
    BOOST_TEST(u->clock[0].kind == "slow");
    BOOST_TEST(*u->clock[0].host == "mirror.example");
}

// A message sent again on top of an earlier delivery's stamps: the stamps
// before the one that names another sender a day later, at the Date
// header's time, are an earlier delivery, left out of the delays.
BOOST_AUTO_TEST_CASE(an_earlier_delivery_is_not_delay) {
    const std::string later =
        "Received: from out.sender.example (out.sender.example [192.0.2.20]) by mx.rcpt.example with ESMTP; "
        "Mon, 7 Oct 2024 18:59:28 +0000\n"
        "Received: from resender.example (resender.example [198.51.100.7]) by out.sender.example with SMTP; "
        "Mon, 7 Oct 2024 18:59:16 +0000\n"
        "Received: from mta.first.example (mta.first.example [192.0.2.9]) by mx.first-rcpt.example with ESMTPS; "
        "Sat, 5 Oct 2024 00:48:25 +0000\n"
        "Received: from localhost (localhost [127.0.0.1]) by mta.first.example with ESMTP; "
        "Sat, 5 Oct 2024 00:48:24 +0000\n";
    auto t = build_trace(later + "Date: Mon, 7 Oct 2024 18:59:16 +0000\n");
    BOOST_REQUIRE(t);
    BOOST_TEST(*t->total_delay_s == 12);
    BOOST_TEST(t->clock.empty());
    BOOST_TEST(!t->hops[0].delay_s);
    BOOST_TEST(*t->hops[3].delay_s == 12);
    bool said = false;
    for (const auto& a : t->anomalies)
        said = said || (a.kind == "earlier-delivery" &&
                        a.detail.starts_with("hops #1 to #2 record an earlier delivery of this message, which ended "
                                             "at mx.first-rcpt.example"));
    BOOST_TEST(said);
    // The same stamps with the Date header of the first delivery: one chain, a long delay.
    auto u = build_trace(later + "Date: Sat, 5 Oct 2024 00:48:20 +0000\n");
    BOOST_REQUIRE(u);
    for (const auto& a : u->anomalies) BOOST_TEST(a.kind != "earlier-delivery");
}

// A Date header whole hours behind the first stamp (a device writing its
// local time with the wrong zone, or a wait that long) is said both ways
// and not counted from; half an hour is a delay, as a wait that long is.
BOOST_AUTO_TEST_CASE(a_date_whole_hours_behind_the_first_stamp_is_not_counted_from) {
    auto t = build_trace(
        "Received: by b; Mon, 1 Jan 2024 10:00:05 +0000\n"
        "Received: from dev (dev [10.0.0.5]) by a; Mon, 1 Jan 2024 10:00:03 +0000\n"
        "Date: Mon, 1 Jan 2024 10:00:00 +0100\n");
    BOOST_REQUIRE(t);
    BOOST_TEST(!t->hops[0].delay_s);
    BOOST_TEST(*t->hops[1].delay_s == 2);
    BOOST_TEST(*t->total_delay_s == 2);
    BOOST_TEST(t->delay_from == "first-stamp");
    BOOST_REQUIRE_EQUAL(t->clock.size(), 1U);
    BOOST_TEST(t->clock[0].kind == "date-behind");
    BOOST_TEST(t->clock[0].hop == 0);
    BOOST_TEST(t->clock[0].min_s == 3603);
    BOOST_TEST(t->anomalies.at(0).kind == "zone-sized-gap");
    BOOST_TEST(t->anomalies.at(0).detail.find("1h 00m 03s behind the first stamp") != std::string::npos);

    auto half = build_trace(
        "Received: by b; Mon, 1 Jan 2024 10:00:05 +0000\n"
        "Received: from dev (dev [10.0.0.5]) by a; Mon, 1 Jan 2024 10:00:03 +0000\n"
        "Date: Mon, 1 Jan 2024 09:30:00 +0000\n");
    BOOST_REQUIRE(half);
    BOOST_TEST(*half->hops[0].delay_s == 1803);
    BOOST_TEST(half->delay_from == "date");
    BOOST_TEST(half->clock.empty());
}

// A long gap alone is no second delivery: a mailbox fetched by POP3 after
// a holiday (or a quarantine released after two weeks) is one delivery that
// waited; only a Date header written at the later stamps says "sent again".
BOOST_AUTO_TEST_CASE(a_long_gap_alone_is_no_earlier_delivery) {
    auto t = build_trace(
        "Received: from pop.isp.example (pop.isp.example [192.0.2.9]) by office.home.lan with POP3 "
        "(fetchmail-6.4.37) for <a@home.lan>; Mon, 8 Jan 2024 09:00:00 +0100\n"
        "Received: from mout.gmx.example (mout.gmx.example [198.51.100.11]) by mx01.isp.example; "
        "Thu, 21 Dec 2023 17:26:00 +0000\n"
        "Date: Thu, 21 Dec 2023 17:25:58 +0000\n");
    BOOST_REQUIRE(t);
    BOOST_TEST(t->sent_again_at == 0U);
    BOOST_TEST(std::ranges::none_of(t->anomalies, [](const Anomaly& a) { return a.kind == "earlier-delivery"; }));
    BOOST_TEST(*t->hops[1].delay_s > 86400 * 17);
}
