// {input, want} tables for parse_received, one block per MTA dialect.
#define BOOST_TEST_MODULE received_parser
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "parse/date_parser.hh"
#include "parse/ip_address.hh"
#include "parse/received_parser.hh"
#include "test_support.hh"

using hopscope::parse_received;
using opt = std::optional<std::string>;

namespace {

struct Want {
    const char* name;
    const char* stamp;
    opt helo, rdns, ip, by_host, by_ip, with;
    opt tls_version, tls_cipher;
    bool tls;
    opt time;  // UTC
};

const opt none = std::nullopt;

const Want kCases[] = {
    {"Microsoft SMTP Server, EHLO name and bare IP",
     " from SN7PR19MB7353.namprd19.prod.outlook.com (2603:10b6:806:345::8) by\n "
     "SJ0PR19MB5489.namprd19.prod.outlook.com "
     "(2603:10b6:a03:421::17) with Microsoft SMTP Server (version=TLS1_2,\n "
     "cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id "
     "15.20.7409.32; Sat, 30 Mar 2024\n 01:35:25 +0000",
     "SN7PR19MB7353.namprd19.prod.outlook.com", none, "2603:10b6:806:345::8", "SJ0PR19MB5489.namprd19.prod.outlook.com",
     "2603:10b6:a03:421::17", "Microsoft SMTP Server", "1.2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", true,
     "2024-03-30T01:35:25Z"},
    {"Microsoft mapi with bracketed link-local and zone index",
     " from SN7PR19MB7353.namprd19.prod.outlook.com ([fe80::a628:c5d0:6780:738d]) by "
     "SN7PR19MB7353.namprd19.prod.outlook.com ([fe80::a628:c5d0:6780:738d%6]) with mapi id 15.20.7409.031; Sat, 30 Mar "
     "2024 "
     "01:35:25 +0000",
     "SN7PR19MB7353.namprd19.prod.outlook.com", none, "fe80::a628:c5d0:6780:738d",
     "SN7PR19MB7353.namprd19.prod.outlook.com", "fe80::a628:c5d0:6780:738d", "mapi", none, none, false,
     "2024-03-30T01:35:25Z"},
    {"Microsoft frontend transport",
     " from relay.contoso.com (198.51.100.77) by AM4PEPF00027A5F.mail.protection.outlook.com (10.167.16.73) with "
     "Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7587.21 via "
     "Frontend "
     "Transport; Tue, 14 May 2024 07:12:05 +0000",
     "relay.contoso.com", none, "198.51.100.77", "AM4PEPF00027A5F.mail.protection.outlook.com", "10.167.16.73",
     "Microsoft SMTP Server", "1.2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", true, "2024-05-14T07:12:05Z"},
    {"IIS SMTPSVC with bracketed IP",
     " from NAHOU-MSMSW06P.corp.enron.com ([192.168.110.228]) by nahou-mscnx06p.corp.enron.com with Microsoft "
     "SMTPSVC(5.0.2195.2966);\n\t Thu, 10 Jan 2002 16:10:14 -0600",
     "NAHOU-MSMSW06P.corp.enron.com", none, "192.168.110.228", "nahou-mscnx06p.corp.enron.com", none,
     "Microsoft SMTPSVC", none, none, false, "2002-01-10T22:10:14Z"},
    {"SquirrelMail: a bare client address first is no HELO",
     " from 144.137.3.98 (SquirrelMail authenticated user jmmail) by jmason.org with HTTP; Mon, 1 Jan 2001 "
     "10:00:00 -0500",
     none, none, "144.137.3.98", "jmason.org", none, "HTTP", none, none, false, "2001-01-01T15:00:00Z"},
    {"IIS SMTPSVC with literal HELO",
     " from [70.39.115.201] ([70.39.115.201]) by NEWKDEMO.kdemo.local with Microsoft SMTPSVC(6.0.3790.4675); Wed, 14 "
     "Feb "
     "2018 02:19:37 +0900",
     "[70.39.115.201]", none, "70.39.115.201", "NEWKDEMO.kdemo.local", none, "Microsoft SMTPSVC", none, none, false,
     "2018-02-13T17:19:37Z"},
    {"Postfix with TLS comment",
     " from mail-eopbgr150092.outbound.protection.outlook.com (mail-eopbgr150092.outbound.protection.outlook.com "
     "[40.107.15.92])\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n\t key-exchange X25519 "
     "server-signature RSA-PSS (2048 bits) server-digest SHA256)\n\t(No client certificate requested)\n\tby "
     "smtp.kernel.org "
     "(Postfix) with ESMTPS id 4A1B2C3D4E\n\tfor <x@kernel.org>; Thu, 14 Apr 2022 07:32:42 +0000 (UTC)",
     "mail-eopbgr150092.outbound.protection.outlook.com", "mail-eopbgr150092.outbound.protection.outlook.com",
     "40.107.15.92", "smtp.kernel.org", none, "ESMTPS", "1.3", "TLS_AES_256_GCM_SHA384", true, "2022-04-14T07:32:42Z"},
    {"Postfix unknown client, IPv6 literal",
     " from scanner (unknown [IPv6:2001:DB8:0:0::41])\n\tby relay.example.net (Postfix) with ESMTP id 4Q1x2Y3zZ4z9tY; "
     "Tue, "
     "14 May 2024 09:12:03 +0200 (CEST)",
     "scanner", none, "2001:db8::41", "relay.example.net", none, "ESMTP", none, none, false, "2024-05-14T07:12:03Z"},
    {"Postfix local pickup, no from",
     " by relay.example.net (Postfix, from userid 0)\n\tid 9D7E1C0A3F; Tue, 14 May 2024 09:12:00 +0200 (CEST)", none,
     none, none, "relay.example.net", none, none, none, none, false, "2024-05-14T07:12:00Z"},
    {"Sendmail may be forged, authenticated, SSLv3",
     " from [192.168.2.4] (185-160-170-114.ipv4.xta.cat [185.160.170.114]  (may be forged)) (authenticated bits=0)  by "
     "ackerman2.upc.es (8.14.4/8.14.4) with ESMTP id x71FE1vV016437  (version=TLSv1/SSLv3 cipher=AES128-SHA bits=128 "
     "verify=NO); Thu, 1 Aug 2019 17:14:03 +0200",
     "[192.168.2.4]", "185-160-170-114.ipv4.xta.cat", "185.160.170.114", "ackerman2.upc.es", none, "ESMTP", "unknown",
     "AES128-SHA", true, "2019-08-01T15:14:03Z"},
    {"Sendmail ident user",
     " from helo.example.org (fred@host.example.org [192.0.2.9]) by mx.example.com (8.15.2/8.15.2) with ESMTP id "
     "x1; Mon, 2 Jan 2006 15:04:05 -0700",
     "helo.example.org", "host.example.org", "192.0.2.9", "mx.example.com", none, "ESMTP", none, none, false,
     "2006-01-02T22:04:05Z"},
    {"Exim, no rDNS: literal then helo=",
     " from [177.183.162.244] (helo=[192.168.0.5]) by fanzine2.igalia.com with esmtpsa (Cipher "
     "TLS1.3:ECDHE_X25519__RSA_PSS_RSAE_SHA256__AES_128_GCM:128) (Exim) id 1nosV8-0008ee-V8; Wed, 11 May 2022 22:00:04 "
     "+0200",
     "[192.168.0.5]", none, "177.183.162.244", "fanzine2.igalia.com", none, "esmtpsa", "1.3",
     "ECDHE_X25519__RSA_PSS_RSAE_SHA256__AES_128_GCM", true, "2022-05-11T20:00:04Z"},
    {"Cellopoint: an address in parentheses inside the literal, TLS in its own words",
     " from mtkmrs01.mediatek.inc [(172.21.131.159)] by mailgw02.mediatek.com\n\t(envelope-from "
     "<w@mediatek.com>)\n\t(Cellopoint E-mail Firewall v4.1.14 Build 0819 with TLSv1.2 ECDHE-RSA-AES256-SHA384 "
     "256/256)\n\twith ESMTP id 1125206795; Mon, 14 Oct 2019 23:58:49 +0800",
     "mtkmrs01.mediatek.inc", none, "172.21.131.159", "mailgw02.mediatek.com", none, "ESMTP", "1.2",
     "ECDHE-RSA-AES256-SHA384", true, "2019-10-14T15:58:49Z"},
    {"Cellopoint with TLS of no version",
     " from mtkmrs01.mediatek.inc [(172.21.131.159)] by mailgw02.mediatek.com\n\t(Cellopoint E-mail Firewall "
     "v4.1.10 Build 0809 with TLS)\n\twith ESMTP id 1125206795; Mon, 14 Oct 2019 23:58:49 +0800",
     "mtkmrs01.mediatek.inc", none, "172.21.131.159", "mailgw02.mediatek.com", none, "ESMTP", "unknown", none, true,
     "2019-10-14T15:58:49Z"},
    {"Oracle Beehive: Java's /address",
     " from kadam (/41.57.98.10)\n        by default (Oracle Beehive Gateway v4.0)\n        with ESMTP ; Thu, 16 "
     "Apr 2020 03:03:05 -0700",
     "kadam", none, "41.57.98.10", "default", none, "ESMTP", none, none, false, "2020-04-16T10:03:05Z"},
    {"Amazon Farcaster: address and port in the literal",
     " from EX19MTAUWB001.ant.amazon.com [10.0.7.35:5180]\n by "
     "smtpin.naws.us-west-2.prod.farcaster.email.amazon.dev [10.0.50.174:2525] with esmtp (Farcaster)\n id "
     "72f21bb4-da44-4f0f-a384-27fe822589e0; Wed, 8 Nov 2023 11:54:04 +0000 (UTC)",
     "EX19MTAUWB001.ant.amazon.com", "EX19MTAUWB001.ant.amazon.com", "10.0.7.35",
     "smtpin.naws.us-west-2.prod.farcaster.email.amazon.dev", "10.0.50.174", "esmtp", none, none, false,
     "2023-11-08T11:54:04Z"},
    {"Exim with older GnuTLS: Cipher TLS-1.0",
     " from p5b034af6.dip.t-dialin.net ([91.3.74.246] helo=excalibur)\n\tby mail.example.de with esmtpsa (Cipher "
     "TLS-1.0:RSA_AES_256_CBC_SHA1:32)\n\t(Exim 4.72) (envelope-from <s@example.de>) id 1TfX; Mon, 03 Dec 2012 "
     "12:00:00 +0100",
     "excalibur", "p5b034af6.dip.t-dialin.net", "91.3.74.246", "mail.example.de", none, "esmtpsa", "1.0",
     "RSA_AES_256_CBC_SHA1", true, "2012-12-03T11:00:00Z"},
    {"Exim rDNS with port and helo, TLS1.3 tls cipher",
     " from 1f2ece4f.catv.pool.telekom.hu ([31.46.206.79]:54655 helo=SGXNB01BEGED)\n\tby cpanel34.tarhelypark.hu with "
     "esmtpsa "
     " (TLS1.2) tls TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\n\t(Exim 4.94.2)\n\t(envelope-from "
     "<b@example.com>)\n\tid 1kxyz-000abc-12; Mon, 04 Jan 2021 10:00:00 +0100",
     "SGXNB01BEGED", "1f2ece4f.catv.pool.telekom.hu", "31.46.206.79", "cpanel34.tarhelypark.hu", none, "esmtpsa", "1.2",
     "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", true, "2021-01-04T09:00:00Z"},
    {"Exim HELO equal to host name",
     " from smtp11.ggg.com ([66.202.209.213]:59716) by mx34.test.it with esmtp (envelope-from <noreply@ggg.com>) id "
     "1dWJDl-00035d-BU for mvk2008_64@test.it; Sat, 15 Jul 2017 12:18:41 +0300",
     "smtp11.ggg.com", "smtp11.ggg.com", "66.202.209.213", "mx34.test.it", none, "esmtp", none, none, false,
     "2017-07-15T09:18:41Z"},
    {"Exim older TLS triple",
     " from 1.general.cking.uk.vpn ([10.172.193.212] helo=localhost) by youngberry.canonical.com with esmtpsa "
     "(TLS1.0:RSA_AES_256_CBC_SHA1:32) (Exim 4.76) (envelope-from <c@canonical.com>) id 1U; Fri, 05 Oct 2012 10:00:00 "
     "+0000",
     "localhost", "1.general.cking.uk.vpn", "10.172.193.212", "youngberry.canonical.com", none, "esmtpsa", "1.0",
     "RSA_AES_256_CBC_SHA1", true, "2012-10-05T10:00:00Z"},
    {"Exim local delivery, no from",
     " from jgg by mlx with local (Exim 4.94)        (envelope-from <jgg@nvidia.com>)        id 1lTka0-0016lT-6r; Tue, "
     "06 "
     "Apr 2021 09:13:12 -0300",
     none, none, none, "mlx", none, "local", none, none, false, "2021-04-06T12:13:12Z"},
    {"qmail invoked from network",
     " from unknown (HELO mail.example.org) (203.0.113.7)\n  by mx.example.com with SMTP; 11 Feb 2021 08:07:18 -0000",
     "mail.example.org", none, "203.0.113.7", "mx.example.com", none, "SMTP", none, none, false,
     "2021-02-11T08:07:18Z"},
    {"qmail with auth user and TLS patch",
     " from unknown (HELO ?192.168.11.100?) (philip@opensdr.com@73.152.143.112) by mail.geekisp.com with "
     "(ECDHE-RSA-AES128-GCM-SHA256 encrypted) SMTP; 23 May 2019 15:43:36 -0000",
     "?192.168.11.100?", none, "73.152.143.112", "mail.geekisp.com", none, "SMTP", none, "ECDHE-RSA-AES128-GCM-SHA256",
     true, "2019-05-23T15:43:36Z"},
    {"qmail local stamp, comment only", " (qmail 10120 invoked by uid 505); 14 Jun 2002 19:55:43 -0000", none, none,
     none, none, none, none, none, none, false, "2002-06-14T19:55:43Z"},
    {"Gmail inbound MX",
     " from rspmtaeast-01.sgizmo.com (rspmtaeast-01.sgizmo.com. [146.20.14.105])\n        by mx.google.com with ESMTPS "
     "id "
     "a34si7068780qte.97.2017.12.01.07.53.58\n        for <zsteveson@gmail.com>\n        (version=TLS1_2 "
     "cipher=ECDHE-RSA-AES128-GCM-SHA256 bits=128/128);\n        Fri, 01 Dec 2017 07:53:58 -0800 (PST)",
     "rspmtaeast-01.sgizmo.com", "rspmtaeast-01.sgizmo.com", "146.20.14.105", "mx.google.com", none, "ESMTPS", "1.2",
     "ECDHE-RSA-AES128-GCM-SHA256", true, "2017-12-01T15:53:58Z"},
    {"Gmail internal by IPv6",
     " by 2002:a25:2648:0:b0:dd6:8251:535f with SMTP id m69csp1149427ybm; Fri, 29 Mar 2024 18:35:26 -0700 (PDT)", none,
     none, none, none, "2002:a25:2648:0:b0:dd6:8251:535f", "SMTP", none, none, false, "2024-03-30T01:35:26Z"},
    {"Gmail submission with ?IPv6 HELO",
     " from ?IPv6:2001:a61:241a:1101:8c63:f991:aa91:da82? ([2001:a61:241a:1101:8c63:f991:aa91:da82])\n        by "
     "smtp.googlemail.com with ESMTPSA id n11sm3639728wmi.15.2020.08.11.01.31.59\n        (version=TLS1_3 "
     "cipher=TLS_AES_128_GCM_SHA256 bits=128/128);\n        Tue, 11 Aug 2020 01:32:00 -0700 (PDT)",
     "?IPv6:2001:a61:241a:1101:8c63:f991:aa91:da82?", none, "2001:a61:241a:1101:8c63:f991:aa91:da82",
     "smtp.googlemail.com", none, "ESMTPSA", "1.3", "TLS_AES_128_GCM_SHA256", true, "2020-08-11T08:32:00Z"},
    {"ZMailer at vger",
     " from mail-mw2nam12on2070.outbound.protection.outlook.com ([40.107.244.70]:33537\n        \"EHLO "
     "NAM12-MW2-obe.outbound.protection.outlook.com\"\n        rhost-flags-OK-OK-OK-FAIL) by vger.kernel.org with "
     "ESMTP\n   "
     "     id S1343827AbhDFMNX (ORCPT <rfc822;linux-cifs@vger.kernel.org>);\n        Tue, 6 Apr 2021 08:13:23 -0400",
     "NAM12-MW2-obe.outbound.protection.outlook.com", "mail-mw2nam12on2070.outbound.protection.outlook.com",
     "40.107.244.70", "vger.kernel.org", none, "ESMTP", none, none, false, "2021-04-06T12:13:23Z"},
    {"ZMailer list expansion",
     " (majordomo@vger.kernel.org) by vger.kernel.org via listexpand\n        id S1343848AbhDFMNZ (ORCPT "
     "<rfc822;lists+linux-cifs@lfdr.de>);\n        Tue, 6 Apr 2021 08:13:25 -0400",
     none, none, none, "vger.kernel.org", none, none, none, none, false, "2021-04-06T12:13:25Z"},
    {"Cyrus LMTP over a socket",
     " from acomputer ([unix socket])\n\t by imap01.example.net (Cyrus) with LMTPA;\n\t Sun, 23 Dec 2007 15:04:04 "
     "-0800",
     "acomputer", none, none, "imap01.example.net", none, "LMTPA", none, none, false, "2007-12-23T23:04:04Z"},
    {"LMTP with LHLO",
     " from lvmail01.LL.com (LHLO lvmail01.LL.com)  (10.60.6.3) by lvmail01.LL.com with LMTP; Tue, 23 Feb 2010 "
     "22:16:41  "
     "-0800 (PST)",
     "lvmail01.LL.com", "lvmail01.LL.com", "10.60.6.3", "lvmail01.LL.com", none, "LMTP", none, none, false,
     "2010-02-24T06:16:41Z"},
    {"Dovecot LMTP delivery",
     " from mx.example.org\n\tby mbox1.example.org with LMTP\n\tid 2H9SFJIvBGc/6gAAe85BDQ\n\t(envelope-from "
     "<a@example.org>)\n\tfor <b@example.org>; Mon, 07 Oct 2024 21:02:10 +0200",
     "mx.example.org", none, none, "mbox1.example.org", none, "LMTP", none, none, false, "2024-10-07T19:02:10Z"},
    {"IronPort TLS in the protocol",
     " from nroy-mobl1.amr.corp.intel.com (HELO [10.212.209.4]) ([10.212.209.4]) by orsmga006-auth.jf.intel.com with "
     "ESMTP/TLS/ECDHE-RSA-AES256-GCM-SHA384; 28 Nov 2022 11:48:08 -0800",
     "[10.212.209.4]", "nroy-mobl1.amr.corp.intel.com", "10.212.209.4", "orsmga006-auth.jf.intel.com", none,
     "ESMTP/TLS/ECDHE-RSA-AES256-GCM-SHA384", none, "ECDHE-RSA-AES256-GCM-SHA384", true, "2022-11-28T19:48:08Z"},
    {"MessageLabs: a cipher before \"encrypted SMTP\"",
     " from unknown (HELO n03ukasimr02.n03.fujitsu.local) (62.60.8.146)\n  by server-5.tower-226.messagelabs.com "
     "with ECDHE-RSA-AES256-GCM-SHA384 encrypted SMTP; 23 Nov 2021 00:59:44 -0000",
     "n03ukasimr02.n03.fujitsu.local", none, "62.60.8.146", "server-5.tower-226.messagelabs.com", none,
     "ECDHE-RSA-AES256-GCM-SHA384 encrypted SMTP", none, "ECDHE-RSA-AES256-GCM-SHA384", true, "2021-11-23T00:59:44Z"},
    {"Not Verified names nothing",
     " from hqpgpgate101.nvidia.com (Not Verified[216.228.121.13]) by hqnvemgate25.nvidia.com (using TLS: TLSv1.2, "
     "DES-CBC3-SHA) id <B5f48fe4f0000>; Fri, 28 Aug 2020 05:53:35 -0700",
     "hqpgpgate101.nvidia.com", none, "216.228.121.13", "hqnvemgate25.nvidia.com", none, none, "1.2", "DES-CBC3-SHA",
     true, "2020-08-28T12:53:35Z"},
};

}  // namespace

