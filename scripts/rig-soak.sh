#!/usr/bin/env bash
# `make rig-soak` / `gluff-verify rig`: the seed's rig on this one box, in network namespaces, with YOUR
# patched dhcpd and gluff (or Debian's stock dhcpd and no Gluff), judged by gluff-verify.
# test/capture/run-gluff-rig.sh runs the rig (two dhcpd in failover, one gluff each into a fresh
# MariaDB database, dhcrelay -a as the switch, the permuter, dhclient clients with churn, the faults
# asked for); every rig host's rsyslogd forwards (RFC 5424, UDP) to our collector inside the rig's
# switch namespace, and `sample` reports the real dhcpd's and gluff's memory into the same store. At the
# end the clients stop, the queues drain, the collector is stopped (SIGTERM flushes), and `verify`
# judges the store against Gluff's table through a SELECT-only user (with --stock: `--gluff none`, the
# rig and the channel check themselves).
#
# Settings (environment; the Makefile and `gluff-verify rig` pass theirs):
#   DHCPD      the Gluff-patched dhcpd (default /opt/gluff-rig/bin/dhcpd; build: specs/build-gluff-rig.sh;
#              with STOCK=1 default /usr/sbin/dhcpd from Debian's isc-dhcp-server)
#   GLUFF      gluff (default /opt/gluff-rig/bin/gluff; unused with STOCK=1)
#   STOCK      1: no queue patch, no gluff, no database
#   HOURS      run time in hours, e.g. 0.5 (or MINUTES, or SECONDS); default 8 minutes; 90 s .. 24 h
#   CLIENTS    dhclient clients, 1..40 (default 6: the paper's c1..c6)
#   TOPOLOGY   one-subnet (default: the seed's; a moved client keeps its address) or subnet-per-port
#   RESHUFFLE  time between permuter moves: 20s..2h, e.g. 55 (seconds), 20m (default 55)
#   LEASE      dhcpd's default lease time, e.g. 120 or 10m (default 120; min = half, max = 1.5 x)
#   CHURN      seconds between client churn events (release, vanish until expiry, reboot); 0 = none
#              (default: 90, or the golden runs' fixed script for a 22+ minute plain run)
#   FAULTS     comma list of gluff-stop, dhcpd-restart, partner-down, release-after-restart
#   SEED       permuter and churn seed (default: the start time)
#   RIG_ID     0-4 of a-z 0-9: the rig's namespaces are gvrg<ID>-*; default the first free of '', 2..9,
#              so two rigs run side by side
#   RIG_TZ     wall-clock zone of the rig hosts (default Europe/Stockholm)
#   MYSQL_SOCK MariaDB's unix socket (default /run/mysqld/mysqld.sock)
#   REPORTS    where the run's folder goes (default reports/)
# Result: REPORTS/rig-<UTC>/ with terminal.txt, verdict.txt, report.json, junit.xml, report.html,
# events.db (the collector's store), rig.yaml (the spec judged against), rig.log, stats.txt, capture/
# (the rig's central syslog file, timeline, table dump, per-host logs). Exit code: verify's (0 pass,
# 1 fail, 2 inconclusive); 3 prerequisites missing or the rig failed; 130/143 interrupted.
#
#   scripts/rig-soak.sh --down [--force] [--purge]
#       removes what a killed run left: namespaces gvrg<RIG_ID>-* (every rig's with RIG_ID=all), the
#       processes in them, scratch directories. A run still alive is left alone unless --force.
#       --purge also drops the MariaDB databases gvrg*_soak_* / gvrg*_rig_* and users gvrg*_rig/_ro.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

pidfile_of() { printf '/run/gluff-verify-rig-soak%s.pid' "${1:+-$1}"; }
live_run() { local f p; f="$(pidfile_of "$1")"; [ -f "$f" ] && p="$(cat "$f")" && [[ "$p" =~ ^[0-9]+$ ]] && kill -0 -- "-$p" 2>/dev/null; }
ns_of() { ip netns list 2>/dev/null | awk '{print $1}' | grep "^gvrg$1-" || true; }

