#!/usr/bin/env python3
"""A fleet mailbox: the mail one Microsoft 365 tenant (contoso.com) receives
from its devices and applications over a few days, each sender with a known
way into Microsoft 365, written as the software involved writes it (the
stamps and Exchange headers of corpus/demo-o365-relay.eml,
o365-direct-send.eml, o365-smtp-auth-submission.eml,
connectors/internet-but-connector-matches.eml, o365-inbound-from-internet.eml
and o365-owa-https.eml). Seeded: the same seed writes the same bytes.

    fleet_mailbox.py SEED OUT.mbox EXPECTED.json

EXPECTED.json holds, per sender (origin device and From address), what the
audit by sender must find, and per message its source index and relay
answer, so a test can check every group and every CSV row.
"""
import datetime
import json
import random
import sys

TENANT = "contoso.com"
CIPHER12 = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
CIPHER10 = "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"


def rfc5322(t, zone_minutes=0):
    """'Tue, 14 May 2024 09:12:03 +0200' for UTC time t shown in the zone."""
    local = t + datetime.timedelta(minutes=zone_minutes)
    sign = "+" if zone_minutes >= 0 else "-"
    z = abs(zone_minutes)
    return local.strftime("%a, %d %b %Y %H:%M:%S ") + f"{sign}{z // 60:02d}{z % 60:02d}"


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Tenant:
    """Exchange Online's own stamps: EOP front end, a front-end transport
    server and the mailbox servers, as the corpus samples show them."""

    def __init__(self, rng):
        self.rng = rng

    def name(self, prefix, n):
        return f"{prefix}{self.rng.randrange(16 ** n):0{n}X}"

    def delivery(self, t, eop):
        fe = self.name("AS9PR06CA", 4)
        mbx = self.name("DB9PR04MB", 4)
        inbox = self.name("DU0PR04MB", 4)
        return [
            f"Received: from {mbx}.eurprd04.prod.outlook.com (2603:10a6:10:2c4::9) by\n"
            f" {inbox}.eurprd04.prod.outlook.com with HTTPS; {rfc5322(t + datetime.timedelta(seconds=3))}",
            f"Received: from {fe}.eurprd06.prod.outlook.com (2603:10a6:20b:49b::20)\n"
            f" by {mbx}.eurprd04.prod.outlook.com (2603:10a6:10:2c4::9) with\n"
            f" Microsoft SMTP Server (version=TLS1_2,\n cipher={CIPHER12}) id 15.20.7587.21;\n"
            f" {rfc5322(t + datetime.timedelta(seconds=2))}",
            f"Received: from {eop}.eurprd04.prod.outlook.com\n (2603:10a6:208:bd:cafe::27) by"
            f" {fe}.outlook.office365.com\n (2603:10a6:20b:49b::20) with Microsoft SMTP Server (version=TLS1_2,\n"
            f" cipher={CIPHER12}) id 15.20.7587.22 via Frontend\n Transport; {rfc5322(t + datetime.timedelta(seconds=1))}",
        ]


def eop_entry(eop, helo, ip, t, tls):
    """EOP's stamp of the connection it took the message from."""
    server = (f"Microsoft SMTP\n Server (version=TLS1_{tls}, cipher={CIPHER10 if tls == '0' else CIPHER12}) id"
              if tls else "Microsoft SMTP\n Server id")
    return (f"Received: from {helo} ({ip}) by\n {eop}.mail.protection.outlook.com (10.167.16.73) with {server}\n"
            f" 15.20.7587.21 via Frontend Transport; {rfc5322(t)}")


def postfix(device_host, device_ip, relay, to, t, queue_id):
    return (f"Received: from {device_host} (unknown [{device_ip}])\n\tby {relay} (Postfix) with ESMTP id {queue_id}\n"
            f"\tfor <{to}>; {rfc5322(t, 120)} (CEST)")