BOOST_AUTO_TEST_CASE(dialect_table) {
    for (const auto& w : kCases) {
        BOOST_TEST_CONTEXT(w.name) {
            auto r = parse_received(w.stamp);
            BOOST_TEST(r.from.helo == w.helo);
            BOOST_TEST(r.from.rdns == w.rdns);
            BOOST_TEST(r.from.ip == w.ip);
            BOOST_TEST(r.by.host == w.by_host);
            BOOST_TEST(r.by.ip == w.by_ip);
            BOOST_TEST(r.with == w.with);
            BOOST_TEST(r.tls.has_value() == w.tls);
            if (r.tls) {
                // TLS the stamp names without a version reads "unknown".
                BOOST_TEST(r.tls->version == (w.tls_version ? w.tls_version : opt("unknown")));
                BOOST_TEST(r.tls->cipher == w.tls_cipher);
            }
            BOOST_TEST((r.time ? opt(hopscope::format_utc(*r.time)) : none) == w.time);
            BOOST_TEST(r.anomalies.empty());
        }
    }
}

BOOST_AUTO_TEST_CASE(host_is_rdns_then_helo) {
    auto r = parse_received(" from helo.example (rdns.example. [192.0.2.1]) by mx; Mon, 1 Jan 2024 00:00:00 +0000");
    BOOST_TEST(*r.from.host == "rdns.example");
    auto m = parse_received(
        " from helo.example (192.0.2.1) by mx with Microsoft SMTP Server; Mon, 1 Jan 2024 00:00:00 +0000");
    BOOST_TEST(*m.from.host == "helo.example");
}

