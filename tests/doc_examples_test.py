#!/usr/bin/env python3
"""The examples of README.md and docs/*.md are what hopscope prints.

A fenced block whose first line starts with "$ " is a session: each "$ "
line (a line ending in a backslash goes on to the next) is a command, and
the lines after it, up to the next command or the end of the block, are
what the command prints on standard output. Each command runs in bash, from
the top of the source tree, with the hopscope under test first on PATH, in a
fixed environment (C.UTF-8, TZ=UTC, no COLUMNS, no NO_COLOR, no config
file), and what it prints must be the lines shown, byte for byte: nothing is
normalised. Standard error is not compared (an example that shows it says
2>&1).

HOPSCOPE_UPDATE_DOCS=1 writes what the commands print into the files instead;
review the diff and commit only what you can explain.
Usage: HOPSCOPE=build/analyzer/hopscope TOP=. python3 doc_examples_test.py
"""
import difflib
import glob
import os
import re
import subprocess
import sys
import tempfile

hopscope = os.path.abspath(os.environ["HOPSCOPE"])
top = os.path.abspath(os.environ["TOP"])
update = os.environ.get("HOPSCOPE_UPDATE_DOCS") == "1"

FENCE = re.compile(r"^(\s*)(```+|~~~+)")


def sessions(lines):
    """(first line of the block, index past its end, [(command, line of the
    command, [output lines], index of the first output line)]) for every
    fenced block that is a session."""
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence = m.group(2)
        start = i + 1
        end = start
        while end < len(lines) and not lines[end].lstrip().startswith(fence):
            end += 1
        body = lines[start:end]
        if body and body[0].startswith("$ "):
            cmds = []
            k = 0
            while k < len(body):
                cmd_line = start + k
                cmd = body[k][2:]
                while cmd.endswith("\\") and k + 1 < len(body):
                    k += 1
                    cmd = cmd[:-1] + "\n" + body[k]
                k += 1
                out_start = start + k
                out = []
                while k < len(body) and not body[k].startswith("$ "):
                    out.append(body[k])
                    k += 1
                cmds.append((cmd, cmd_line, out, out_start))
            yield start, end, cmds
        i = end + 1


def environment(home):
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR", "HOPSCOPE_READ_STATS")}
    env.update(PATH=os.path.dirname(hopscope) + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"),
               LC_ALL="C.UTF-8", LANG="C.UTF-8", TZ="UTC", HOME=home, XDG_CONFIG_HOME=home)
    return env


def main():
    files = [os.path.join(top, "README.md")] + sorted(glob.glob(os.path.join(top, "docs", "*.md")))
    failures = 0
    ran = 0
    per_file = {}
    with tempfile.TemporaryDirectory() as home:
        env = environment(home)
        for path in files:
            name = os.path.relpath(path, top)
            text = open(path, encoding="utf-8").read()
            lines = text.split("\n")
            replaced = []  # (first output line, past the last, new lines)
            count = 0
            for _start, _end, cmds in sessions(lines):
                for cmd, cmd_line, want, out_start in cmds:
                    count += 1
                    ran += 1
                    try:
                        p = subprocess.run(["bash", "-c", cmd], cwd=top, env=env, stdin=subprocess.DEVNULL,
                                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
                        got_bytes = p.stdout
                    except subprocess.TimeoutExpired:
                        got_bytes = b"(timed out after 120 s)\n"
                    got = got_bytes.decode("utf-8", errors="replace")
                    expected = "".join(l + "\n" for l in want)
                    if got == expected:
                        continue
                    if update and got.endswith("\n") and "\r" not in got:
                        replaced.append((out_start, out_start + len(want), got[:-1].split("\n") if got else []))
                        continue
                    failures += 1
                    print(f"FAIL {name}:{cmd_line + 1}: $ {cmd}")
                    if "\r" in got:
                        print("  (the output holds carriage returns, which the file cannot show)")
                    diff = difflib.unified_diff(expected.splitlines(), got.splitlines(), "shown", "printed",
                                                lineterm="", n=1)
                    for d in list(diff)[:60]:
                        print("  " + d)
            per_file[name] = count
            if replaced:
                for a, b, new in reversed(replaced):
                    lines[a:b] = new
                open(path, "w", encoding="utf-8").write("\n".join(lines))
                print(f"UPDATED {name}: {len(replaced)} outputs rewritten")
    # The examples are there to be run: a README without any means the
    # parser no longer finds them.
    if per_file.get("README.md", 0) < 3:
        print(f"FAIL README.md: {per_file.get('README.md', 0)} examples found, expected at least 3")
        failures += 1
    print(f"{ran} examples in {len(files)} files, {failures} failed "
          f"({', '.join(f'{n} {c}' for n, c in per_file.items() if c)})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
