#!/usr/bin/env python3
"""The audit by sender over a generated fleet mailbox (tests/fleet_mailbox.py:
devices and applications of one tenant, each with a known way into
Microsoft 365): every group's counts, methods, TLS, relays, EOP's senders,
first and last seen and example; the headline's three states; the per-day
counts; the CSV columns per message and the CSV by sender; --since/--until
in audit and summarize; summarize over shuffled shards equals the audit;
the example commands show the messages they name; --expect-relay."""
import csv
import io
import json
import os
import random
import subprocess
import sys
import tempfile

hopscope = os.environ["HOPSCOPE"]
here = os.path.dirname(os.path.abspath(__file__))
failures = []


def expect(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(*args, **kw):
    return subprocess.run([hopscope, *args], capture_output=True, **kw)


STATES = ("traversed", "not_traversed", "not_applicable")

with tempfile.TemporaryDirectory(prefix="hopscope-fleet-") as work:
    for seed in (7, 1234):
        mbox = os.path.join(work, f"fleet-{seed}.mbox")
        truth_path = os.path.join(work, f"fleet-{seed}.json")
        subprocess.run([sys.executable, os.path.join(here, "fleet_mailbox.py"), str(seed), mbox, truth_path], check=True)
        truth = json.load(open(truth_path, encoding="utf-8"))
        messages = truth["messages"]
        tag = f"seed {seed}"

        out = run("audit", "-q", "--format", "json", mbox)
        summary = json.loads(out.stdout)
        expect(out.returncode == 0 and summary["messages"] == len(messages) and summary["failed"] == 0,
               f"{tag}: {summary['messages']} messages audited, exit {out.returncode}")

        # Each message's offset in the mbox (the summaries name mbox messages by it).
        records = [json.loads(line) for line in run("audit", "-q", "--format", "jsonl", mbox).stdout.splitlines()]
        offset_of = {r["source"]["index"]: r["source"]["offset"] for r in records}
        index_at = {o: i for i, o in offset_of.items()}

        # Every group, as the generator made it.
        groups = {f"{g['origin']} {g['from_address']}": g for g in summary["senders"]}
        expect(sorted(groups) == sorted(truth["senders"]),
               f"{tag}: the groups are the senders: {sorted(groups)} vs {sorted(truth['senders'])}")
        for key, want in sorted(truth["senders"].items()):
            got = groups.get(key)
            if got is None:
                continue
            for field in ("messages", *STATES, "methods", "tls_into_eop", "relays", "eop_received_from",
                          "first_seen", "last_seen"):
                expect(got[field] == want[field], f"{tag}: {key}: {field} {got[field]!r}, want {want[field]!r}")
            expect(got["bounced"] == 0 and got["connectors"] == [] and got["unlisted"] == 0,
                   f"{tag}: {key}: no bounces, no connector named without --connectors")
            offset = offset_of.get(want["example_index"])
            expect(got["example"]["source"]["offset"] == offset and
                   got["example"]["command"] == f"hopscope trace --offset {offset} '{mbox}'",
                   f"{tag}: {key}: example #{want['example_index']} (offset {offset}): {got['example']}")
        expect(all(g["key"] == f"{g['origin'] or ''} {g['from_address'] or ''}" for g in summary["senders"]),
               f"{tag}: each group's key is its origin and From address")
        order = [(-g["not_traversed"], -g["messages"], g["key"]) for g in summary["senders"]]
        expect(order == sorted(order), f"{tag}: groups by not traversed, then messages, then key")

        # The headline's three states, and not applicable by reason.
        totals = {s: sum(g[s] for g in truth["senders"].values()) for s in STATES}
        expect(all(summary[s] == totals[s] for s in STATES), f"{tag}: state totals {totals}")
        text = run("audit", "-q", mbox).stdout.decode()
        inbound = sum(1 for m in messages if m["method"] == "inbound")
        mailbox = sum(1 for m in messages if m["method"] == "mailbox")
        headline = (f"Relay      {totals['traversed']} traversed, {totals['not_traversed']} not traversed, "
                    f"{inbound} another organisation's mail, {mailbox} written in an Exchange Online mailbox\n")
        expect(headline in text, f"{tag}: headline {headline.strip()!r}")
        expect(f"Senders ({len(truth['senders'])};" in text, f"{tag}: the text's Senders table")

        # Per day, by state.
        days = {}
        for m in messages:
            d = days.setdefault(m["seen"][:10], {s: 0 for s in STATES})
            d[m["state"].replace("-", "_")] += 1
        got_days = {d["day"]: {s: d[s] for s in STATES} for d in summary["days"]}
        expect(got_days == days, f"{tag}: per-day counts {got_days}")
        html = run("audit", "-q", "--format", "html", mbox).stdout.decode()
        expect('<h2 id="senders">Senders (' in html and "<h2>Per day</h2>" in html and 'class="okbar"' in html,
               f"{tag}: the page has the Senders table and the per-day bar")

        # The CSV per message: every new column, row by row.
        rows = list(csv.DictReader(io.StringIO(run("audit", "-q", "--format", "csv", mbox).stdout.decode())))
        expect(len(rows) == len(messages), f"{tag}: {len(rows)} CSV rows")
        for row, m in zip(rows, messages):
            origin, address = m["sender"].split(" ", 1)
            origin = "" if origin == "None" else origin  # no origin: an empty column
            tls = {"none": "", None: ""}.get(m["tls_words"], m["tls_words"])
            want = {"index": str(m["index"]), "state": m["state"], "method": m["method"], "origin_ip": origin,
                    "from_address": address, "tls_version": tls if m["method"] != "mailbox" else row["tls_version"],
                    "connector": "", "folder": "", "item": "", "skipped": "", "error": ""}
            if m["reason"]:
                want["reason"] = m["reason"]
            diff = {k: (row[k], v) for k, v in want.items() if row[k] != v}
            expect(not diff, f"{tag}: CSV row {m['index']}: {diff}")
            if diff:
                break
        # The CSV by sender: the same groups as the JSON, in the same order.
        by = list(csv.DictReader(io.StringIO(run("audit", "-q", "--format", "csv", "--by", "sender", mbox)
                                             .stdout.decode())))
        expect([(r["origin"], r["from_address"], int(r["messages"]), int(r["not_traversed"])) for r in by] ==
               [(g["origin"] or "", g["from_address"], g["messages"], g["not_traversed"]) for g in summary["senders"]],
               f"{tag}: --by sender rows are the JSON's groups")
        expect(all(r["command"].startswith("hopscope trace --offset ") for r in by), f"{tag}: --by sender commands")

        # The example commands show the messages they name.
        for g in summary["senders"][:3]:
            offset = g["example"]["source"]["offset"]
            index = index_at.get(offset)
            t = run("trace", "--format", "json", "--offset", str(offset), mbox)
            expect(index is not None and t.returncode == 0 and
                   json.loads(t.stdout)["message_id"] == messages[index]["message_id"],
                   f"{tag}: trace --offset {offset} is the example")
            t = run("trace", "--format", "json", "--index", str(index), mbox)
            expect(t.returncode == 0 and json.loads(t.stdout)["message_id"] == messages[index]["message_id"],
                   f"{tag}: trace --index {index} is the same message")

        # Records read back: summarize over shuffled shards equals the audit.
        records = run("audit", "-q", "--format", "jsonl", mbox).stdout.splitlines(keepends=True)
        random.Random(seed).shuffle(records)
        shards = []
        for i in range(3):
            path = os.path.join(work, f"shard{seed}-{i}.jsonl")
            open(path, "wb").write(b"".join(records[i::3]))
            shards.append(path)
        for fmt in ("json", "text", "html"):
            want = run("audit", "-q", "--format", fmt, mbox).stdout
            expect(run("summarize", "--format", fmt, *reversed(shards)).stdout == want,
                   f"{tag}: summarize --format {fmt} over shuffled shards equals audit")
        expect(run("summarize", "--format", "csv", "--by", "sender", *shards).stdout ==
               run("audit", "-q", "--format", "csv", "--by", "sender", mbox).stdout,
               f"{tag}: summarize --by sender equals audit --by sender")

        # A period: one day, by the Date header.
        day = sorted(days)[1]
        in_day = sum(1 for m in messages if m["seen"][:10] == day)
        period = json.loads(run("audit", "-q", "--format", "json", "--since", day, "--until", day, mbox).stdout)
        expect(period["messages"] == in_day and period["period"]["outside"] == len(messages) - in_day and
               period["period"]["undated"] == 0 and [d["day"] for d in period["days"]] == [day],
               f"{tag}: --since/--until {day}: {period['messages']} messages, want {in_day}")
        jsonl = run("audit", "-q", "--format", "jsonl", "--since", day, "--until", day, mbox).stdout
        expect(jsonl.count(b"\n") == in_day, f"{tag}: --since/--until leave no record outside the period")
        expect(run("summarize", "--format", "json", "--since", day, "--until", day, *shards).stdout ==
               run("audit", "-q", "--format", "json", "--since", day, "--until", day, mbox).stdout,
               f"{tag}: summarize --since/--until over the records equals audit --since/--until")
        bad = run("audit", "-q", "--since", "2024-02-30", mbox)
        expect(bad.returncode == 64 and b"--since '2024-02-30'" in bad.stderr, f"{tag}: a day that does not exist")
        for cmd in (["audit", "-q", mbox], ["summarize", *shards]):
            backwards = run(cmd[0], "--since", "2024-06-02", "--until", "2024-06-01", *cmd[1:])
            expect(backwards.returncode == 64 and b"is after --until" in backwards.stderr and not backwards.stdout,
                   f"{tag}: {cmd[0]} --since after --until is a usage error")

        # --expect-relay: exit 1 for the not traversed; not applicable alone passes.
        expect(run("audit", "-q", "--expect-relay", mbox).returncode == 1, f"{tag}: --expect-relay exits 1")
        inbound_only = [r for r in records if b'"method":"inbound"' in r or b'"method":"mailbox"' in r]
        only = os.path.join(work, f"na{seed}.jsonl")
        open(only, "wb").write(b"".join(inbound_only))
        expect(run("summarize", "--expect-relay", only).returncode == 0,
               f"{tag}: --expect-relay passes mail that is not applicable")

sys.exit(1 if failures else 0)