// indimail writes "by host NAME": the word "host" is no host; a by-host
// that is only "host" (no name after it) stays as written.
BOOST_AUTO_TEST_CASE(indimail_by_host_name) {
    auto r = parse_received(
        " indimail-mta queue 58880 by host email.example.jp\n (invoked by uid 0); Wed, 26 Jun 2024 15:20:58 +0900");
    BOOST_REQUIRE(r.by.host);
    BOOST_TEST(*r.by.host == "email.example.jp");
    auto bare = parse_received(" from a.example by host; Wed, 26 Jun 2024 15:20:58 +0900");
    BOOST_REQUIRE(bare.by.host);
    BOOST_TEST(*bare.by.host == "host");
}

// Sendmail's "(authenticated bits=0)" after the sender's comment is kept as a
// note: the sender logged in.
BOOST_AUTO_TEST_CASE(sendmail_authenticated_comment) {
    auto r = parse_received(
        " from [192.168.2.4] (host-203-0-113-114.isp.example [203.0.113.114]\n (may be forged)) "
        "(authenticated bits=0)\n by smtp.university.example (8.14.4/8.14.4) with ESMTP id x71FE1vV016437; "
        "Thu, 1 Aug 2019 17:14:19 +0200");
    BOOST_TEST(std::ranges::count(r.notes, std::string("authenticated bits=0")) == 1);
}