# ---------------------------------------------------------------- rig-down
down() {
  local force=0 purge=0 ids=() id pg ns p n=0 a
  for a in "$@"; do
    case "$a" in --force) force=1 ;; --purge) purge=1 ;;
      *) echo "rig-down: unknown argument '$a' (--force, --purge)" >&2; return 3 ;; esac
  done
  if [ "${RIG_ID-}" = all ]; then
    mapfile -t ids < <(ip netns list 2>/dev/null | awk '{print $1}' | sed -n 's/^gvrg\([a-z0-9]\{0,4\}\)-.*/\1/p' | sort -u)
    for f in /run/gluff-verify-rig-soak*.pid; do
      [ -e "$f" ] || continue; id="${f#/run/gluff-verify-rig-soak}"; id="${id%.pid}"; ids+=("${id#-}")
    done
  else
    ids=("${RIG_ID-}")
  fi
  mapfile -t ids < <(printf '%s\n' "${ids[@]}" | sort -u)
  for id in "${ids[@]}"; do
    if live_run "$id"; then
      pg="$(cat "$(pidfile_of "$id")")"
      if [ "$force" -eq 0 ]; then
        echo "rig-down: rig '$id' is running (process group $pg); left alone (--force stops it)"
        continue
      fi
      echo "rig-down: SIGTERM to rig '$id' (process group $pg)"
      kill -TERM -- "-$pg" 2>/dev/null
      for _ in $(seq 100); do kill -0 -- "-$pg" 2>/dev/null || break; sleep 0.2; done
      kill -KILL -- "-$pg" 2>/dev/null
    fi
    rm -f "$(pidfile_of "$id")"
    for ns in $(ns_of "$id"); do
      for p in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$p" 2>/dev/null; done
      sleep 0.5
      for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
      ip netns del "$ns" && n=$((n + 1))
    done
    # The rig script's scratch directories (configs, queue databases), left when it was killed with -9.
    rm -rf "/tmp/gvrg$id-run."??????
  done
  echo "rig-down: $n namespace(s) removed"
  if [ "$purge" -eq 1 ]; then
    local sock="${MYSQL_SOCK:-/run/mysqld/mysqld.sock}" dbs users
    dbs="$(mysql --socket="$sock" -uroot -N -e "SELECT schema_name FROM information_schema.schemata WHERE schema_name REGEXP '^gvrg[a-z0-9]{0,4}_(soak|rig)_[0-9_]+$'" 2>/dev/null)"
    users="$(mysql --socket="$sock" -uroot -N -e "SELECT user FROM mysql.user WHERE host='localhost' AND user REGEXP '^gvrg[a-z0-9]{0,4}_(rig|ro)$'" 2>/dev/null)"
    for d in $dbs; do mysql --socket="$sock" -uroot -e "DROP DATABASE \`$d\`" && echo "rig-down: dropped database $d"; done
    for u in $users; do mysql --socket="$sock" -uroot -e "DROP USER '$u'@'localhost'" && echo "rig-down: dropped user $u@localhost"; done
  else
    echo "rig-down: MariaDB databases gvrg*_soak_* and users are kept (--purge drops them)"
  fi
}
if [ "${1-}" = "--down" ]; then
  shift
  [ "$(id -u)" -eq 0 ] || { echo "rig-down: must run as root" >&2; exit 3; }
  [ "${RIG_ID-}" = all ] || [[ "${RIG_ID-}" =~ ^[a-z0-9]{0,4}$ ]] || { echo "rig-down: RIG_ID must be 0-4 of a-z 0-9, or all" >&2; exit 3; }
  down "$@"
  exit $?
fi

# to_sec TEXT: 90, 90s, 20m, 1.5h -> whole seconds; empty when not a duration.
to_sec() {
  awk -v t="$1" 'BEGIN {
    if (match(t, /^[0-9]+(\.[0-9]+)?[smh]?$/) == 0) exit
    u = substr(t, length(t)); m = 1
    if (u == "m") m = 60; else if (u == "h") m = 3600
    if (u ~ /[smh]/) t = substr(t, 1, length(t) - 1)
    printf "%d\n", t * m + 0.5 }'
}

STOCK="${STOCK:-0}"
[ "$STOCK" = 1 ] || STOCK=0
if [ "$STOCK" -eq 1 ]; then DHCPD="${DHCPD:-/usr/sbin/dhcpd}"; GLUFF=""; else
  DHCPD="${DHCPD:-/opt/gluff-rig/bin/dhcpd}"; GLUFF="${GLUFF:-/opt/gluff-rig/bin/gluff}"; fi
CLIENTS="${CLIENTS:-6}"
TOPOLOGY="${TOPOLOGY:-one-subnet}"
RIG_TZ="${RIG_TZ:-Europe/Stockholm}"
MYSQL_SOCK="${MYSQL_SOCK:-/run/mysqld/mysqld.sock}"
REPORTS="${REPORTS:-reports}"
FAULTS="${FAULTS:-}"
CHURN="${CHURN:-}"
SEED="${SEED:-}"

