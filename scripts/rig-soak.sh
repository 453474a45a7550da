#!/usr/bin/env bash
# `make rig-soak`: the seed's rig on this one box, in network namespaces, with YOUR patched dhcpd and
# gluff, judged by gluff-verify. test/capture/run-gluff-rig.sh runs the rig (two patched dhcpd in
# failover, one gluff each into a fresh MariaDB database, dhcrelay -a as the switch, the permuter,
# dhclient clients); every rig host's rsyslogd forwards (RFC 5424, UDP) to our collector inside the
# rig's switch namespace, and `sample` reports the real dhcpd's and gluff's memory into the same store.
# At the end the clients stop, the queues drain, the collector is stopped (SIGTERM flushes), and
# `verify` judges the store against Gluff's table through a SELECT-only user.
#
# Settings (environment; the Makefile passes its variables):
#   DHCPD      the Gluff-patched dhcpd (default /opt/gluff-rig/bin/dhcpd; build: specs/build-gluff-rig.sh)
#   GLUFF      gluff (default /opt/gluff-rig/bin/gluff)
#   MINUTES    run time, 5..60 (default 8)
#   CLIENTS    dhclient clients, 1..6 (default 6)
#   RESHUFFLE  seconds between permuter moves, 20..600 (default 55)
#   RIG_TZ     wall-clock zone of the rig hosts (default Europe/Stockholm)
#   MYSQL_SOCK MariaDB's unix socket (default /run/mysqld/mysqld.sock)
# Result: reports/rig-<UTC>/ with terminal.txt, verdict.txt, report.json, junit.xml, report.html,
# events.db (the collector's store), rig.yaml (the spec judged against), rig.log, capture/ (the rig's
# central syslog file, timeline, table dump, per-host logs). Exit code: verify's (0 pass, 1 fail,
# 2 inconclusive); 3 prerequisites missing or the rig failed; 130/143 interrupted.
#
#   scripts/rig-soak.sh --down   removes what a killed run left: namespaces gvrg-*, the processes in
#                                them, and the run recorded in /run/gluff-verify-rig-soak.pid
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
PIDFILE=/run/gluff-verify-rig-soak.pid
RIG_PREFIX=gvrg-

# ---------------------------------------------------------------- rig-down
down() {
  local pg ns p n=0
  if [ -f "$PIDFILE" ]; then
    pg="$(cat "$PIDFILE")"
    # The run's rig script was started with setsid: its process group is its PID.
    if [[ "$pg" =~ ^[0-9]+$ ]] && kill -0 -- "-$pg" 2>/dev/null; then
      echo "rig-down: SIGTERM to the rig run's process group $pg"
      kill -TERM -- "-$pg" 2>/dev/null
      for _ in $(seq 100); do kill -0 -- "-$pg" 2>/dev/null || break; sleep 0.2; done
      kill -KILL -- "-$pg" 2>/dev/null
    fi
    rm -f "$PIDFILE"
  fi
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
    case "$ns" in "$RIG_PREFIX"*) ;; *) continue ;; esac
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$p" 2>/dev/null; done
    sleep 0.5
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    ip netns del "$ns" && n=$((n + 1))
  done
  # The rig script's scratch directories (configs, queue databases), left when it was killed with -9.
  rm -rf /tmp/gvrg-run.??????
  echo "rig-down: $n namespace(s) ${RIG_PREFIX}* removed; MariaDB databases gvrg_soak_* are kept (DROP them by hand)"
}
if [ "${1-}" = "--down" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "rig-down: must run as root" >&2; exit 3; }
  down
  exit 0
fi

DHCPD="${DHCPD:-/opt/gluff-rig/bin/dhcpd}"
GLUFF="${GLUFF:-/opt/gluff-rig/bin/gluff}"
MINUTES="${MINUTES:-8}"
CLIENTS="${CLIENTS:-6}"
RESHUFFLE="${RESHUFFLE:-55}"
RIG_TZ="${RIG_TZ:-Europe/Stockholm}"
MYSQL_SOCK="${MYSQL_SOCK:-/run/mysqld/mysqld.sock}"