def exchange_headers(entity, auth_as, direction, eop, ip, t, extra=()):
    lines = [f"X-MS-Exchange-Organization-MessageDirectionality: {direction}",
             f"X-MS-Exchange-Organization-AuthSource:\n {eop}.eurprd04.prod.outlook.com",
             f"X-MS-Exchange-Organization-AuthAs: {auth_as}"]
    if entity:
        lines.append(f"X-MS-Exchange-CrossTenant-FromEntityHeader: {entity}")
    if ip:
        lines.append(f"X-MS-Exchange-CrossTenant-OriginalArrivalTime: {t.strftime('%d %b %Y %H:%M:%S')}.{t.microsecond // 100:04d}\n (UTC)")
        lines.append(f"X-Forefront-Antispam-Report:\n CIP:{ip};CTRY:NL;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;"
                     f"CAT:NONE;SFS:(13230031)(82310400017);DIR:INB;")
    return lines + list(extra)


def auth_results(ip, domain):
    return (f"Authentication-Results: spf=pass (sender IP is {ip})\n smtp.mailfrom={domain}; dkim=none (message not"
            f" signed)\n header.d=none;dmarc=pass action=none header.from={domain};compauth=pass\n reason=100")


# The fleet: each sender with the way its mail enters Microsoft 365 and what
# the relay answer must say of it (state, method, TLS into EOP).
SENDERS = [
    # A scanner through the on-premises Postfix relay and its connector (HybridOnPrem), TLS 1.2.
    dict(key="scanner-3f", kind="relay", device=("scanner-3f.contoso.local", "10.20.30.41"),
         sender=("Scanner 3rd floor", "Scanner-3F@Contoso.com"), relay=("relay.contoso.com", "198.51.100.77"),
         entity="HybridOnPrem", tls="2", state="traversed", method="connector-relay", tls_words="1.2"),
    # The same scanner writing as another address: another sender.
    dict(key="scanner-3f-scans", kind="relay", device=("scanner-3f.contoso.local", "10.20.30.41"),
         sender=("Scans", "scans@contoso.com"), relay=("relay.contoso.com", "198.51.100.77"),
         entity="HybridOnPrem", tls="2", state="traversed", method="connector-relay", tls_words="1.2"),
    # An old multifunction device through the second relay, which still speaks TLS 1.0.
    dict(key="mfp-2f", kind="relay", device=("mfp-2f.contoso.local", "10.20.31.12"),
         sender=("MFP 2nd floor", "mfp-2f@contoso.com"), relay=("relay2.contoso.com", "203.0.113.45"),
         entity="HybridOnPrem", tls="0", state="traversed", method="connector-relay", tls_words="1.0"),
    # An application through the relay, but no connector matched: Internet, Anonymous, no TLS. How it
    # entered is "unknown": no connector took it, and nothing says Direct Send or submission.
    dict(key="erp", kind="relay", device=("erp01.contoso.local", "10.20.40.5"),
         sender=("ERP", "erp@contoso.com"), relay=("relay.contoso.com", "198.51.100.77"),
         entity="Internet", tls="", state="not-traversed", method="direct-send", tls_words="none",
         reason="connector-not-matched"),
    # A device sending straight to the tenant's MX: Direct Send.
    dict(key="ricoh", kind="direct", device=("RICOH-IMC3000", "203.0.113.88"),
         sender=(None, "ricoh@contoso.com"), state="not-traversed", method="direct-send", tls_words="none"),
    # A NAS with SMTP AUTH to smtp.office365.com: client submission.
    dict(key="nas", kind="submission", device=("[192.168.1.64]", "198.51.100.201"),
         sender=("Synology DS920", "nas@contoso.com"), state="not-traversed", method="client-submission",
         tls_words="1.2"),
    # A partner's mail: its internal host, its own MX, then EOP as internet mail.
    dict(key="partner", kind="inbound", device=("app01.fabrikam.example", "10.1.2.3"),
         sender=("Fabrikam orders", "orders@fabrikam.example"), relay=("mail.fabrikam.example", "192.0.2.25"),
         state="not-applicable", method="inbound", tls_words="1.2"),
    # Written in an Exchange Online mailbox (Outlook on the web): its first
    # stamp is the mailbox server's own hand-over, which names no client.
    dict(key="owa", kind="mailbox", device=(None, None),
         sender=("Priya Natarajan", "priya@contoso.com"), state="not-applicable", method="mailbox", tls_words=None),
]


