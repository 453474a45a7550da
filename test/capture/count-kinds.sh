#!/usr/bin/env bash
# Counts the event kinds of a classic-form syslog capture (`Nov 28 02:33:20 dhcp2 dhcpd[10933]: MSG`)
# with grep alone, independently of the TypeScript parser, and prints expected.json for
# test/golden/capture.spec.ts.
#
# Usage: test/capture/count-kinds.sh INPUT.log REFERENCE_UTC > expected.json
#   REFERENCE_UTC  an ISO instant near the capture (year inference), e.g. 2026-11-28T03:00:00Z
#
# Classification (first match wins, in this order; the parser must agree):
#   other           the tag is neither dhcpd nor gluff (here: dhcrelay)
#   gluff-record    gluff's per-row line `ACK on ip: IP, hw: HW, cid: CID, rid: RID, start: CTIME, end: CTIME`
#                   (`RELEASE on ip: ` likewise; CTIME `Sat Nov 28 04:22:05 2026`, day space-padded).
#                   The parser is stricter (a real weekday and date, a dhcpd rendering or <NULL> as cid/rid,
#                   the zone's wall time); a real gluff only prints lines that pass both.
#   gluff           every other gluff line (start-up, decisions with -D, warnings, errors)
#   queue-error     dhcpd `Line N: sqlite3 error: ` / `ldb error: ` (Gluff's queue patch)
#   commit          `gv-commit ` (specs/dhcpd-commit-log.conf)
#   dhcpdiscover    `DHCPDISCOVER from `   (including `: load balance to peer NAME`)
#   dhcpoffer       `DHCPOFFER on `
#   dhcprequest     `DHCPREQUEST for `
#   dhcpack         `DHCPACK on `
#   dhcpack-inform  `DHCPACK to `
#   dhcpnak         `DHCPNAK on `
#   dhcprelease     `DHCPRELEASE of `
#   dhcpdecline     `DHCPDECLINE of `
#   dhcpinform      `DHCPINFORM from `
#   abandon         `Abandoning IP address `
#   reuse-lease     `reuse_lease: lease age N (secs) under P% threshold, reply with unaltered, existing lease for IP`
#   failover-state  `failover peer NAME: I move from A to B` / `... peer moves from A to B`
#   failover-note   any other `failover peer NAME: TEXT` (Both servers normal, requesting full update
#                   from peer, peer update completed., ...), `Both servers have entered recover-done!`,
#                   `peer NAME: disconnected`, `peer NAME: Got POOLREQ, answering negatively!`,
#                   `balancing pool `, `balanced pool `, `IMBALANCED pool `,
#                   `bind update on IP from NAME rejected: `, `bind update on IP got ack from NAME: `,
#                   `timeout waiting for failover peer `, `Failover CONNECT...`, `Sent update ... message to `,
#                   `Update request [all ]from NAME: `   (failover.c's messages; the parser's FailoverNote)
#   unknown         every other dhcpd line (banners, Config/Database/PID file, Listening/Sending on,
#                   Wrote N leases, Server starting service., Sending updates to NAME.,
#                   Received update request while old update still flying!);
#                   listed in expected.json `unknownDhcpd`
set -euo pipefail
IN="${1:?usage: count-kinds.sh INPUT.log REFERENCE_UTC}"
REF="${2:?usage: count-kinds.sh INPUT.log REFERENCE_UTC}"

HDR='^[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [^ ]+ '
D="${HDR}dhcpd\\[[0-9]+\\]: "
G="${HDR}gluff\\[[0-9]+\\]: "
FOLLOWED="${HDR}(dhcpd|gluff)\\[[0-9]+\\]: "
CTIME='[A-Z][a-z]{2} [A-Z][a-z]{2} [ 123][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4}'
c() { grep -cE "$1" "$IN" || true; }