// IBM's SMTP gateway writes its TLS comment after the ';', before the date.
BOOST_AUTO_TEST_CASE(tls_comment_between_semicolon_and_date) {
    auto r = parse_received(
        " from smtp.notes.example (192.0.2.67)\n by gw.ibm.example (198.51.100.22) with IBM ESMTP SMTP Gateway: "
        "Authorized Use Only! Violators will be prosecuted;\n (version=TLSv1/SSLv3 cipher=AES128-GCM-SHA256 "
        "bits=128/128)\n Wed, 8 Mar 2017 11:46:17 -0500");
    BOOST_REQUIRE(r.tls);
    BOOST_TEST(r.tls->version.value_or("") == "unknown");
    BOOST_TEST(r.tls->cipher.value_or("") == "AES128-GCM-SHA256");
    BOOST_REQUIRE(r.time);
    auto plain = parse_received(" from a.example by b.example with SMTP; (a note) Wed, 8 Mar 2017 11:46:17 -0500");
    BOOST_TEST(!plain.tls);
}

// "(really [IP])" names the address, not a host called "really".
BOOST_AUTO_TEST_CASE(really_names_no_host) {
    auto r = parse_received(
        " from [10.0.0.1] (really [124.183.219.10]) by smtp.example.net with ESMTP; Mon, 1 Jan 2024 00:00:00 +0000");
    BOOST_TEST(r.from.ip.value_or("") == "124.183.219.10");
    BOOST_TEST(!r.from.rdns);
    BOOST_TEST(r.from.host.value_or("") != "really");
}