def message(s, t, n, rng, tenant):
    """One message of sender s sent at UTC time t: its header lines."""
    to = "accounts.payable@" + TENANT
    name, addr = s["sender"]
    from_line = f'From: "{name}" <{addr}>' if name else f"From: {addr}"
    domain = addr.split("@")[1].lower()
    msg_id = f"<{t.strftime('%Y%m%d%H%M%S')}.{n:04d}.{s['key']}@{domain}>"
    eop = tenant.name("AM4PEPF0002", 4)
    t_eop = t + datetime.timedelta(seconds=2 + rng.randrange(3))
    stamps = []
    headers = []
    if s["kind"] in ("relay", "inbound"):
        relay, relay_ip = s["relay"]
        stamps = tenant.delivery(t_eop, eop)
        stamps.append(auth_results(relay_ip, domain))
        stamps.append(eop_entry(eop, relay, relay_ip, t_eop, s.get("tls", "2")))
        queue = "".join(rng.choice("BCDFGHJKLMNPQRSTVWXZbcdfghjklmnpqrstvwxz0123456789") for _ in range(12))
        stamps.append(postfix(s["device"][0], s["device"][1], relay, to, t + datetime.timedelta(seconds=1), queue))
        if s["kind"] == "inbound":
            headers = exchange_headers("Internet", "Anonymous", "Incoming", eop, relay_ip, t_eop)
        else:
            headers = exchange_headers(s["entity"], "Anonymous", "Incoming", eop, relay_ip, t_eop)
    elif s["kind"] == "direct":
        helo, ip = s["device"]
        stamps = tenant.delivery(t_eop, eop)
        stamps.append(eop_entry(eop, helo, ip, t_eop, ""))
        headers = exchange_headers("Internet", "Anonymous", "Incoming", eop, ip, t_eop) + [auth_results(ip, domain)]
    elif s["kind"] == "submission":
        helo, ip = s["device"]
        mbx = tenant.name("PR3PR10MB", 4)
        fe = tenant.name("AS4P195CA", 4)
        stamps = [
            f"Received: from {mbx}.EURPRD10.PROD.OUTLOOK.COM (2603:10a6:102:b2::21)\n by"
            f" DU0PR10MB6226.EURPRD10.PROD.OUTLOOK.COM with HTTPS; {rfc5322(t_eop + datetime.timedelta(seconds=2))}",
            f"Received: from {mbx}.EURPRD10.PROD.OUTLOOK.COM\n ([fe80::62e1:5d44:3b0f:91c2]) by"
            f" {mbx}.EURPRD10.PROD.OUTLOOK.COM\n ([fe80::62e1:5d44:3b0f:91c2%4]) with mapi id 15.20.7362.024;"
            f" {rfc5322(t_eop + datetime.timedelta(seconds=1))}",
            f"Received: from {helo} ({ip}) by\n {fe}.outlook.office365.com (2603:10a6:20b:5d6::19) with Microsoft\n"
            f" SMTP Server (version=TLS1_2, cipher={CIPHER12}) id\n 15.20.7362.26 via Frontend Transport;"
            f" {rfc5322(t_eop)}",
        ]
        headers = ["X-MS-Exchange-Organization-AuthAs: Internal", "X-MS-Exchange-Organization-AuthMechanism: 04",
                   f"X-MS-Exchange-Organization-AuthSource: {fe}.eurprd08.prod.outlook.com",
                   "X-MS-Exchange-Organization-MessageDirectionality: Originating",
                   "X-MS-Exchange-CrossTenant-AuthAs: Internal",
                   f"X-MS-Exchange-CrossTenant-AuthSource: {fe}.eurprd08.prod.outlook.com"]
    elif s["kind"] == "mailbox":
        mbx = tenant.name("BL1PR17MB", 4)
        inbox = tenant.name("DS0PR17MB", 4)
        ip = s["device"][1]
        stamps = [
            f"Received: from {inbox}.namprd17.prod.outlook.com (2603:10b6:8:13c::9) by\n"
            f" BL1PR17MB5918.namprd17.prod.outlook.com with HTTPS; {rfc5322(t + datetime.timedelta(seconds=2))}",
            f"Received: from {mbx}.namprd17.prod.outlook.com (2603:10b6:208:389::6)\n by"
            f" {inbox}.namprd17.prod.outlook.com (2603:10b6:8:13c::9) with\n Microsoft SMTP Server (version=TLS1_2,\n"
            f" cipher={CIPHER12}) id 15.20.8137.29; {rfc5322(t + datetime.timedelta(seconds=1))}",
            f"Received: from {mbx}.namprd17.prod.outlook.com\n ([{ip}]) by {mbx}.namprd17.prod.outlook.com\n"
            f" ([{ip}%3]) with mapi id 15.20.8137.027; {rfc5322(t + datetime.timedelta(seconds=1))}",
        ]
        headers = ["X-MS-Exchange-Organization-AuthAs: Internal",
                   f"X-MS-Exchange-Organization-AuthSource: {mbx}.namprd17.prod.outlook.com"]
    zone = 120 if s["kind"] in ("relay", "direct", "submission") else 0
    lines = stamps + [f"Date: {rfc5322(t, zone)}", from_line, f"To: <{to}>",
                      f"Subject: {s['key']} message {n}", f"Message-ID: {msg_id}", "MIME-Version: 1.0",
                      "Content-Type: text/plain; charset=us-ascii"] + headers
    return "\n".join(lines) + "\n\n" + f"Message {n} of {s['key']}.\n", msg_id


