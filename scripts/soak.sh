#!/usr/bin/env bash
# `make soak`: a long run of the whole pipeline as it runs on a real log host. A real collector
# process on loopback receives the simulated rig's syslog in (compressed) real time, `sample` reports
# that collector's own memory into it every 15 s (series `gv-collect@gv-soak`), then verify judges the
# store against the simulated Gluff table: leases, dhcpd's and gluff's simulated memory, and ours.
#
# Settings (environment):
#   SOAK_HOURS    simulated hours (default 24)
#   SOAK_SPEEDUP  simulated seconds per real second (default 96: a day in 15 minutes)
#   SOAK_CLIENTS  clients (default: the spec's six)
#   SOAK_SEED     seed (default 1)
#   SOAK_FAULTS   faults to inject (default none; see `gluff-verify faults`)
# Reports and logs go to reports/soak-<UTC>/; the exit code is the verdict's (0 pass, 1 fail,
# 2 inconclusive; 3 when the collector or the simulation could not run). This script is the entry point
# for cron and CI: GNU make exits 2 whenever a recipe fails, so `make soak` only says which code it got.
# The collector's memory is judged only once the real run outlasts the spec's warm-up and minimum
# duration (specs/seed-rig.yaml: 10 min and 2 h); before that it is reported as inconclusive, which
# does not make the lease verdict inconclusive.
set -uo pipefail
cd "$(dirname "$0")/.."
hours=${SOAK_HOURS:-24}
speedup=${SOAK_SPEEDUP:-96}
base="reports/soak-$(date -u +%Y%m%dT%H%M%SZ)"
dir=$base
n=2
while [ -e "$dir" ]; do dir="$base-$n"; n=$((n + 1)); done
mkdir -p "$dir"
cli=(node bin/gluff-verify.js)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done; }
trap cleanup EXIT

"${cli[@]}" collect --listen udp://127.0.0.1:0 --store "$dir/events.db" --spec specs/seed-rig.yaml --stats-every 60 \
  2>"$dir/collect.log" &
collector=$!
pids+=("$collector")
port=
for _ in $(seq 100); do
  port=$(sed -n 's/^collect: listening on udp:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$dir/collect.log")
  [ -n "$port" ] && break
  kill -0 "$collector" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$port" ]; then
  echo "make soak: the collector did not start:" >&2
  cat "$dir/collect.log" >&2
  exit 3
fi
"${cli[@]}" sample --pid "$collector" --every 15s --syslog "udp://127.0.0.1:$port" --host gv-soak \
  2>"$dir/sample.log" &
pids+=("$!")

# The simulated day ends when the real run does, so the collector's samples fall inside the window.
real=$((hours * 3600 / speedup))
start=$(date -u -d "@$(($(date +%s) + real - hours * 3600))" +%Y-%m-%dT%H:%M:%SZ)
demo=("${cli[@]}" demo --send "udp://127.0.0.1:$port" --hours "$hours" --speedup "$speedup"
  --seed "${SOAK_SEED:-1}" --start "$start" --out "$dir")
[ -n "${SOAK_CLIENTS-}" ] && demo+=(--clients "$SOAK_CLIENTS")
[ -n "${SOAK_FAULTS-}" ] && demo+=(--faults "$SOAK_FAULTS")
echo "make soak: ${hours} simulated hours at ${speedup}x (about ${real} s) into udp://127.0.0.1:$port; logs in $dir/"
if ! "${demo[@]}" >"$dir/demo.out" 2>"$dir/demo.log"; then
  echo "make soak: the simulation failed:" >&2
  cat "$dir/demo.log" >&2
  exit 3
fi

# Stop sampling, then let the collector commit everything (SIGTERM flushes) before judging its store.
cleanup
pids=()
wait "$collector"
asof=$(sed -n 's/.*--as-of \([^ ]*\).*/\1/p' "$dir/demo.out")
gluff=$(sed -n 's/.*--gluff \([^ ]*\).*/\1/p' "$dir/demo.out")
"${cli[@]}" verify --store "$dir/events.db" --spec specs/seed-rig.yaml --gluff "$gluff" --as-of "$asof" \
  --report-dir "$dir"
rc=$?
tail -n 1 "$dir/collect.log"
# The collector's memory at a glance, judged or not: first and last sample and the largest.
"${cli[@]}" events --store "$dir/events.db" --kind memsample --json 2>/dev/null |
  node -e '
    const rss = require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean).map(JSON.parse)
      .filter((e) => e.proc === "gv-collect" && !e.gone).map((e) => e.rssBytes / 1048576);
    if (rss.length > 0)
      console.log(`make soak: collector RSS ${rss[0].toFixed(1)} MiB first, ${rss[rss.length - 1].toFixed(1)} MiB last, ${Math.max(...rss).toFixed(1)} MiB at most (${rss.length} samples)`);'
echo "make soak: exit $rc, reports in $dir/"
exit $rc