# ---------------------------------------------------------------- prerequisites (all named, exit 3)
missing=()
if [ -n "${HOURS:-}" ]; then RUNSEC="$(to_sec "${HOURS}h")"; what="HOURS=$HOURS"
elif [ -n "${MINUTES:-}" ]; then RUNSEC="$(to_sec "${MINUTES}m")"; what="MINUTES=$MINUTES"
elif [ -n "${SECONDS_RUN:-}" ]; then RUNSEC="$(to_sec "$SECONDS_RUN")"; what="SECONDS=$SECONDS_RUN"
else RUNSEC=480; what="the default 8 minutes"; fi
[ -n "$RUNSEC" ] && [ "$RUNSEC" -ge 90 ] && [ "$RUNSEC" -le 86400 ] || missing+=("$what: a run time of 90 s .. 24 h (HOURS=0.5, MINUTES=30, SECONDS=150)")
RESHUFFLE_SEC="$(to_sec "${RESHUFFLE:-55}")"
[ -n "$RESHUFFLE_SEC" ] && [ "$RESHUFFLE_SEC" -ge 20 ] && [ "$RESHUFFLE_SEC" -le 7200 ] || missing+=("RESHUFFLE=${RESHUFFLE-}: 20s .. 2h (e.g. 55, 20m)")
LEASE_SEC="$(to_sec "${LEASE:-120}")"
[ -n "$LEASE_SEC" ] && [ "$LEASE_SEC" -ge 60 ] && [ "$LEASE_SEC" -le 86400 ] || missing+=("LEASE=${LEASE-}: 60s .. 24h (e.g. 120, 10m)")
[[ "$CLIENTS" =~ ^[0-9]+$ ]] && [ "$CLIENTS" -ge 1 ] && [ "$CLIENTS" -le 40 ] || missing+=("CLIENTS=$CLIENTS: 1..40")
[ "$TOPOLOGY" = one-subnet ] || [ "$TOPOLOGY" = subnet-per-port ] || missing+=("TOPOLOGY=$TOPOLOGY: one-subnet or subnet-per-port")
[ -z "$CHURN" ] || [[ "$CHURN" =~ ^[0-9]+$ ]] || missing+=("CHURN=$CHURN: seconds (0 = none)")
[ -z "$SEED" ] || [[ "$SEED" =~ ^[0-9]+$ ]] || missing+=("SEED=$SEED: a number")
IFS=, read -r -a flist <<< "$FAULTS"
for f in "${flist[@]}"; do
  case "$f" in gluff-stop|dhcpd-restart|partner-down|release-after-restart) ;;
    *) missing+=("FAULTS: unknown fault '$f' (gluff-stop, dhcpd-restart, partner-down, release-after-restart)") ;; esac
  [ "$STOCK" -eq 0 ] || [ "$f" != gluff-stop ] || missing+=("FAULTS=gluff-stop needs gluff (not with STOCK=1)")
done
[ "$(id -u)" -eq 0 ] || missing+=("root: run as root (network namespaces); e.g. sudo make rig-soak")
ip netns list >/dev/null 2>&1 || missing+=("ip netns: 'ip netns list' fails (iproute2 with netns support)")
cmds=(dhcrelay dhclient rsyslogd unshare logger node)
[ "$STOCK" -eq 1 ] || cmds+=(sqlite3 mysql strings)
for c in "${cmds[@]}"; do
  command -v "$c" >/dev/null 2>&1 || missing+=("command $c: not on PATH (apt-get install isc-dhcp-relay isc-dhcp-client rsyslog util-linux bsdutils sqlite3 mariadb-client binutils)")
done
if [ ! -x "$DHCPD" ]; then
  missing+=("DHCPD=$DHCPD: no such executable ($([ "$STOCK" -eq 1 ] && echo 'apt-get install isc-dhcp-server' || echo 'build with specs/build-gluff-rig.sh'))")
elif [ "$STOCK" -eq 0 ] && command -v strings >/dev/null 2>&1 && ! strings "$DHCPD" | grep lease_queue >/dev/null; then
  missing+=("DHCPD=$DHCPD: no lease_queue in the binary: not Gluff's queue-patched dhcpd (STOCK=1 runs an unpatched one)")