# ---------------------------------------------------------------- prerequisites (all named, exit 3)
missing=()
[ "$(id -u)" -eq 0 ] || missing+=("root: run as root (network namespaces); e.g. sudo make rig-soak")
ip netns list >/dev/null 2>&1 || missing+=("ip netns: 'ip netns list' fails (iproute2 with netns support)")
for c in dhcrelay dhclient rsyslogd unshare logger sqlite3 mysql strings node; do
  command -v "$c" >/dev/null 2>&1 || missing+=("command $c: not on PATH (apt-get install isc-dhcp-relay isc-dhcp-client rsyslog util-linux bsdextrautils sqlite3 mariadb-client binutils)")
done
if [ ! -x "$DHCPD" ]; then
  missing+=("DHCPD=$DHCPD: no such executable (build with specs/build-gluff-rig.sh)")
elif command -v strings >/dev/null 2>&1 && ! strings "$DHCPD" | grep lease_queue >/dev/null; then
  missing+=("DHCPD=$DHCPD: no lease_queue in the binary: not Gluff's queue-patched dhcpd")
fi
[ -x "$GLUFF" ] || missing+=("GLUFF=$GLUFF: no such executable (build with specs/build-gluff-rig.sh)")
if [ ! -S "$MYSQL_SOCK" ]; then
  missing+=("MariaDB: no socket at $MYSQL_SOCK (start it: make mariadb)")
elif ! mysql --socket="$MYSQL_SOCK" -uroot -N -e 'SELECT 1' >/dev/null 2>&1; then
  missing+=("MariaDB: cannot connect as root through $MYSQL_SOCK")
fi
[ -e "/usr/share/zoneinfo/$RIG_TZ" ] || missing+=("RIG_TZ=$RIG_TZ: unknown time zone")
[ -d node_modules/tsx ] || missing+=("node_modules: run make (npm ci) first")
[[ "$MINUTES" =~ ^[0-9]+$ ]] && [ "$MINUTES" -ge 5 ] && [ "$MINUTES" -le 60 ] || missing+=("MINUTES=$MINUTES: whole number 5..60")
[[ "$CLIENTS" =~ ^[1-6]$ ]] || missing+=("CLIENTS=$CLIENTS: 1..6")
[[ "$RESHUFFLE" =~ ^[0-9]+$ ]] && [ "$RESHUFFLE" -ge 20 ] && [ "$RESHUFFLE" -le 600 ] || missing+=("RESHUFFLE=$RESHUFFLE: seconds 20..600")
if [ "$(id -u)" -eq 0 ]; then
  left="$(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$RIG_PREFIX" | tr '\n' ' ')"
  [ -z "$left" ] || missing+=("namespaces left by an earlier run: $left(remove them: make rig-down)")
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "make rig-soak: GV_ENV: prerequisites missing:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 3
fi

# ---------------------------------------------------------------- run
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
dir="reports/rig-$stamp"
n=2
while [ -e "$dir" ]; do dir="reports/rig-$stamp-$n"; n=$((n + 1)); done
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
DB="gvrg_soak_$(date -u +%Y%m%d_%H%M%S)"
RO_USER=gvrg_ro
RO_PASS=""
MYSQL=(mysql --socket="$MYSQL_SOCK" -uroot)
RIG=""

# The spec the store is judged against: the rig's facts (as test/golden/real-gluff/run4/rig.yaml).
cat > "$dir/rig.yaml" <<EOF
# Written by scripts/rig-soak.sh for the one-box rig of test/capture/run-gluff-rig.sh (see README
# "Rig on one box"): two Gluff-patched dhcpd in failover, dhcrelay -a as the switch (circuit-id = relay
# port name, no remote-id), one client subnet behind all three relay ports, the permuter (host
# gvrg-perm) moving 1-2 client segments every $RESHUFFLE s. Binaries: $DHCPD, $GLUFF.
name: gvrg-rig-soak-$stamp

servers:
  - { host: gvrg-dhcp1, role: primary, zone: $RIG_TZ }
  - { host: gvrg-dhcp2, role: secondary, zone: $RIG_TZ }

lease:
  defaultSec: 120
  minSec: 60
  maxSec: 180
  mcltSec: 60

switch:
  name: gvrg-rly (dhcrelay -a)
  ports:
    - { name: gvrgrp1, switchIf: gvrgsw1, circuitId: { text: gvrgrp1 }, remoteId: null }
    - { name: gvrgrp2, switchIf: gvrgsw2, circuitId: { text: gvrgrp2 }, remoteId: null }
    - { name: gvrgrp3, switchIf: gvrgsw3, circuitId: { text: gvrgrp3 }, remoteId: null }

permuterHost: gvrg-perm
permuterZone: $RIG_TZ

