#!/usr/bin/env python3
"""The JSON Schemas (analyzer/schema/, draft 2020-12) describe what hopscope
writes: every golden corpus trace, `trace --format json` of every corpus
input, an audit of corpus/, `connectors lint --format json` of every export in
corpus/connectors and, when ../shared exists, an audit of every shared mailbox
(whole, and with --range) and of corpus-ext's single messages validate. The
schemas are strict (no unknown members), so a member added or renamed without
the schema fails here. Uses Debian's python3-jsonschema."""
import glob
import json
import os
import subprocess
import sys

from jsonschema import Draft202012Validator

hopscope = os.environ["HOPSCOPE"]
top = os.environ["TOP"]
shared = os.environ.get("SHARED", "")
corpus = os.path.join(top, "corpus")

def validator(name):
    schema = json.load(open(os.path.join(top, "analyzer", "schema", name), encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)

trace = validator("trace.schema.json")
record = validator("audit-record.schema.json")
summary = validator("audit-summary.schema.json")
check_answers = validator("check.schema.json")
lint = validator("connectors-lint.schema.json")
failures = []
checked = {"golden": 0, "trace": 0, "records": 0, "summaries": 0, "lint": 0}

def check(v, obj, where):
    errors = sorted(v.iter_errors(obj), key=lambda e: list(e.absolute_path))
    for e in errors[:3]:
        failures.append(f"{where}: {'/'.join(map(str, e.absolute_path))}: {e.message[:200]}")

for path in sorted(glob.glob(os.path.join(corpus, "*.json"))):
    check(trace, json.load(open(path, encoding="utf-8")), os.path.basename(path))
    checked["golden"] += 1
for path in sorted(glob.glob(os.path.join(corpus, "*.eml")) + glob.glob(os.path.join(corpus, "*.txt"))):
    out = subprocess.run([hopscope, "trace", "--format", "json", path], capture_output=True)
    if out.returncode in (0, 1):
        check(trace, json.loads(out.stdout), os.path.basename(path))
        checked["trace"] += 1

exports = os.path.join(corpus, "connectors")
for name in sorted(os.listdir(exports)):
    if name.startswith("contoso-"):
        out = subprocess.run([hopscope, "connectors", "lint", "--format", "json", os.path.join(exports, name)],
                             capture_output=True)
        check(lint, json.loads(out.stdout), "connectors lint " + name)
        checked["lint"] += 1

def audit(paths, label, extra=()):
    out = subprocess.run([hopscope, "audit", "-q", "--format", "jsonl", *extra, *paths], capture_output=True)
    for n, line in enumerate(out.stdout.splitlines(), 1):
        check(record, json.loads(line), f"{label} record {n}")
        checked["records"] += 1
    # The summary of the same, from audit and from summarize over the records.
    whole = subprocess.run([hopscope, "audit", "-q", "--format", "json", *extra, *paths], capture_output=True)
    check(summary, json.loads(whole.stdout), f"{label} audit summary")
    again = subprocess.run([hopscope, "summarize", "--format", "json", "-"], input=out.stdout, capture_output=True)
    check(summary, json.loads(again.stdout), f"{label} summarize")
    checked["summaries"] += 2

audit([corpus], "corpus/")

# The audit by sender of a generated fleet mailbox, with a period, and skipped files.
import tempfile
with tempfile.TemporaryDirectory(prefix="hopscope-schema-") as work:
    fleet = os.path.join(work, "fleet.mbox")
    subprocess.run([sys.executable, os.path.join(top, "tests", "fleet_mailbox.py"), "5", fleet,
                    os.path.join(work, "truth.json")], check=True)
    open(os.path.join(work, "README.txt"), "w").write("Exports of the scanners.\n")
    audit([fleet, os.path.join(work, "README.txt")], "fleet mailbox")
    out = subprocess.run([hopscope, "audit", "-q", "--format", "json", "--since", "2024-05-14", "--until",
                          "2024-05-15", fleet], capture_output=True)
    check(summary, json.loads(out.stdout), "fleet mailbox with a period")
    checked["summaries"] += 1

# check --format json over every corpus input at once, and over an unreadable one.
inputs = sorted(glob.glob(os.path.join(corpus, "*.eml")) + glob.glob(os.path.join(corpus, "*.txt")))
for args in (inputs, [inputs[0], os.path.join(corpus, "no-such-file.eml")]):
    out = subprocess.run([hopscope, "check", "--format", "json", *args], capture_output=True)
    answers = json.loads(out.stdout)
    check(check_answers, answers, "check --format json")
    if answers["exit"] != out.returncode or len(answers["results"]) != len(args):
        failures.append(f"check --format json: exit {answers['exit']} vs status {out.returncode}, "
                        f"{len(answers['results'])} results for {len(args)} inputs")
    checked["check"] = checked.get("check", 0) + 1
ext = os.path.join(shared, "corpus-ext")
if os.path.isdir(ext):
    mailboxes = sorted(glob.glob(os.path.join(ext, "mailboxes", "*")))
    audit(mailboxes, "shared mailboxes")
    audit(mailboxes, "shared mailboxes past their first byte (--range: no index)", ("--range", "1:"))
    audit([os.path.join(ext, d) for d in ("general", "o365", "pasted", "bounces") if os.path.isdir(os.path.join(ext, d))],
          "corpus-ext messages")
    # PST/OST items that are no e-mail messages: skipped records.
    audit(sorted(glob.glob(os.path.join(ext, "outlook", "pst", "*.[po]st"))), "shared PST/OST files")
else:
    print(f"note: {ext} not present; shared mailboxes skipped")

print(f"validated {checked['golden']} golden traces, {checked['trace']} trace outputs, {checked['records']} audit records, "
      f"{checked['summaries']} summaries, {checked.get('check', 0)} check answers, {checked.get('lint', 0)} lint outputs")
for f in failures[:40]:
    print("FAIL", f)
sys.exit(1 if failures else 0)