// Microsoft SMTPSVC (IIS) says TLS in words between the by-host and "with".
BOOST_AUTO_TEST_CASE(smtpsvc_over_tls_secured_channel) {
    auto r = parse_received(
        " from BLU004-OMC3S13.hotmail.example ([65.55.116.88]) by BAY004-MC2F13.hotmail.example over TLS secured "
        "channel with Microsoft SMTPSVC(7.5.7601.22712);\n\t Thu, 29 Jan 2015 23:34:45 -0800");
    BOOST_REQUIRE(r.tls);
    BOOST_TEST(r.tls->version.value_or("") == "unknown");
    BOOST_TEST(r.by.host.value_or("") == "BAY004-MC2F13.hotmail.example");
    BOOST_TEST(r.mta.value_or("") == "Microsoft SMTPSVC");
    BOOST_TEST(std::ranges::count(r.notes, std::string("secured")) == 0);
    auto plain = parse_received(
        " from a.example ([192.0.2.1]) by b.example with Microsoft SMTPSVC(6.0.3790.4675); Thu, 29 Jan 2015 "
        "23:34:45 -0800");
    BOOST_TEST(!plain.tls);
}

BOOST_AUTO_TEST_CASE(clauses_id_for_via) {
    auto r = parse_received(
        " from a.example (a.example [192.0.2.1]) by b.example (Postfix) with ESMTP id ABC123 for <u@b.example>; Mon, 1 "
        "Jan "
        "2024 00:00:00 +0000");
    BOOST_TEST(*r.id == "ABC123");
    BOOST_TEST(*r.for_ == "u@b.example");
    BOOST_TEST(*r.mta == "Postfix");
    auto v = parse_received(
        " (majordomo@vger.kernel.org) by vger.kernel.org via listexpand id S1; Tue, 6 Apr 2021 08:13:25 -0400");
    BOOST_TEST(*v.via == "listexpand");
}