clientSegments:
  - { iface: gvrgcs1, macs: ['02:0a:00:77:01:01'] }
  - { iface: gvrgcs2, macs: ['02:0a:00:77:02:02'] }
  - { iface: gvrgcs3, macs: ['02:0a:00:77:03:03'] }
  - { iface: gvrgcs4, macs: ['02:0a:00:77:04:04'] }
  - { iface: gvrgcs5, macs: ['02:0a:00:77:05:05', '02:0a:00:77:05:06'] }

tolerances:
  startSkewSec: 2
  endSkewSec: 2
  approxEndSkewSec: 2m
  settleSec: 30
  gluffZone: $RIG_TZ

# A relay (not a snooping switch) only sees broadcasts and what it routes: unicast renewals keep
# dhcpd's remembered circuit-id, so stale options are expected here.
portDisagreement:
  dhcpd-stale-options: warn
  switch-not-stamping: warn
  moved-without-dhcp: warn

memory:
  warmupSec: 10m
  minSamples: 30
  minDurationSec: 2h
  maxSlopeBytesPerHour: 1MiB
  maxGrowthBytes: 16MiB
EOF

finish() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$RIG" ] && kill -0 "$RIG" 2>/dev/null; then
    echo "make rig-soak: stopping the rig (PID $RIG); it tears its namespaces down" >&2
    kill -TERM "$RIG" 2>/dev/null
    wait "$RIG" 2>/dev/null
  fi
  rm -f "$PIDFILE"
  [ -n "$RO_PASS" ] && "${MYSQL[@]}" -e "DROP USER IF EXISTS '$RO_USER'@'localhost'" 2>/dev/null
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "make rig-soak: $MINUTES min, $CLIENTS clients, permuter every ${RESHUFFLE}s, database $DB; reports in $dir/"
t0=$(date +%s)
# setsid: the rig gets a process group of its own (= its PID), which rig-down can stop as a whole.
setsid bash test/capture/run-gluff-rig.sh --minutes "$MINUTES" --clients "$CLIENTS" --reshuffle "$RESHUFFLE" \
  --dhcpd "$DHCPD" --gluff "$GLUFF" --tz "$RIG_TZ" --mysql-socket "$MYSQL_SOCK" --db "$DB" \
  --out "$dir/capture" --collect "$dir/events.db" --sample 15s > "$dir/rig.log" 2>&1 &
RIG=$!
echo "$RIG" > "$PIDFILE"
tail -n +1 -f --pid "$RIG" "$dir/rig.log" 2>/dev/null &
TAIL=$!
wait "$RIG"
rig_rc=$?
RIG=""
wait "$TAIL" 2>/dev/null
rm -f "$PIDFILE"
echo "make rig-soak: rig finished (exit $rig_rc) after $(( $(date +%s) - t0 )) s"
if [ "$rig_rc" -ne 0 ] || [ ! -s "$dir/events.db" ]; then
  echo "make rig-soak: GV_ENV: the rig failed (exit $rig_rc); see $dir/rig.log and $dir/capture/" >&2
  exit 3
fi

# ---------------------------------------------------------------- verify
# Gluff's rows are eventually consistent (settleSec 30): judge as of a moment every client event is older than that.
sleep 35
RO_PASS="$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
"${MYSQL[@]}" <<SQL
CREATE USER IF NOT EXISTS '$RO_USER'@'localhost' IDENTIFIED BY '$RO_PASS';
ALTER USER '$RO_USER'@'localhost' IDENTIFIED BY '$RO_PASS';
GRANT SELECT ON \`$DB\`.* TO '$RO_USER'@'localhost';
SQL
asof="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
# The password travels in the environment (GLUFF_DBPWD), never on a command line.
GLUFF_DBPWD="$RO_PASS" FORCE_COLOR=0 node --import tsx src/cli/run.ts verify --store "$dir/events.db" \
  --spec "$dir/rig.yaml" --gluff "mysql://$RO_USER@localhost/$DB?socket=$MYSQL_SOCK" --as-of "$asof" \
  --report-dir "$dir" 2>&1 | tee "$dir/terminal.txt"
rc=${PIPESTATUS[0]}
node --import tsx src/cli/run.ts stats --store "$dir/events.db" > "$dir/stats.txt" 2>&1 || true
echo "make rig-soak: verify exit $rc (as of $asof), $(( $(date +%s) - t0 )) s in all; reports in $dir/; database $DB kept"
exit "$rc"
