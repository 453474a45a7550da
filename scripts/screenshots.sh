#!/usr/bin/env bash
# Pictures of the HTML report for the README (`make screenshots`; not part of `make test`): three runs are
# verified and their report.html opened in headless Chromium (Debian's chromium), parts of the page saved
# as PNGs under docs/ (or SCREENSHOTS_OUT), and each page's size and load time printed:
#   - the 1000-client demo day (`gluff-verify demo --clients 1000`),
#   - the real Gluff 1.12 golden run 1 (test/golden/real-gluff/run1; needs the local MariaDB: make mariadb),
#   - a 6-client demo day with a leaking gluff, a dhcpd stopped for a while, lost datagrams, a stale port
#     and a colliding queue insert.
# Needs: chromium (apt-get install -y chromium), Node's WebSocket (Node 22, or --experimental-websocket).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${SCREENSHOTS_OUT:-docs}
command -v "${CHROMIUM:-chromium}" >/dev/null 2>&1 || {
  echo "screenshots: no '${CHROMIUM:-chromium}'; install Debian's: apt-get install -y chromium" >&2
  exit 3
}
mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gv-screenshots.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
NODE=(node --experimental-websocket --import tsx)

# A verdict is not a failure here: 0 pass, 1 fail, 2 inconclusive all leave a report.
verdict_ok() { [ "$1" -le 2 ]; }

echo "screenshots: the 1000-client demo day (about 20 s)"
rc=0
node --import tsx src/cli/run.ts demo --clients 1000 --seed 1 --out "$WORK/demo" >"$WORK/demo.log" 2>&1 || rc=$?
verdict_ok "$rc" || { cat "$WORK/demo.log" >&2; exit "$rc"; }

echo "screenshots: real Gluff golden run 1 (MariaDB)"
rc=0
node --import tsx test/capture/verify-golden.ts test/golden/real-gluff/run1 --out "$WORK/run1" >"$WORK/run1.log" 2>&1 || rc=$?
[ -f "$WORK/run1/report.html" ] || { cat "$WORK/run1.log" >&2; exit 3; }

echo "screenshots: a demo day with faults (memory leak, stopped dhcpd, channel loss, stale port, queue collision)"
rc=0
node --import tsx src/cli/run.ts demo --seed 1 --faults memory-leak,partner-down-and-recover,channel-loss,stale-port,queue-insert-collision \
  --out "$WORK/faults" >"$WORK/faults.log" 2>&1 || rc=$?
verdict_ok "$rc" || { cat "$WORK/faults.log" >&2; exit "$rc"; }

# PAGE|SELECTOR|OUT.png|HEIGHT[|CLICK]: the part of the page each picture shows (bench/page-load.ts).
"${NODE[@]}" bench/page-load.ts \
  --shot "$WORK/demo/report.html|body|$OUT/report-demo-top.png|1150" \
  --shot "$WORK/demo/report.html|#timelines ~ .tls|$OUT/report-demo-timelines.png|1100" \
  --shot "$WORK/run1/report.html|body|$OUT/report-run1-top.png|1500" \
  --shot "$WORK/run1/report.html|#timelines ~ .tls|$OUT/report-run1-per-mac.png|700|#gv-view-mac" \
  --shot "$WORK/faults/report.html|#memory ~ .mems|$OUT/report-memory.png|1120" \
  --shot "$WORK/faults/report.html|#timelines ~ .tls|$OUT/report-faults-timelines.png|560" \
  "$WORK/demo/report.html" "$WORK/run1/report.html" "$WORK/faults/report.html"