BOOST_AUTO_TEST_CASE(keywords_inside_comments_do_not_split) {
    auto r = parse_received(
        " from x.example (x.example [192.0.2.1] (from by with id for via)) by y.example with SMTP id Q; Mon, 1 Jan "
        "2024 "
        "00:00:00 +0000");
    BOOST_TEST(*r.by.host == "y.example");
    BOOST_TEST(*r.with == "SMTP");
    BOOST_TEST(*r.id == "Q");
}

BOOST_AUTO_TEST_CASE(semicolon_inside_comment_is_not_the_date) {
    auto r = parse_received(
        " from a ([40.107.244.70]:33537 \"EHLO a\" rhost-flags-OK-OK-OK-FAIL) by vger.kernel.org with ESMTP id S1 "
        "(ORCPT "
        "<rfc822;x@y>); Tue, 6 Apr 2021 08:13:23 -0400");
    BOOST_REQUIRE(r.time);
    BOOST_TEST(hopscope::format_utc(*r.time) == "2021-04-06T12:13:23Z");
}

BOOST_AUTO_TEST_CASE(unclosed_comment_still_finds_date) {
    auto r = parse_received(
        " from jsj1wlrmd001.webex.com (by jsj1wlrmd001.webex.com\n  (8.12.10/8.12.11) with ESMTP id m8MKKPTs022429\n  "
        "for "
        "<xxxx@example.com>; Mon, 22 Sep 2008 20:20:25 GMT");
    BOOST_REQUIRE(r.time);
    BOOST_TEST(hopscope::format_utc(*r.time) == "2008-09-22T20:20:25Z");
    BOOST_TEST(r.anomalies.front().kind == "unbalanced");
}

BOOST_AUTO_TEST_CASE(missing_date_is_null_and_flagged) {
    auto r = parse_received(" from localhost (localhost [127.0.0.1])");
    BOOST_TEST(!r.time);
    BOOST_TEST(r.anomalies.at(0).kind == "missing-date");
}

BOOST_AUTO_TEST_CASE(date_without_semicolon_is_recovered_and_flagged) {
    auto r = parse_received(" from a by b with SMTP id 7 Tue, 6 Apr 2021 08:13:23 -0400");
    BOOST_REQUIRE(r.time);
    BOOST_TEST(hopscope::format_utc(*r.time) == "2021-04-06T12:13:23Z");
    BOOST_TEST(r.anomalies.at(0).kind == "missing-semicolon");
    BOOST_TEST(*r.id == "7");
}

// SendGrid's filter stamps: a Go time after the id, no ';' at all.
BOOST_AUTO_TEST_CASE(sendgrid_filter_go_time_without_semicolon) {
    auto r = parse_received(
        " by filter0000p1las1.sendgrid.net with SMTP id filter0000p1las1-1234-5DE879C4-B\r\n"
        "        2019-12-05 03:30:12.278306733 +0000 UTC m=+25522.916850060");
    BOOST_REQUIRE(r.time);
    BOOST_TEST(hopscope::format_utc(*r.time) == "2019-12-05T03:30:12Z");
    BOOST_TEST(*r.id == "filter0000p1las1-1234-5DE879C4-B");
    BOOST_TEST(*r.by.host == "filter0000p1las1.sendgrid.net");
    auto ismtpd = parse_received(
        " from github.com (out-21.smtp.github.com [192.30.252.204]) by ismtpd0004p1iad1.sendgrid.net (SG) with "
        "ESMTP id abc for <u@example.org>; Thu, 05 Dec 2019 03:30:12.201 +0000 (UTC)");
    BOOST_REQUIRE(ismtpd.time);
    BOOST_TEST(hopscope::format_utc(*ismtpd.time) == "2019-12-05T03:30:12Z");
    BOOST_TEST(ismtpd.anomalies.empty());
}

BOOST_AUTO_TEST_CASE(exim_local_names_a_user_not_a_client) {
    auto r = parse_received(" from jgg by mlx with local (Exim 4.94) id 1l; Tue, 06 Apr 2021 09:13:12 -0300");
    BOOST_TEST(!r.from.host);
    BOOST_TEST(r.notes.at(0) == "local user jgg");
}

BOOST_AUTO_TEST_CASE(garbage_is_flagged_not_fatal) {
    auto r = parse_received(" this is not a stamp at all");
    BOOST_TEST(r.anomalies.at(0).kind == "unparsable-received");
}

