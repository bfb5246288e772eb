#!/usr/bin/env python3
"""The documentation names what the code has, so it cannot fall behind:

- every built-in mail-service rule of analyzer/data/mail-services.txt is in
  docs/roles.md's table, with its product;
- every relay state, method and reason the schemas allow is in docs/relay.md,
  every anomaly kind, bounce and notification kind, input kind and far-end
  finding in docs/json.md, and every member of the trace and audit-record
  schemas is named in its skeleton;
- every header of analyzer/data/header-meanings.txt is in
  docs/security-headers.md;
- every CSV column audit writes (per message and by sender) is in
  docs/audit.md;
- every page of docs/ is linked from README.md, and every link between the
  pages lands on a file that exists.
Usage: TOP=. HOPSCOPE=build/analyzer/hopscope python3 readme_rules_test.py
"""
import glob
import json
import os
import re
import subprocess
import sys

top = os.environ["TOP"]
hopscope = os.environ.get("HOPSCOPE")


def page(name):
    return open(os.path.join(top, name), encoding="utf-8").read()


missing = []

roles = page("docs/roles.md")
for line in open(os.path.join(top, "analyzer/data/mail-services.txt"), encoding="utf-8"):
    if not line.strip() or line.startswith("#"):
        continue
    left, _, source = line.partition("|")
    words = left.split()
    family, pattern, product = words[0], words[2], " ".join(words[4:])
    if not source.strip():
        missing.append(f"{pattern}: no source in the data file")
    row = next((r for r in roles.splitlines() if r.startswith(f"| `{family}` | {product} |")), None)
    if row is None or f"`{pattern}`" not in row:
        missing.append(f"{family} {pattern} ({product}) is not in docs/roles.md's mail-services table")


def enums(node, path=""):
    """(path, values) of every enum in a schema."""
    if isinstance(node, dict):
        if "enum" in node:
            yield path, [v for v in node["enum"] if isinstance(v, str) and v]
        for k, v in node.items():
            yield from enums(v, f"{path}/{k}")
    elif isinstance(node, list):
        for v in node:
            yield from enums(v, path)


def members(node):
    """Every property name a schema declares."""
    if isinstance(node, dict):
        for k, v in node.get("properties", {}).items():
            yield k
            yield from members(v)
        for k, v in node.items():
            if k != "properties":
                yield from members(v)
    elif isinstance(node, list):
        for v in node:
            yield from members(v)


trace = json.load(open(os.path.join(top, "analyzer/schema/trace.schema.json"), encoding="utf-8"))
record = json.load(open(os.path.join(top, "analyzer/schema/audit-record.schema.json"), encoding="utf-8"))
relay_page = page("docs/relay.md")
json_page = page("docs/json.md")
roles_page = roles
for path, values in enums(trace):
    where = None
    if path.endswith("/relay/properties/state") or path.endswith("/relay/properties/method") or \
            path.endswith("/relay/properties/reason"):
        where, text = "docs/relay.md", relay_page
    elif path.endswith("/anomaly/properties/kind") or path.endswith("/bounce/properties/kind") or \
            path.endswith("/notification/properties/kind") or path.endswith("/input_kind") or \
            "/far_end/" in path or path.endswith("/clock/properties/kind") or "original_kind" in path:
        where, text = "docs/json.md", json_page
    elif path.endswith("/role"):
        where, text = "docs/roles.md", roles_page
    if where is None:
        continue
    for v in values:
        if f"`{v}`" not in text and f'"{v}"' not in text:
            missing.append(f"{where} does not name {v} ({path})")
for name in set(members(trace)) | set(members(record)):
    if f'"{name}"' not in json_page:
        missing.append(f'docs/json.md does not name the member "{name}"')

headers = page("docs/security-headers.md")
for line in open(os.path.join(top, "analyzer/data/header-meanings.txt"), encoding="utf-8"):
    if line.startswith("header"):
        name = line.split("|")[1].strip()
        if f"`{name}`" not in headers:
            missing.append(f"docs/security-headers.md does not list {name}")

if hopscope:
    audit = page("docs/audit.md")
    sample = os.path.join(top, "corpus", "demo-o365-relay.eml")
    for by in ([], ["--by", "sender"]):
        out = subprocess.run([hopscope, "audit", "--format", "csv", *by, sample], stdout=subprocess.PIPE,
                             check=True).stdout.decode()
        for column in out.splitlines()[0].split(","):
            if f"`{column}`" not in audit:
                missing.append(f"docs/audit.md does not describe the CSV column {column}{' (by sender)' if by else ''}")

readme = page("README.md")
for doc in sorted(glob.glob(os.path.join(top, "docs", "*.md"))):
    name = os.path.basename(doc)
    if f"(docs/{name})" not in readme:
        missing.append(f"README.md does not link docs/{name}")
for doc in [os.path.join(top, "README.md")] + sorted(glob.glob(os.path.join(top, "docs", "*.md"))):
    text = open(doc, encoding="utf-8").read()
    for target in re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", text):
        if not os.path.exists(os.path.normpath(os.path.join(os.path.dirname(doc), target))):
            missing.append(f"{os.path.relpath(doc, top)} links {target}, which does not exist")

for m in missing:
    print("FAIL", m)
print(f"{len(missing)} missing")
sys.exit(1 if missing else 0)