fi
if [ "$STOCK" -eq 0 ]; then
  [ -x "$GLUFF" ] || missing+=("GLUFF=$GLUFF: no such executable (build with specs/build-gluff-rig.sh)")
  if [ ! -S "$MYSQL_SOCK" ]; then
    missing+=("MariaDB: no socket at $MYSQL_SOCK (start it: make mariadb)")
  elif ! mysql --socket="$MYSQL_SOCK" -uroot -N -e 'SELECT 1' >/dev/null 2>&1; then
    missing+=("MariaDB: cannot connect as root through $MYSQL_SOCK")
  fi
fi
[ -e "/usr/share/zoneinfo/$RIG_TZ" ] || missing+=("RIG_TZ=$RIG_TZ: unknown time zone")
[ -d node_modules/tsx ] || missing+=("node_modules: run make (npm ci) first")
if [ "$(id -u)" -eq 0 ] && ip netns list >/dev/null 2>&1; then
  if [ -n "${RIG_ID+x}" ] && [ "${RIG_ID}" != auto ]; then
    if ! [[ "$RIG_ID" =~ ^[a-z0-9]{0,4}$ ]]; then missing+=("RIG_ID=$RIG_ID: 0-4 of a-z 0-9")
    elif live_run "$RIG_ID"; then missing+=("RIG_ID=$RIG_ID: that rig is running now (leave RIG_ID unset to take a free one)")
    elif [ -n "$(ns_of "$RIG_ID")" ]; then missing+=("namespaces left by a killed run: $(ns_of "$RIG_ID" | tr '\n' ' ')(remove them: make rig-down RIG_ID=$RIG_ID)"); fi
  else
    RIG_ID=""; found=0
    for id in "" 2 3 4 5 6 7 8 9; do
      live_run "$id" && continue
      if [ -n "$(ns_of "$id")" ]; then
        missing+=("namespaces left by a killed run: $(ns_of "$id" | tr '\n' ' ')(remove them: make rig-down RIG_ID=$id)"); found=1; break
      fi
      RIG_ID="$id"; found=1; break
    done
    [ "$found" -eq 1 ] || missing+=("RIG_ID: nine rigs are running already")
  fi
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "rig-soak: GV_RIG_ENV: prerequisites missing:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 3
fi
PIDFILE="$(pidfile_of "$RIG_ID")"

# ---------------------------------------------------------------- run
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$REPORTS"
dir="$REPORTS/rig-$stamp"
n=2
while [ -e "$dir" ]; do dir="$REPORTS/rig-$stamp-$n"; n=$((n + 1)); done
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
DB=""
[ "$STOCK" -eq 1 ] || DB="gvrg${RIG_ID}_soak_$(date -u +%Y%m%d_%H%M%S)"
RO_USER="gvrg${RIG_ID}_ro"
RO_PASS=""
MYSQL=(mysql --socket="$MYSQL_SOCK" -uroot)
RIG=""
# Memory: judged after a warm-up of 15 % of the run (at most 10 min), over at least 40 % of it (at
# least 5 min): a one-hour run is judged, a few minutes are not (memory then says so, not a verdict).
WARMUP=$(( RUNSEC * 15 / 100 < 600 ? RUNSEC * 15 / 100 : 600 ))
MINSPAN=$(( RUNSEC * 40 / 100 > 300 ? RUNSEC * 40 / 100 : 300 ))
SAMPLE=$(( RUNSEC >= 1800 ? 15 : 5 ))

# The spec the store is judged against: the rig's facts (as test/golden/real-gluff/run4/rig.yaml); the
# clients' segments come from the rig script (capture/client-segments.yaml) once it has started.
write_spec() {
  cat <<EOF
# Written by scripts/rig-soak.sh for the one-box rig of test/capture/run-gluff-rig.sh (see README
# "Rig on one box"): two dhcpd in failover ($([ "$STOCK" -eq 1 ] && echo "stock $DHCPD, no Gluff" || echo "Gluff-patched $DHCPD, gluff $GLUFF")),
# dhcrelay -a as the switch (circuit-id = relay port name, no remote-id), topology $TOPOLOGY, the
# permuter (host gvrg-perm) moving 1-2 client segments every $RESHUFFLE_SEC s, $CLIENTS clients.
name: gvrg${RIG_ID}-rig-soak-$stamp

servers:
  - { host: gvrg-dhcp1, role: primary, zone: $RIG_TZ }
  - { host: gvrg-dhcp2, role: secondary, zone: $RIG_TZ }

lease:
  defaultSec: $LEASE_SEC
  minSec: $(( LEASE_SEC / 2 ))
  maxSec: $(( LEASE_SEC * 3 / 2 ))
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
$(cat "$dir/capture/client-segments.yaml")

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
  warmupSec: $WARMUP
  minSamples: 30
  minDurationSec: $MINSPAN
  maxSlopeBytesPerHour: 1MiB
  maxGrowthBytes: 16MiB
EOF
}

