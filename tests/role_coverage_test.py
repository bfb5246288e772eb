#!/usr/bin/env python3
"""Roles and organisations over the shared real messages (issue 13).

Audits corpus-ext/general and corpus-ext/o365 (when ../shared exists) and
checks: at most 1 % of hops are `unknown`, every `unknown` stamp names no host
and no address, every hop with a name has a role from the v2 vocabulary, and
the named chains come out hop by hop as the issue describes them. Prints the
role and organisation counts it measured. Exit 77 (skipped) without the data.
"""
import collections
import json
import os
import subprocess
import sys

hopscope = os.environ["HOPSCOPE"]
shared = os.environ.get("SHARED", "")
root = os.path.join(shared, "corpus-ext")
if not os.path.isdir(os.path.join(root, "general")):
    print(f"note: {root} not present; skipped")
    sys.exit(77)

out = subprocess.run([hopscope, "audit", "-q", "--format", "jsonl",
                      os.path.join(root, "general"), os.path.join(root, "o365")],
                     capture_output=True, check=False)
records = [json.loads(line) for line in out.stdout.splitlines()]
ROLES = {"origin-device", "local-relay", "sender-infrastructure", "security-gateway", "eop",
         "exchange-online", "mailing-list", "external-delivery", "unknown"}
failures = []
roles = collections.Counter()
orgs = collections.Counter()
by_path = {}
for r in records:
    if r.get("error"):
        continue
    by_path[os.path.relpath(r["source"]["path"], root)] = r
    if r["schema"] != 2:
        failures.append(f"{r['source']['path']}: schema {r['schema']}")
    for h in r["hops"]:
        roles[h["role"]] += 1
        orgs[h["org"]] += 1
        if h["role"] not in ROLES:
            failures.append(f"{r['source']['path']} hop {h['index']}: role {h['role']}")
        named = any(h["from"][k] for k in ("host", "helo", "rdns", "ip")) or h["by"]["host"] or h["by"]["ip"]
        if h["role"] == "unknown" and named:
            failures.append(f"{r['source']['path']} hop {h['index']}: unknown although it names a system")
hops = sum(roles.values())
share = 100.0 * roles["unknown"] / max(hops, 1)
print(f"{len(by_path)} messages, {hops} hops, unknown {roles['unknown']} ({share:.2f} %)")
for role, n in roles.most_common():
    print(f"  {role:22} {n}")
print(f"{len(orgs)} organisations; most hops: " +
      ", ".join(f"{o} {n}" for o, n in orgs.most_common(8)))
if share > 1.0:
    failures.append(f"unknown hops {share:.2f} % > 1 %")

# The chains the issue names, hop by hop: (role, org) per hop index.
EXPECT = {
    "general/lore-cifs/00a2a95e9701.eml": {
        1: ("sender-infrastructure", "google.com"), 2: ("mailing-list", "kernel.org"),
        3: ("mailing-list", "kernel.org"), 5: ("external-delivery", "lfdr.de")},
    "general/lore-cifs/1031448686ff.eml": {
        3: ("security-gateway", "mimecast.com"), 4: ("mailing-list", "kernel.org")},
    "o365/lore-kasan_82c3bd679614.eml": {
        3: ("local-relay", "thefacebook.com"), 4: ("security-gateway", "pphosted.com"),
        5: ("security-gateway", "pphosted.com"), 6: ("mailing-list", "google.com"),
        9: ("external-delivery", "lfdr.de")},
    "o365/lore-kasan_8cc091b822d7.eml": {
        1: ("local-relay", "nsn-net.net"), 2: ("eop", "microsoft-365")},
}
for path, hops_expected in EXPECT.items():
    r = by_path.get(path)
    if r is None:
        failures.append(f"{path}: no record")
        continue
    for index, (role, org) in hops_expected.items():
        h = r["hops"][index - 1]
        if (h["role"], h["org"]) != (role, org):
            failures.append(f"{path} hop {index}: {h['role']} {h['org']}, expected {role} {org}")
nokia = by_path.get("o365/lore-kasan_8cc091b822d7.eml")
if nokia and not nokia["relay"]["traversed"]:
    failures.append("the Nokia relay chain is not traversed")

for f in failures:
    print("FAIL", f)
sys.exit(1 if failures else 0)