declare -A K
K[other]=$(grep -cvE "$FOLLOWED" "$IN" || true)
K[gluff-record]=$(c "${G}(ACK|RELEASE) on ip: [0-9.]+, hw: .*, cid: .*, rid: .*, start: ${CTIME}, end: ${CTIME}\$")
K[gluff]=$(( $(c "$G") - ${K[gluff-record]} ))
K[queue-error]=$(c "${D}(Line [0-9]+: sqlite3 error: |ldb error: )")
K[commit]=$(c "${D}gv-commit ")
K[dhcpdiscover]=$(c "${D}DHCPDISCOVER from ")
K[dhcpoffer]=$(c "${D}DHCPOFFER on ")
K[dhcprequest]=$(c "${D}DHCPREQUEST for ")
K[dhcpack]=$(c "${D}DHCPACK on ")
K[dhcpack-inform]=$(c "${D}DHCPACK to ")
K[dhcpnak]=$(c "${D}DHCPNAK on ")
K[dhcprelease]=$(c "${D}DHCPRELEASE of ")
K[dhcpdecline]=$(c "${D}DHCPDECLINE of ")
K[dhcpinform]=$(c "${D}DHCPINFORM from ")
K[abandon]=$(c "${D}Abandoning IP address ")
K[reuse-lease]=$(c "${D}reuse_lease: ")
STATE="${D}failover peer [^ ]+: (I move|peer moves) from [^ ]+ to [^ ]+$"
NOTE="${D}(failover peer [^ ]+: |Both servers have entered recover-done!$|peer [^ ]+: disconnected$|peer [^ ]+: Got POOLREQ, answering negatively!|balancing pool |balanced pool |IMBALANCED pool |bind update on [0-9.]+ from [^ ]+ rejected: |bind update on [0-9.]+ got ack from [^ ]+: |timeout waiting for failover peer |Failover (CONNECT|CONNECTACK|DISCONNECT) |Sent update .* message to |Update request (all )?from [^ ]+: )"
K[failover-state]=$(c "$STATE")
K[failover-note]=$(grep -E "$NOTE" "$IN" | grep -cvE "$STATE" || true)
KNOWN="${D}(gv-commit |DHCPDISCOVER from |DHCPOFFER on |DHCPREQUEST for |DHCPACK on |DHCPACK to |DHCPNAK on |DHCPRELEASE of |DHCPDECLINE of |DHCPINFORM from |Abandoning IP address |reuse_lease: |Line [0-9]+: sqlite3 error: |ldb error: )"
UNKNOWN_LINES=$(grep -E "$D" "$IN" | grep -vE "$KNOWN" | grep -vE "$STATE" | grep -vE "$NOTE" || true)
K[unknown]=$(printf '%s' "$UNKNOWN_LINES" | grep -c . || true)

total=$(wc -l < "$IN")
sum=0
for k in "${!K[@]}"; do sum=$(( sum + K[$k] )); done
if [ "$sum" -ne "$total" ]; then
  echo "count-kinds: kinds add up to $sum but $IN has $total lines (a line matched two rules?)" >&2
  exit 1
fi

kinds_json=$(for k in "${!K[@]}"; do [ "${K[$k]}" -gt 0 ] && printf '%s\t%s\n' "$k" "${K[$k]}"; done | sort |
  jq -Rn '[inputs | split("\t") | {(.[0]): (.[1] | tonumber)}] | add')
hosts_json=$(awk '{print $4}' "$IN" | sort | uniq -c |
  jq -Rn '[inputs | capture("^ *(?<n>[0-9]+) (?<h>.+)$") | {(.h): (.n | tonumber)}] | add')
other_json=$(grep -vE "$FOLLOWED" "$IN" | awk '{sub(/\[.*/, "", $5); sub(/:$/, "", $5); print $5}' |
  sort | uniq -c | jq -Rn '[inputs | capture("^ *(?<n>[0-9]+) (?<a>.+)$") | {(.a): (.n | tonumber)}] | add // {}')
unknown_json=$(printf '%s\n' "$UNKNOWN_LINES" | grep . | sed -E "s/${D}//" | sort -u | jq -Rn '[inputs]')

jq -n --argjson lines "$total" --arg ref "$REF" --argjson hosts "$hosts_json" --argjson other "$other_json" \
  --argjson kinds "$kinds_json" --argjson unknown "$unknown_json" \
  '{lines: $lines, referenceUtc: $ref, hosts: $hosts, otherApps: $other, kinds: $kinds, unknownDhcpd: $unknown}'