// The dotted-quad reader accepts exactly what inet_pton(AF_INET) accepts.
BOOST_AUTO_TEST_CASE(ipv4_reader_agrees_with_inet_pton) {
    std::vector<std::string> cases = {
        "1.2.3.4",    "0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4",       "1.2.3",    "1.2.3.4.5",
        "1..2.3",     ".1.2.3",  "1.2.3.",          "1.2.3.4 ",  "1.2.3.04",       "10.0.0.1", "192.168.000.1",
        "1234.1.1.1", "a.b.c.d", "1.2.3.0x4",       "",          "999.999.999.999"};
    // Quads (and not quite quads) built from edge-case octets.
    const char* octets[] = {"0", "1", "9", "10", "99", "100", "199", "255", "256", "01", "001", "", "1000", "25a"};
    std::uint32_t seed = 7;
    auto next = [&](std::uint32_t n) {
        seed = seed * 1103515245U + 12345U;
        return (seed >> 16) % n;
    };
    for (int n = 0; n < 20000; ++n) {
        std::string s;
        auto parts = 3 + next(3);
        for (unsigned k = 0; k < parts; ++k) {
            if (k > 0) s.push_back('.');
            s += octets[next(14)];
        }
        cases.push_back(s);
    }
    int accepted = 0;
    for (const auto& c : cases) {
        std::array<unsigned char, 4> bin{};
        bool want = inet_pton(AF_INET, c.c_str(), bin.data()) == 1;
        auto got = hopscope::normalise_ip(c);
        BOOST_TEST_CONTEXT(c) {
            BOOST_TEST(got.has_value() == want);
            if (got && want) BOOST_TEST(*got == c);
        }
        accepted += want ? 1 : 0;
    }
    BOOST_TEST(accepted > 500);  // about 700 of the 20,000 are valid quads
}

// A zone id is cut off wherever the first '%' is, and only what comes
// before it has to be an address.
BOOST_AUTO_TEST_CASE(normalise_ip_drops_zone_ids_and_turns_names_away) {
    BOOST_TEST(hopscope::normalise_ip("fe80::1%eth0").value_or("-") == "fe80::1");
    BOOST_TEST(hopscope::normalise_ip("IPv6:2001:DB8::1%25").value_or("-") == "2001:db8::1");
    BOOST_TEST(hopscope::normalise_ip("192.0.2.1%x y").value_or("-") == "192.0.2.1");
    BOOST_TEST(!hopscope::normalise_ip("%eth0"));
    BOOST_TEST(!hopscope::normalise_ip("mx.example%1"));
    BOOST_TEST(!hopscope::normalise_ip("192.0.2.1x%1"));
    BOOST_TEST(!hopscope::normalise_ip(std::string(65, '1') + "%1"));
}

BOOST_AUTO_TEST_CASE(loopback_and_site_local_addresses) {
    BOOST_TEST(hopscope::loopback_address("127.0.0.1"));
    BOOST_TEST(hopscope::loopback_address("127.10.0.2"));
    BOOST_TEST(hopscope::loopback_address("::1"));
    BOOST_TEST(hopscope::loopback_address("0:0:0:0:0:0:0:1"));  // the same address, written out
    BOOST_TEST(!hopscope::loopback_address("128.0.0.1"));
    BOOST_TEST(!hopscope::loopback_address("::2"));
    BOOST_TEST(!hopscope::loopback_address("localhost"));
    BOOST_TEST(hopscope::site_local_address("10.1.2.3"));
    BOOST_TEST(hopscope::site_local_address("100.64.0.1"));  // CGNAT
    BOOST_TEST(hopscope::site_local_address("fe80::1"));
    BOOST_TEST(!hopscope::site_local_address("100.128.0.1"));
    BOOST_TEST(!hopscope::site_local_address("2001:db8::1"));
}

namespace {
// A small reproducible source of numbers below n (xorshift64).
struct XorShift {
    std::uint64_t state;
    unsigned operator()(unsigned n) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return static_cast<unsigned>(state % n);
    }
};
}  // namespace

// format_ipv6 replaces glibc's inet_ntop (whose sprintf per group cost more
// than the parse): it must write exactly what inet_ntop writes, for random
// addresses biased towards zero groups, runs, ties and embedded IPv4.
BOOST_AUTO_TEST_CASE(format_ipv6_writes_what_inet_ntop_writes) {
    XorShift next{0x9e3779b97f4a7c15ULL};
    for (int round = 0; round < 200000; ++round) {
        std::array<unsigned char, 16> b{};
        for (std::size_t g = 0; g < 8; ++g) {
            unsigned kind = next(4);  // zero, small, 0xffff or anything
            unsigned v = kind == 0 ? 0 : kind == 1 ? next(16) : kind == 2 ? 0xffff : next(65536);
            b[2 * g] = static_cast<unsigned char>(v >> 8);
            b[2 * g + 1] = static_cast<unsigned char>(v & 0xff);
        }
        if (round % 7 == 0)  // ::ffff:a.b.c.d and ::a.b.c.d shapes
            for (std::size_t k = 0; k < 10; ++k) b[k] = 0;
        std::array<char, INET6_ADDRSTRLEN> want{};
        BOOST_REQUIRE(inet_ntop(AF_INET6, b.data(), want.data(), want.size()) != nullptr);
        std::string got = hopscope::format_ipv6(b);
        if (got != want.data()) BOOST_TEST(got == std::string(want.data()));
    }
}