def main():
    seed, out_path, expected_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    rng = random.Random(seed)
    tenant = Tenant(rng)
    start = datetime.datetime(2024, 5, 13, 6, 0, 0)
    plan = []
    for s in SENDERS:
        for _ in range(rng.randint(3, 9)):
            t = start + datetime.timedelta(days=rng.randrange(5), seconds=rng.randrange(12 * 3600))
            plan.append((t, s))
    rng.shuffle(plan)  # mail arrives interleaved, not sender by sender
    expected = {"senders": {}, "messages": []}
    with open(out_path, "w", encoding="utf-8", newline="\n") as out:
        for index, (t, s) in enumerate(plan):
            text, msg_id = message(s, t, index, rng, tenant)
            out.write(f"From MAILER-DAEMON {t.strftime('%a %b %d %H:%M:%S %Y')}\n{text}\n")
            origin = s["device"][1]
            addr = s["sender"][1].lower()
            g = expected["senders"].setdefault(f"{origin} {addr}", {
                "origin": origin, "from_address": addr, "messages": 0, "traversed": 0, "not_traversed": 0,
                "not_applicable": 0, "methods": {}, "tls_into_eop": {}, "relays": [], "eop_received_from": [],
                "first_seen": None, "last_seen": None, "example_index": None})
            g["messages"] += 1
            g[s["state"].replace("-", "_")] += 1
            if s["method"]:
                g["methods"][s["method"]] = g["methods"].get(s["method"], 0) + 1
            if s["tls_words"]:
                g["tls_into_eop"][s["tls_words"]] = g["tls_into_eop"].get(s["tls_words"], 0) + 1
            if s["kind"] in ("relay", "inbound") and s["relay"][0] not in g["relays"]:
                g["relays"].append(s["relay"][0])
            # Where Microsoft 365 took it from: the relay, or the device itself; a
            # message written in a mailbox was never received from outside.
            eop_from = {"relay": s.get("relay", (None, None))[1], "inbound": s.get("relay", (None, None))[1],
                        "direct": s["device"][1], "submission": s["device"][1]}.get(s["kind"])
            if eop_from and eop_from not in g["eop_received_from"]:
                g["eop_received_from"].append(eop_from)
            # The Date header places the message (it is in line with the stamps).
            seen = iso(t)
            g["first_seen"] = min(filter(None, [g["first_seen"], seen]))
            g["last_seen"] = max(filter(None, [g["last_seen"], seen]))
            if g["example_index"] is None:
                g["example_index"] = index
            expected["messages"].append({"index": index, "sender": f"{origin} {addr}", "message_id": msg_id,
                                         "state": s["state"], "method": s["method"], "reason": s.get("reason"),
                                         "tls_words": s["tls_words"], "seen": seen})
    for g in expected["senders"].values():
        g["relays"].sort()
        g["eop_received_from"].sort()
    with open(expected_path, "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
