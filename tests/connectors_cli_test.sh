#!/usr/bin/env bash
# `hopscope connectors lint` on the exports of corpus/connectors against the
# expected output beside them (lint-*.expected; HOPSCOPE_UPDATE_GOLDEN=1
# rewrites them), its exit codes, and --connectors (and the config file's
# `connectors =`) on trace, check, audit and serve: a bad file is exit 64 with
# the file, line and property on stderr.
set -u
bin=${HOPSCOPE:?} corpus=${CORPUS:?}
dir="$corpus/connectors"
fail=0; pass=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
check() {  # check NAME EXPECTED_RC CMD...
  local name=$1 want=$2; shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  if [ "$rc" -eq "$want" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $name: exit $rc, want $want"; cat "$tmp/err"; fi
}
ok() { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "FAIL $*"; }
expect_grep() {  # expect_grep NAME FILE PATTERN
  if grep -qF -- "$3" "$2"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $1: '$3' not in $2"; cat "$2"; fi
}
golden() {  # golden NAME EXPECTED_RC EXPECTED_FILE ARGS... (run in corpus/connectors)
  local name=$1 want=$2 expected=$3; shift 3
  (cd "$dir" && "$bin" connectors lint "$@") >"$tmp/out" 2>"$tmp/err"; local rc=$?
  if [ -n "${HOPSCOPE_UPDATE_GOLDEN:-}" ]; then cp "$tmp/out" "$dir/$expected"; fi
  if [ "$rc" -ne "$want" ]; then fail=$((fail+1)); echo "FAIL $name: exit $rc, want $want"; cat "$tmp/err"; return; fi
  if diff -u "$dir/$expected" "$tmp/out" >"$tmp/diff"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $name:"; head -40 "$tmp/diff"; fi
}

# The seed's two connectors (one by IP without TLS, one by certificate) with
# the tenant's accepted domains: the documentation address is an error.
golden "lint json" 1 lint-json.expected contoso-connectors.json contoso-accepted-domains.json
golden "lint json --format json" 1 lint-json.expected.json --format json contoso-connectors.json contoso-accepted-domains.json
# Format-List pasted from a console: a cut list, a private address, a disabled connector.
golden "lint format-list" 1 lint-format-list.expected contoso-connectors-fl.txt
# Export-Csv: every list lost, warnings only.
golden "lint csv" 0 lint-csv.expected contoso-connectors.csv

check "lint from stdin" 1 bash -c "\"$bin\" connectors lint - < \"$dir/contoso-connectors-fl.txt\""
expect_grep "stdin named" "$tmp/out" "from <stdin> (Format-List)"
check "lint clean" 0 bash -c "printf '{\"Name\":\"A\",\"ConnectorType\":\"OnPremises\",\"SenderIPAddresses\":[\"192.0.32.10\"]}' | \"$bin\" connectors lint -"
expect_grep "no findings" "$tmp/out" "0 errors, 0 warnings, 0 notes in 1 connector."

# Usage and unreadable files.
check "connectors alone" 64 "$bin" connectors
check "unknown subcommand" 64 "$bin" connectors frob
expect_grep "unknown subcommand said" "$tmp/err" "unknown command 'frob'"
check "lint without a file" 64 "$bin" connectors lint
check "lint bad format" 64 "$bin" connectors lint --format xml "$dir/contoso-connectors.json"
check "lint help" 0 "$bin" connectors lint --help
check "lint missing file" 2 "$bin" connectors lint "$tmp/none.json"
expect_grep "missing file named" "$tmp/err" "$tmp/none.json: cannot read"
check "lint a directory" 2 "$bin" connectors lint "$dir"
printf '[\r\n    {\r\n        "Name":  "Relay",\r\n        "Enabled":  "perhaps",\r\n        "ConnectorType":  "OnPremises"\r\n    }\r\n]\r\n' > "$tmp/bad.json"
check "lint bad file" 2 "$bin" connectors lint "$tmp/bad.json"
expect_grep "bad file: line and property" "$tmp/err" "$tmp/bad.json: line 4: Enabled: 'perhaps' is neither True nor False"
check "lint full disk" 74 bash -c "\"$bin\" connectors lint \"$dir/contoso-connectors.csv\" > /dev/full"

# --connectors on the commands that analyse messages.
msg="$dir/via-relay-by-ip.eml"
check "trace --connectors" 0 "$bin" trace --connectors "$dir/contoso-connectors.json" --connectors "$dir/contoso-accepted-domains.json" "$msg"
check "trace --connectors every form" 0 "$bin" trace --connectors "$dir/contoso-connectors-fl.txt" --connectors "$dir/contoso-connectors.csv" "$msg"
check "trace --connectors bad file" 64 "$bin" trace --connectors "$tmp/bad.json" "$msg"
expect_grep "trace: file, line, property" "$tmp/err" "hopscope trace: --connectors $tmp/bad.json: line 4: Enabled:"
check "check --connectors bad file" 64 "$bin" check --connectors "$tmp/bad.json" "$msg"
check "check --connectors missing" 64 "$bin" check --connectors "$tmp/none.json" "$msg"
expect_grep "check: missing named" "$tmp/err" "$tmp/none.json: cannot read"
check "audit --connectors bad file" 64 "$bin" audit -q --connectors "$tmp/bad.json" "$msg"
check "audit --connectors" 0 "$bin" audit -q --format jsonl --connectors "$dir/contoso-connectors.json" "$msg"
check "serve --connectors bad file" 64 "$bin" serve --port 0 --connectors "$tmp/bad.json"
expect_grep "serve: file, line, property" "$tmp/err" "line 4: Enabled:"
# The match in every message's answer: relay.connector names the connector
# the configuration proves, and matched_by comes from it.
connector_of() {  # FILE [CONNECTORS...]: "name|matched_by|state" of the trace's relay
  local m=$1; shift
  local args=()
  for c in "$@"; do args+=(--connectors "$dir/$c"); done
  "$bin" trace --format json "${args[@]}" "$m" | python3 -c 'import json,sys; r=json.load(sys.stdin)["relay"]; c=r["connector"] or {}; print("|".join(str(x) for x in (c.get("name"), c.get("matched_by"), r["state"])) + ("|not ruled out: " + ",".join(c["not_ruled_out"]) if c.get("not_ruled_out") else ""))'
}
want() {  # LABEL EXPECTED ACTUAL
  [ "$2" = "$3" ] && ok || bad "$1: got '$3', want '$2'"
}
want "by IP named" "Relay and scanners by IP|ip|traversed" "$(connector_of "$dir/via-relay-by-ip.eml" contoso-connectors.json contoso-accepted-domains.json)"
want "by certificate named" "Relay by certificate|certificate|traversed" "$(connector_of "$dir/via-relay-by-certificate.eml" contoso-connectors.json contoso-accepted-domains.json)"
# The Format-List export lost the end of a list: the connector it names is the likeliest, not the only one.
want "the Format-List export names the same" "Relay by certificate|certificate|traversed|not ruled out: Branch office printers" "$(connector_of "$dir/via-relay-by-certificate.eml" contoso-connectors-fl.txt)"
"$bin" check --connectors "$dir/contoso-connectors-fl.txt" "$dir/via-relay-by-certificate.eml" > "$tmp/out" 2>&1
expect_grep "check says probably" "$tmp/out" "probably through connector 'Relay by certificate' ('Branch office printers' not ruled out)"
# A list cut short that matches nothing outright: the connector is a candidate, not named.
want "cut list, no match: a candidate" "None|None|traversed|not ruled out: Relays (all sites)" "$(connector_of "$corpus/accepted-domains/relay-not-in-cut-list.eml" ../accepted-domains/fabrikam-connectors-fl.txt)"
"$bin" check --connectors "$corpus/accepted-domains/fabrikam-connectors-fl.txt" "$corpus/accepted-domains/relay-not-in-cut-list.eml" > "$tmp/out" 2>&1
expect_grep "cut list said" "$tmp/out" "(through an inbound connector; 'Relays (all sites)' is not ruled out by the files given)"
# EOP's stamp says no connector took it (FromEntityHeader: Internet): a
# connector of the file that matches is not named as the one that did.
want "internet: none named" "None|None|not-traversed" "$(connector_of "$dir/internet-but-connector-matches.eml" contoso-connectors.json)"
want "none can have" "None|None|traversed" "$(connector_of "$dir/hybridonprem-no-connector-matches.eml" contoso-connectors.json)"
# Without configuration, over TLS, the attributed-IP header does not tell IP from certificate.
want "without configuration over TLS no guess" "None|None|traversed" "$(connector_of "$dir/via-relay-by-certificate.eml")"
"$bin" check --connectors "$dir/contoso-connectors.json" "$dir/hybridonprem-no-connector-matches.eml" > "$tmp/out" 2>&1
expect_grep "not the one in force" "$tmp/out" "the configuration given is not the one in force"
"$bin" check --connectors "$dir/contoso-connectors.json" "$dir/via-relay-by-ip.eml" > "$tmp/out" 2>&1
expect_grep "check names the connector" "$tmp/out" "-> EOP WITHOUT TLS through connector 'Relay and scanners by IP'"
# The envelope sender EOP recorded in the copy it keeps for mail leaving the
# organisation (X-MS-Exchange-Authentication-Results), not a Return-Path a
# list rewrote after it.
sed -e 's/^Authentication-Results: spf=pass/X-MS-Exchange-Authentication-Results: spf=pass/' \
    -e 's/^Return-Path: .*/Return-Path: <linux-kernel+bounces-41-x=lists.example.org@lists.example.org>/' \
    "$dir/via-relay-by-ip.eml" > "$tmp/listed.eml"
"$bin" check --connectors "$dir/contoso-connectors.json" --connectors "$dir/contoso-accepted-domains.json" "$tmp/listed.eml" > "$tmp/out" 2>&1
expect_grep "EOP's envelope sender, not the list's" "$tmp/out" "the envelope sender's domain contoso.com is within the accepted domain contoso.com"
# Direct Send from a second accepted domain (fabrikam.de to a fabrikam.com
# mailbox): another organisation's mail until the accepted domains, or
# --internal-net naming the device's network, say it is the tenant's own.
answer_of() {  # FILE [ARGS...]: "state|method" of the trace's relay
  local m=$1; shift
  "$bin" trace --format json "$@" "$m" | python3 -c 'import json,sys; r=json.load(sys.stdin)["relay"]; print(r["state"] + "|" + r["method"])'
}
second="$corpus/accepted-domains/direct-send-second-accepted-domain.eml"
want "second domain alone" "not-applicable|inbound" "$(answer_of "$second")"
want "second domain accepted" "not-traversed|direct-send" "$(answer_of "$second" --connectors "$corpus/accepted-domains/fabrikam-accepted-domains.json")"
want "second domain, device in --internal-net" "not-traversed|direct-send" "$(answer_of "$second" --internal-net 91.64.201.0/24)"
"$bin" check --connectors "$corpus/accepted-domains/fabrikam-accepted-domains.json" "$second" > "$tmp/out" 2>&1
expect_grep "accepted domain said" "$tmp/out" "From's fabrikam.de is the tenant's accepted domain fabrikam.de"
# Anonymous internet mail from another relay than --relay names: not-your-relay,
# not "the relay was reached".
reason=$("$bin" check --format json --relay 198.51.100.99 "$dir/internet-but-connector-matches.eml" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["reason"])')
want "another relay than --relay" "not-your-relay" "$reason"
# A message where a connectors file belongs.
check "a message as connectors" 64 "$bin" trace --connectors "$msg" "$msg"
expect_grep "message refused" "$tmp/err" "line 1: not Get-InboundConnector or Get-AcceptedDomain output"
# The config file: `connectors =`, relative to the config file.
cp "$dir/contoso-connectors.json" "$tmp/connectors.json"
printf 'connectors = connectors.json\n' > "$tmp/config"
check "config connectors" 0 "$bin" check --config "$tmp/config" "$msg"
printf 'connectors = bad.json\n' > "$tmp/config-bad"
check "config bad connectors" 64 "$bin" check --config "$tmp/config-bad" "$msg"
expect_grep "config: file, line, property" "$tmp/err" "$tmp/bad.json: line 4: Enabled:"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