finish() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$RIG" ] && kill -0 "$RIG" 2>/dev/null; then
    echo "rig-soak: stopping the rig (PID $RIG); it tears its namespaces down" >&2
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

echo "rig-soak: rig '$RIG_ID' (namespaces gvrg${RIG_ID}-*), ${RUNSEC}s, $CLIENTS clients, $TOPOLOGY, lease ${LEASE_SEC}s, permuter every ${RESHUFFLE_SEC}s, faults ${FAULTS:-none}, $([ "$STOCK" -eq 1 ] && echo "stock dhcpd, no Gluff" || echo "database $DB"); reports in $dir/"
t0=$(date +%s)
args=(--seconds "$RUNSEC" --clients "$CLIENTS" --reshuffle "$RESHUFFLE_SEC" --lease "$LEASE_SEC" --topology "$TOPOLOGY"
      --rig-id "$RIG_ID" --dhcpd "$DHCPD" --tz "$RIG_TZ" --out "$dir/capture" --collect "$dir/events.db"
      --sample "${SAMPLE}s" --parent $$)
if [ "$STOCK" -eq 1 ]; then args+=(--stock); else args+=(--gluff "$GLUFF" --mysql-socket "$MYSQL_SOCK" --db "$DB"); fi
[ -z "$FAULTS" ] || args+=(--faults "$FAULTS")
[ -z "$CHURN" ] || args+=(--churn "$CHURN")
[ -z "$SEED" ] || args+=(--seed "$SEED")
# setsid: the rig gets a process group of its own (= its PID), which rig-down can stop as a whole.
setsid bash test/capture/run-gluff-rig.sh "${args[@]}" > "$dir/rig.log" 2>&1 &
RIG=$!
echo "$RIG" > "$PIDFILE"
tail -n +1 -f --pid "$RIG" "$dir/rig.log" 2>/dev/null &
TAIL=$!
wait "$RIG"
rig_rc=$?
RIG=""
wait "$TAIL" 2>/dev/null
rm -f "$PIDFILE"
echo "rig-soak: rig finished (exit $rig_rc) after $(( $(date +%s) - t0 )) s"
if [ "$rig_rc" -ne 0 ] || [ ! -s "$dir/events.db" ] || [ ! -s "$dir/capture/client-segments.yaml" ]; then
  echo "rig-soak: GV_RIG_ENV: the rig failed (exit $rig_rc); see $dir/rig.log and $dir/capture/" >&2
  exit 3
fi
write_spec > "$dir/rig.yaml"

# ---------------------------------------------------------------- verify
asof_wait=5
if [ "$STOCK" -eq 1 ]; then
  gluff=(--gluff none)
else
  # Gluff's rows are eventually consistent (settleSec 30): judge as of a moment every client event is older than that.
  asof_wait=35
  RO_PASS="$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  "${MYSQL[@]}" <<SQL
CREATE USER IF NOT EXISTS '$RO_USER'@'localhost' IDENTIFIED BY '$RO_PASS';
ALTER USER '$RO_USER'@'localhost' IDENTIFIED BY '$RO_PASS';
GRANT SELECT ON \`$DB\`.* TO '$RO_USER'@'localhost';
SQL
  gluff=(--gluff "mysql://$RO_USER@localhost/$DB?socket=$MYSQL_SOCK")
fi
sleep "$asof_wait"
asof="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
# The password travels in the environment (GLUFF_DBPWD), never on a command line.
GLUFF_DBPWD="$RO_PASS" FORCE_COLOR=0 node --import tsx src/cli/run.ts verify --store "$dir/events.db" \
  --spec "$dir/rig.yaml" "${gluff[@]}" --as-of "$asof" --report-dir "$dir" 2>&1 | tee "$dir/terminal.txt"
rc=${PIPESTATUS[0]}
node --import tsx src/cli/run.ts stats --store "$dir/events.db" > "$dir/stats.txt" 2>&1 || true
echo "rig-soak: verify exit $rc (as of $asof), $(( $(date +%s) - t0 )) s in all; reports in $dir/${DB:+; database $DB kept}"
exit "$rc"
