#!/usr/bin/env python3
"""Every built-in mail-service rule is documented: each pattern of
analyzer/data/mail-services.txt appears, with its product, in README.md."""
import os
import sys

top = os.environ["TOP"]
readme = open(os.path.join(top, "README.md"), encoding="utf-8").read()
missing = []
for line in open(os.path.join(top, "analyzer/data/mail-services.txt"), encoding="utf-8"):
    if not line.strip() or line.startswith("#"):
        continue
    left, _, source = line.partition("|")
    words = left.split()
    family, pattern, product = words[0], words[2], " ".join(words[4:])
    if not source.strip():
        missing.append(f"{pattern}: no source in the data file")
    row = next((r for r in readme.splitlines() if r.startswith(f"| `{family}` | {product} |")), None)
    if row is None or f"`{pattern}`" not in row:
        missing.append(f"{family} {pattern} ({product}) is not in README.md's mail-services table")
for m in missing:
    print("FAIL", m)
sys.exit(1 if missing else 0)