// normalise_ip writes an IPv6 address as inet_pton and inet_ntop give it,
// for addresses written canonically and otherwise (upper
// case, leading zeros, zero groups written out, "::" at a shorter run, the
// wrong number of groups, a stray colon).
BOOST_AUTO_TEST_CASE(normalise_ip_agrees_with_inet_pton_and_inet_ntop_on_ipv6) {
    XorShift next{0x2545f4914f6cdd1dULL};
    std::vector<std::string> cases = {"::",
                                      "::1",
                                      "1::",
                                      "::0:1",
                                      "0::1",
                                      "1::0",
                                      "1:0:0:2::3",
                                      "1::2:0:0:3",
                                      "::ffff:1:2",
                                      "::1:2",
                                      "::1:2:3",
                                      ":::",
                                      "1:::2",
                                      "1:2",
                                      ":1::2",
                                      "1::2:",
                                      "1:2:3:4:5:6:7::",
                                      "1:2:3:4:5:6::7",
                                      "1:2:3:4:5:6:7:8",
                                      "1:2:3:4:5:6:7:8:9",
                                      "12345::1",
                                      "01::1",
                                      "a:b:c:d:e:f:0:0",
                                      "0:0:a:b:c:d:e:f",
                                      "0:0:a:0:0:d:e:f",
                                      "a:0:0:b:0:0:c:d"};
    int canonical = 0;
    for (int round = 0; round < 100000; ++round) {
        std::array<unsigned, 8> w{};
        for (auto& v : w) {
            unsigned kind = next(4);  // zero, small, 0xffff or anything
            v = kind == 0 ? 0 : kind == 1 ? next(16) : kind == 2 ? 0xffff : next(65536);
        }
        std::array<unsigned char, 16> b{};
        for (std::size_t g = 0; g < 8; ++g) {
            b[2 * g] = static_cast<unsigned char>(w[g] >> 8);
            b[2 * g + 1] = static_cast<unsigned char>(w[g] & 0xff);
        }
        std::array<char, INET6_ADDRSTRLEN> text{};
        BOOST_REQUIRE(inet_ntop(AF_INET6, b.data(), text.data(), text.size()) != nullptr);
        std::string s = text.data();
        switch (next(6)) {
            case 0:  // upper case
                for (char& c : s)
                    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
                break;
            case 1: {  // every group written out, some with leading zeros
                s.clear();
                for (std::size_t g = 0; g < 8; ++g) {
                    std::array<char, 8> group{};
                    std::snprintf(group.data(), group.size(), next(2) == 0 ? "%x" : "%04x", w[g]);
                    s += (g > 0 ? ":" : "") + std::string(group.data());
                }
                break;
            }
            case 2:  // a byte changed to another one an address may hold
                if (!s.empty()) s[next(static_cast<unsigned>(s.size()))] = "0:f1."[next(5)];
                break;
            case 3:  // a byte dropped
                if (!s.empty()) s.erase(next(static_cast<unsigned>(s.size())), 1);
                break;
            default:
                break;
        }
        cases.push_back(s);
    }
    for (const auto& c : cases) {
        std::array<unsigned char, 16> bin{};
        std::optional<std::string> want;
        if (c.find(':') != std::string::npos && inet_pton(AF_INET6, c.c_str(), bin.data()) == 1) {
            std::array<char, INET6_ADDRSTRLEN> text{};
            BOOST_REQUIRE(inet_ntop(AF_INET6, bin.data(), text.data(), text.size()) != nullptr);
            want = std::string(text.data());
        }
        if (c.find(':') == std::string::npos) continue;  // dotted quads: the test above
        auto got = hopscope::normalise_ip(c);
        if (got != want) BOOST_TEST_CONTEXT(c) {
                BOOST_TEST(got.value_or("-") == want.value_or("-"));
            }
        canonical += want && *want == c ? 1 : 0;
    }
    BOOST_TEST(canonical > 20000);  // the unchanged ones, about a third
}

// The phrase a sender comment is searched for is found at every place, in
// any case, in comments of every length (the search reads sixteen places at
// a time, with blocks at the start and end of short texts), and a near miss
// is found nowhere.
BOOST_AUTO_TEST_CASE(authenticated_sender_is_found_at_every_place_of_every_length) {
    const std::string pattern = "aA:s a:Sa ";  // the phrase's first and last bytes, in both cases
    auto padding = [&](std::size_t n) {
        std::string p;
        for (std::size_t k = 0; k < n; ++k) p.push_back(pattern[k % pattern.size()]);
        return p;
    };
    for (std::string_view phrase : {"Authenticated sender:", "authenticated SENDER:", "Authenticated sendex:"}) {
        const bool want = !phrase.ends_with("sendex:");
        for (std::size_t before = 0; before <= 40; ++before)
            for (std::size_t after = 0; after <= 40; ++after) {
                std::string inner = padding(before) + std::string(phrase) + padding(after);
                auto r = parse_received(" from h (" + inner + ") by mx.example.com; Tue, 14 Nov 2023 22:13:20 +0000");
                bool noted = std::find(r.notes.begin(), r.notes.end(), inner) != r.notes.end();
                if (noted != want) BOOST_TEST_CONTEXT(inner) {
                        BOOST_TEST(noted == want);
                    }
            }
    }
}
