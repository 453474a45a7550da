#!/usr/bin/env bash
# Real-Gluff capture rig: the topology of Hans Liss's paper "Testing DHCP failover with logging" with
# the REAL Gluff pipeline: two patched ISC dhcpd 4.4.3-P1 in failover (load balancing, mclt 60), each
# started with `-ldb QUEUE` and feeding its own gluff 1.12, both gluffs writing to one MariaDB
# database; a router running `dhcrelay -a` as the "switch" (circuit-id = relay port name); a port
# permuter ("autobridge") that re-pairs client segments with relay ports; six dhclient clients.
# All relay ports serve ONE client subnet (a dhcpd shared-network), so a client moved to another
# port keeps its address and only its circuit-id changes. Binaries: specs/build-gluff-rig.sh.
#
# Usage (as root):  test/capture/run-gluff-rig.sh [options]
#   --minutes N        total run time, 5..60 (default 24); scripted events after the end are skipped
#   --out DIR          capture directory (default /work/capture-out/gluff-rig-<UTC time>)
#   --prefix DIR       where build-gluff-rig.sh installed bin/dhcpd and bin/gluff (default /opt/gluff-rig)
#   --tz ZONE          wall-clock zone of every rig host, syslog stamps and Gluff's rows (default
#                      Europe/Stockholm, like the golden runs; UTC also works)
#   --mysql-socket P   the local MariaDB server's unix socket (default /run/mysqld/mysqld.sock)
#   --db NAME          database to create for this run (default gvrg_rig_<UTC time>); must not exist
#   --seed N           seed of the permuter's choices (default: the start time); logged
#   --dhcpd PATH       the patched dhcpd to run (default PREFIX/bin/dhcpd)
#   --gluff PATH       the gluff to run (default PREFIX/bin/gluff)
#   --clients N        run only clients c1..cN, 1..6 (default 6); the others' events are skipped
#   --reshuffle SEC    seconds between permuter moves, 20..600 (default 55)
#   --collect STORE    also run gluff-verify's collector (namespace gvrg-sw, udp://10.77.0.5:5514,
#                      --allow 10.77.0.0/24) into event store STORE; every host's rsyslogd forwards
#                      to it in RFC 5424 beside the central file; stopped with SIGTERM (flushes) at the end
#   --sample DURATION  with --collect: on each server, gluff-verify sample of its dhcpd and gluff PIDs
#                      every DURATION (e.g. 15s) into the collector, host name gvrg-dhcpN
#   -h, --help         this text
# Result in DIR: syslog.log (all rig hosts, classic `Mmm dd hh:mm:ss HOST tag[pid]: msg`),
#   syslog-pri.log (same with <PRI>), syslog-5424.log, timeline.txt (what the script did, UTC),
#   gluff-tables.sql (INSERTs recreating ips, hws, cids, rids, leases as Gluff left them),
#   rig-facts.txt (addresses, MACs, ports, zone, database), hosts/* (per-host local logs,
#   dhcpd/gluff/dhcrelay/dhclient stderr, lease files, queue databases, router route log).
#   The MariaDB database stays (drop it with: mysql -e 'DROP DATABASE name').
#
# Network: private 10.77.0.0/16 only, inside the rig's own namespaces (prefix gvrg-); nothing is
# routed out of them. gluff reaches MariaDB through its unix socket (MYSQL_UNIX_PORT): a pathname
# unix socket is not tied to a network namespace, so no IP traffic leaves the rig. Everything is
# torn down on exit, error, Ctrl-C or watchdog timeout (2 min after the planned end).
#
# Topology (syslog host names in brackets):
#   gvrg-sw    server LAN bridge gvrgbrs 10.77.0.0/24; central rsyslogd on 10.77.0.5; also runs the
#              permuter's rsyslogd [gvrg-perm] (a local socket, no network of its own needed)
#   gvrg-d1    [gvrg-dhcp1] gvrgs1e 10.77.0.11: dhcpd failover primary + gluff
#   gvrg-d2    [gvrg-dhcp2] gvrgs2e 10.77.0.12: dhcpd failover secondary + gluff
#   gvrg-rly   [gvrg-relay] gvrgrle 10.77.0.1 (server LAN) and relay ports gvrgrp1..3 =
#              10.77.1.1, 10.77.2.1, 10.77.3.1 (+ the clients' gateway 10.77.10.1/32 on gvrgrp1).
#              IPv4 forwarding on; dhcrelay -a -id gvrgrp1..3 -iu gvrgrle. A small "route learner"
#              sets a /32 route to each client address via the port its ARP came from last, as a
#              switch's L2 learning would (server -> client unicast replies reach the right port).
#   gvrg-perm  permuter: bridges gvrgbr01..03, each holding switch-side gvrgswN (veth peer of relay
#              port gvrgrpN) and the client segments currently wired to that port: gvrgcs1..4 (one
#              client each: c1..c4) and gvrgcs5 (a hub bridge gvrghub5 with c5 and c6).
#   gvrg-c1..6 the clients, eth0 MACs 02:0a:00:77:0N:0N (c5 02:0a:00:77:05:05, c6 ..:05:06).
#   dhcpd: one shared-network gvrg-access = the relay port subnets 10.77.1-3.0/24 (no pools) and the
#   client subnet 10.77.10.0/24 (pool .50-.109, routers 10.77.10.1); leases 120 s (min 60, max 180).
#   A client's unicast renewal goes to its server via the router: the server sees it directly
#   (giaddr 0.0.0.0, `via gvrgsNe`) and dhcrelay, which also hears it on the port, relays a copy with
#   the current port's circuit-id to both servers.
#
# Scenario (planned seconds after the clients start; an event that is due while the one before it
# is still running waits for it, so the timeline.txt times can be a little later): permuter `down seq=N` + `map seq=N`
# every 55 s from +60 (1-2 segments move; their clients' links bounce and dhclient restarts, so they
# INIT-REBOOT through the new port); releases (dhclient -r) of c2 +150 (back +245), c4 +470 (+560),
# c6 +760 (+850), c1 +1000 (+1070), c3 +1150 (+1220); gluff of gvrg-dhcp2 stopped +420..+630 (3.5
# min); at the end the clients are SIGTERMed (no release), the gluffs drain their queues for 20 s,
# then the tables are dumped.
set -Eeuo pipefail
# The whole script is one { ... } block so bash parses it before running: editing the file
# during a run cannot change the running instance.
{

MINUTES=24
OUT=""
PREFIX=/opt/gluff-rig
RIG_TZ=Europe/Stockholm
MYSQL_SOCK=/run/mysqld/mysqld.sock
DB=""
SEED=""
DHCPD_ARG=""
GLUFF_ARG=""
NCLIENTS=6
RESHUFFLE=55
COLLECT_STORE=""
SAMPLE_EVERY=""
COLLECT_PORT=5514
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --prefix) PREFIX="$2"; shift 2 ;;
    --tz) RIG_TZ="$2"; shift 2 ;;
    --mysql-socket) MYSQL_SOCK="$2"; shift 2 ;;
    --db) DB="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --dhcpd) DHCPD_ARG="$2"; shift 2 ;;
    --gluff) GLUFF_ARG="$2"; shift 2 ;;
    --clients) NCLIENTS="$2"; shift 2 ;;
    --reshuffle) RESHUFFLE="$2"; shift 2 ;;
    --collect) COLLECT_STORE="$2"; shift 2 ;;
    --sample) SAMPLE_EVERY="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^[^#]/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-gluff-rig: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if ! [[ "$MINUTES" =~ ^[0-9]+$ ]] || [ "$MINUTES" -lt 5 ] || [ "$MINUTES" -gt 60 ]; then
  echo "run-gluff-rig: --minutes must be a whole number 5..60, got '$MINUTES'" >&2; exit 2
fi
if ! [[ "$NCLIENTS" =~ ^[1-6]$ ]]; then
  echo "run-gluff-rig: --clients must be 1..6, got '$NCLIENTS'" >&2; exit 2
fi
if ! [[ "$RESHUFFLE" =~ ^[0-9]+$ ]] || [ "$RESHUFFLE" -lt 20 ] || [ "$RESHUFFLE" -gt 600 ]; then
  echo "run-gluff-rig: --reshuffle must be whole seconds 20..600, got '$RESHUFFLE'" >&2; exit 2
fi
if [ -n "$SAMPLE_EVERY" ] && [ -z "$COLLECT_STORE" ]; then
  echo "run-gluff-rig: --sample needs --collect" >&2; exit 2
fi
[ -z "$COLLECT_STORE" ] || COLLECT_STORE="$(realpath -m "$COLLECT_STORE")"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
[ -n "$OUT" ] || OUT="/work/capture-out/gluff-rig-$STAMP"
[ -n "$DB" ] || DB="gvrg_rig_$(date -u +%Y%m%d_%H%M%S)"
[ -n "$SEED" ] || SEED="$(date +%s)"
[[ "$DB" =~ ^[A-Za-z0-9_]{1,64}$ ]] || { echo "run-gluff-rig: --db must be letters, digits, _" >&2; exit 2; }
[[ "$SEED" =~ ^[0-9]+$ ]] || { echo "run-gluff-rig: --seed must be a number" >&2; exit 2; }

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CONF="$HERE/conf"                       # reused: rsyslog-central/host.conf, dhclient.conf, dhclient-script.sh
SNIPPET="$ROOT/specs/dhcpd-commit-log.conf"
SCHEMA="$ROOT/specs/gluff-schema.sql"
DHCPD="${DHCPD_ARG:-$PREFIX/bin/dhcpd}"
GLUFF="${GLUFF_ARG:-$PREFIX/bin/gluff}"

# ---------------------------------------------------------------- prerequisites
if [ "$(id -u)" -ne 0 ]; then
  echo "run-gluff-rig: must run as root (creates network namespaces)" >&2; exit 2
fi
missing=()
for c in dhcrelay dhclient rsyslogd ip unshare logger sqlite3 mysql strings; do
  command -v "$c" >/dev/null 2>&1 || missing+=("$c")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "run-gluff-rig: missing commands: ${missing[*]}" >&2
  echo "  install them with: apt-get update && apt-get install -y isc-dhcp-relay isc-dhcp-client rsyslog iproute2 util-linux bsdextrautils sqlite3 mariadb-client binutils" >&2
  exit 2
fi
if [ ! -x "$DHCPD" ] || [ ! -x "$GLUFF" ]; then
  echo "run-gluff-rig: $DHCPD or $GLUFF missing; build them with specs/build-gluff-rig.sh" >&2; exit 2
fi
# (grep without -q reads all of strings' output: -q would stop early, SIGPIPE + pipefail = false)
strings "$DHCPD" | grep -x -- '-ldb' >/dev/null || { echo "run-gluff-rig: $DHCPD has no -ldb option (not Gluff-patched)" >&2; exit 2; }
[ -e "/usr/share/zoneinfo/$RIG_TZ" ] || { echo "run-gluff-rig: unknown time zone '$RIG_TZ'" >&2; exit 2; }
[ -S "$MYSQL_SOCK" ] || { echo "run-gluff-rig: no MariaDB socket at $MYSQL_SOCK (start mariadb or pass --mysql-socket)" >&2; exit 2; }
MYSQL=(mysql --socket="$MYSQL_SOCK" -uroot)
"${MYSQL[@]}" -N -e 'SELECT 1' >/dev/null 2>&1 || { echo "run-gluff-rig: cannot connect to MariaDB as root through $MYSQL_SOCK" >&2; exit 2; }
if [ -n "$("${MYSQL[@]}" -N -e "SHOW DATABASES LIKE '$DB'")" ]; then
  echo "run-gluff-rig: database $DB already exists; pass another --db" >&2; exit 2
fi
for ns in $(ip netns list | awk '{print $1}'); do
  case "$ns" in gvrg-*) echo "run-gluff-rig: namespace $ns already exists (earlier run not torn down?); delete with: ip netns del $ns" >&2; exit 2 ;; esac
done

# Every process of the rig (syslog daemons included) runs on this wall clock.
export TZ="$RIG_TZ"
mkdir -p "$OUT/hosts"
RUN="$(mktemp -d /tmp/gvrg-run.XXXXXX)"
T0=$(date +%s)
log() { printf '%s +%4ss %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(( $(date +%s) - T0 ))" "$*" | tee -a "$OUT/timeline.txt"; }
# nap N: sleep that a trapped signal interrupts at once.
nap() { sleep "$1" & wait $! || true; }

NAMESPACES=(gvrg-sw gvrg-d1 gvrg-d2 gvrg-rly gvrg-perm gvrg-c1 gvrg-c2 gvrg-c3 gvrg-c4 gvrg-c5 gvrg-c6)
CLIENTS=(c1 c2 c3 c4 c5 c6)
CLIENTS=("${CLIENTS[@]:0:$NCLIENTS}")     # --clients N: the others' namespaces exist, nothing runs there
declare -A PID=()
declare -A CSTATE=([c1]=absent [c2]=absent [c3]=absent [c4]=absent [c5]=absent [c6]=absent)  # running | released | stopped | absent (beyond --clients)
declare -A SAMPLER=()    # server number -> PID of its gluff-verify sample process
COLLECTOR=""
WATCHDOG=""
DUMPED=0
DB_CREATED=0

# ---------------------------------------------------------------- table dump
# INSERTs in the form of the golden runs' gluff-tables.sql. The session keeps the server's default
# time zone, the one Gluff's own sessions had: the TIMESTAMP text is exactly what Gluff wrote (its
# host's wall time, here $RIG_TZ).
dump_tables() {
  local f="$OUT/gluff-tables.sql" gz
  gz="$("${MYSQL[@]}" -N -e 'SELECT CONCAT(@@GLOBAL.time_zone, IF(@@GLOBAL.time_zone="SYSTEM", CONCAT(" = ", @@system_time_zone), ""))')"
  {
    echo "-- Gluff 1.12 table contents after a run of test/capture/run-gluff-rig.sh (captured from MariaDB database $DB)."
    echo "-- Data only: create the tables first with specs/gluff-schema.sql (sql_mode='')."
    echo "--"
    echo "-- Time zone: Gluff bound its DHCP servers' LOCAL wall time ($RIG_TZ) into TIMESTAMP columns"
    echo "-- and never set a session time_zone, so the server took that wall time in its global default zone."
    echo "-- The values below are that column text exactly (dumped in a session on the server default zone,"
    echo "-- which was $gz). Load them in a session on the server's global default zone (the SET below), the"
    echo "-- zone gluff-verify's reader also uses: the column text then reads back exactly as Gluff wrote it."
    echo "SET SESSION sql_mode = '';"
    echo "SET SESSION time_zone = @@GLOBAL.time_zone;"
    "${MYSQL[@]}" -N -B --raw "$DB" <<'SQL'
SET SESSION time_zone = @@GLOBAL.time_zone;
SELECT CONCAT('INSERT INTO `ips` (`id`,`value`) VALUES (', id, ',', REPLACE(QUOTE(value), '"', '\\"'), ');') FROM ips ORDER BY id;
SELECT CONCAT('INSERT INTO `hws` (`id`,`value`) VALUES (', id, ',', REPLACE(QUOTE(value), '"', '\\"'), ');') FROM hws ORDER BY id;
SELECT CONCAT('INSERT INTO `cids` (`id`,`value`) VALUES (', id, ',', REPLACE(QUOTE(value), '"', '\\"'), ');') FROM cids ORDER BY id;
SELECT CONCAT('INSERT INTO `rids` (`id`,`value`) VALUES (', id, ',', REPLACE(QUOTE(value), '"', '\\"'), ');') FROM rids ORDER BY id;
SELECT CONCAT('INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (', id, ',', ip, ',',
              QUOTE(lstart), ',', QUOTE(lend), ',', IFNULL(hw, 'NULL'), ',', IFNULL(cid, 'NULL'), ',',
              IFNULL(rid, 'NULL'), ');') FROM leases ORDER BY id;
SQL
  } > "$f"
  DUMPED=1
  log "dumped $("${MYSQL[@]}" -N -e "SELECT COUNT(*) FROM \`$DB\`.leases") lease rows of $DB to $f"
}

# --collect/--sample: gluff-verify's own processes (node + tsx from this checkout) inside the rig.
GV=(node --import tsx "$ROOT/src/cli/run.ts")
# start_sampler N: (re)start server N's sampler on its current dhcpd and gluff PIDs.
start_sampler() {
  local n="$1" args=()
  [ -n "$SAMPLE_EVERY" ] || return 0
  [ -n "${SAMPLER[$n]:-}" ] && { kill -TERM "${SAMPLER[$n]}" 2>/dev/null; wait "${SAMPLER[$n]}" 2>/dev/null || true; }
  [ -n "${PID[dhcp$n]:-}" ] && args+=(--pid "${PID[dhcp$n]}")
  [ -n "${PID[gluff$n]:-}" ] && args+=(--pid "${PID[gluff$n]}")
  [ ${#args[@]} -gt 0 ] || { SAMPLER[$n]=""; return 0; }
  ( cd "$ROOT" && exec ip netns exec "gvrg-d$n" "${GV[@]}" sample "${args[@]}" --every "$SAMPLE_EVERY" \
      --syslog "udp://10.77.0.5:$COLLECT_PORT" --host "gvrg-dhcp$n" ) >> "$OUT/sample-dhcp$n.log" 2>&1 &
  SAMPLER[$n]=$!
  log "sampler of gvrg-dhcp$n: dhcpd PID ${PID[dhcp$n]:-none}, gluff PID ${PID[gluff$n]:-none}, every $SAMPLE_EVERY (PID ${SAMPLER[$n]})"
}
# stop_collector: samplers first, then the collector with SIGTERM (it commits everything and exits 0).
stop_collector() {
  local n i
  for n in 1 2; do
    [ -n "${SAMPLER[$n]:-}" ] && { kill -TERM "${SAMPLER[$n]}" 2>/dev/null; wait "${SAMPLER[$n]}" 2>/dev/null || true; }
    SAMPLER[$n]=""
  done
  [ -n "$COLLECTOR" ] || return 0
  sleep 1                                   # the last forwarded datagrams reach it
  kill -TERM "$COLLECTOR" 2>/dev/null
  for i in $(seq 300); do kill -0 "$COLLECTOR" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$COLLECTOR" 2>/dev/null; then
    log "collector did not exit 30 s after SIGTERM; killed"
    kill -KILL "$COLLECTOR" 2>/dev/null
  fi
  wait "$COLLECTOR" 2>/dev/null
  log "collector stopped (exit $?); store $COLLECT_STORE"
  COLLECTOR=""
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM ERR
  set +e
  log "teardown (exit status $rc)"
  [ -n "$WATCHDOG" ] && kill "$WATCHDOG" 2>/dev/null
  # Clients first (SIGTERM: no release), then relay, servers, gluffs, learner, syslogs, central last.
  for k in "${CLIENTS[@]}" relay dhcp1 dhcp2 gluff1 gluff2 learner rs-gvrg-relay rs-gvrg-perm \
           rs-gvrg-dhcp1 rs-gvrg-dhcp2 rs-central; do
    [ -n "${PID[$k]:-}" ] && kill -TERM "${PID[$k]}" 2>/dev/null
    sleep 0.2
  done
  sleep 1
  stop_collector
  # Anything still alive inside our own namespaces was started by this script.
  for ns in "${NAMESPACES[@]}"; do
    if ip netns list | grep -w "$ns" >/dev/null; then
      for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    fi
  done
  sleep 0.5
  if [ "$DB_CREATED" -eq 1 ] && [ "$DUMPED" -eq 0 ]; then dump_tables; fi
  for h in gvrg-dhcp1 gvrg-dhcp2 gvrg-relay gvrg-perm "${CLIENTS[@]}"; do
    [ -d "$RUN/$h" ] && cp -r "$RUN/$h" "$OUT/hosts/" 2>/dev/null
  done
  rm -rf "$OUT"/hosts/*/dev
  for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$RUN"
  for f in messages messages-pri messages-5424; do
    [ -f "$OUT/$f.log" ] && mv "$OUT/$f.log" "$OUT/${f/messages/syslog}.log"
  done
  log "done; capture in $OUT ($(wc -l < "$OUT/syslog.log" 2>/dev/null || echo 0) lines in syslog.log), database $DB kept"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

( sleep $(( MINUTES * 60 + 120 )); echo "run-gluff-rig: watchdog timeout" >&2; kill -TERM $$ ) &
WATCHDOG=$!
log "run-gluff-rig: $MINUTES min, zone $RIG_TZ, database $DB, permuter seed $SEED, binaries $DHCPD $GLUFF"

# ---------------------------------------------------------------- network
log "creating namespaces ${NAMESPACES[*]}"
for ns in "${NAMESPACES[@]}"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
# bridge NS NAME
bridge() {
  ip -n "$1" link add "$2" type bridge
  ip -n "$1" link set "$2" type bridge stp_state 0 forward_delay 0
  ip -n "$1" link set "$2" up
}
# veth NS1 IF1 NS2 IF2 [MAC1]: a cable; both ends up.
veth() {
  ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
  [ -n "${5:-}" ] && ip -n "$1" link set "$2" address "$5"
  ip -n "$1" link set "$2" up
  ip -n "$3" link set "$4" up
}
bridge gvrg-sw gvrgbrs
ip -n gvrg-sw addr add 10.77.0.5/24 dev gvrgbrs
veth gvrg-d1 gvrgs1e gvrg-sw gvrgs1p;  ip -n gvrg-sw link set gvrgs1p master gvrgbrs
veth gvrg-d2 gvrgs2e gvrg-sw gvrgs2p;  ip -n gvrg-sw link set gvrgs2p master gvrgbrs
veth gvrg-rly gvrgrle gvrg-sw gvrgrlp; ip -n gvrg-sw link set gvrgrlp master gvrgbrs
ip -n gvrg-d1 addr add 10.77.0.11/24 dev gvrgs1e
ip -n gvrg-d2 addr add 10.77.0.12/24 dev gvrgs2e
ip -n gvrg-rly addr add 10.77.0.1/24 dev gvrgrle
ip -n gvrg-d1 route add 10.77.0.0/16 via 10.77.0.1
ip -n gvrg-d2 route add 10.77.0.0/16 via 10.77.0.1

# Relay ports and the permuter's switch-side interfaces and bridges.
for n in 1 2 3; do
  veth gvrg-rly "gvrgrp$n" gvrg-perm "gvrgsw$n"
  ip -n gvrg-rly addr add "10.77.$n.1/24" dev "gvrgrp$n"     # primary address = giaddr
  bridge gvrg-perm "gvrgbr0$n"
  ip -n gvrg-perm link set "gvrgsw$n" master "gvrgbr0$n"
done
# The clients' gateway address: a local address of the router (it answers ARP for it on every port).
ip -n gvrg-rly addr add 10.77.10.1/32 dev gvrgrp1
ip netns exec gvrg-rly sysctl -qw net.ipv4.ip_forward=1
for k in all default gvrgrle gvrgrp1 gvrgrp2 gvrgrp3; do
  ip netns exec gvrg-rly sysctl -qw "net.ipv4.conf.$k.rp_filter=0"
done

# Client segments. gvrgcs1..4: one client each; gvrgcs5: hub bridge gvrghub5 with c5 and c6.
declare -A CMAC=([c1]=02:0a:00:77:01:01 [c2]=02:0a:00:77:02:02 [c3]=02:0a:00:77:03:03 [c4]=02:0a:00:77:04:04 [c5]=02:0a:00:77:05:05 [c6]=02:0a:00:77:05:06)
declare -A SEGCLIENTS=([gvrgcs1]="c1" [gvrgcs2]="c2" [gvrgcs3]="c3" [gvrgcs4]="c4" [gvrgcs5]="c5 c6")
SEGMENTS=(gvrgcs1 gvrgcs2 gvrgcs3 gvrgcs4 gvrgcs5)
for n in 1 2 3 4; do veth "gvrg-c$n" eth0 gvrg-perm "gvrgcs$n" "${CMAC[c$n]}"; done
bridge gvrg-perm gvrghub5
veth gvrg-perm gvrgcs5 gvrg-perm gvrghb5; ip -n gvrg-perm link set gvrghb5 master gvrghub5
for c in c5 c6; do
  veth "gvrg-$c" eth0 gvrg-perm "gvrgh$c" "${CMAC[$c]}"; ip -n gvrg-perm link set "gvrgh$c" master gvrghub5
done

# ---------------------------------------------------------------- syslog
mkdir -p "$RUN/central"
sed -e "s|@ADDR@|10.77.0.5|" -e "s|@OUT@|$OUT|" "$CONF/rsyslog-central.conf" > "$RUN/central/rsyslog.conf"
ip netns exec gvrg-sw rsyslogd -n -f "$RUN/central/rsyslog.conf" -i "$RUN/central/rsyslogd.pid" \
  > "$RUN/central/stderr.log" 2>&1 &
PID[rs-central]=$!

if [ -n "$COLLECT_STORE" ]; then
  mkdir -p "$(dirname "$COLLECT_STORE")"
  ( cd "$ROOT" && exec ip netns exec gvrg-sw "${GV[@]}" collect --listen "udp://10.77.0.5:$COLLECT_PORT" \
      --store "$COLLECT_STORE" --allow 10.77.0.0/24 --stats-every 30 ) > "$OUT/collect.log" 2>&1 &
  COLLECTOR=$!
  for i in $(seq 300); do
    grep -q '^collect: listening on' "$OUT/collect.log" 2>/dev/null && break
    kill -0 "$COLLECTOR" 2>/dev/null || break
    sleep 0.1
  done
  grep -q '^collect: listening on' "$OUT/collect.log" 2>/dev/null \
    || { echo "run-gluff-rig: the collector did not start; see $OUT/collect.log" >&2; cat "$OUT/collect.log" >&2; exit 1; }
  log "collector (PID $COLLECTOR) on udp://10.77.0.5:$COLLECT_PORT in gvrg-sw, store $COLLECT_STORE"
fi

# start_host_syslog NAME NS: per-host rsyslogd (host name NAME) whose socket is that host's /dev/log.
start_host_syslog() {
  local name="$1" ns="$2" d="$RUN/$1"
  mkdir -p "$d/dev" "$d/work"
  sed -e "s|@NAME@|$name|" -e "s|@SOCK@|$d/dev/log|" -e "s|@WORK@|$d/work|" -e "s|@LOGHOST@|10.77.0.5|" \
    "$CONF/rsyslog-host.conf" > "$d/rsyslog.conf"
  if [ -n "$COLLECT_STORE" ]; then   # also to gluff-verify's collector, RFC 5424 (year and UTC offset)
    echo "*.* action(type=\"omfwd\" target=\"10.77.0.5\" port=\"$COLLECT_PORT\" protocol=\"udp\" template=\"RSYSLOG_SyslogProtocol23Format\")" >> "$d/rsyslog.conf"
  fi
  ip netns exec "$ns" rsyslogd -n -f "$d/rsyslog.conf" -i "$d/work/rsyslogd.pid" > "$d/rsyslogd.stderr" 2>&1 &
  PID[rs-$name]=$!
}
start_host_syslog gvrg-dhcp1 gvrg-d1
start_host_syslog gvrg-dhcp2 gvrg-d2
start_host_syslog gvrg-relay gvrg-rly
start_host_syslog gvrg-perm gvrg-sw      # the permuter's log daemon sits next to the central one
for c in "${CLIENTS[@]}"; do mkdir -p "$RUN/$c/dev"; done   # clients log nowhere (no socket)
for i in $(seq 50); do
  ok=1
  for h in gvrg-dhcp1 gvrg-dhcp2 gvrg-relay gvrg-perm; do [ -S "$RUN/$h/dev/log" ] || ok=0; done
  [ "$ok" -eq 1 ] && break
  sleep 0.1
done

# in_host NAME NS CMD...: exec CMD in NS with a private mount namespace whose /dev is the host's
# own directory (its log socket plus the real null/zero/random/urandom/tty nodes). It replaces the
# calling shell: call it as `in_host ... &`; then $! is the PID of CMD itself.
in_host() {
  local name="$1" ns="$2"; shift 2
  local d="$RUN/$name/dev"
  exec ip netns exec "$ns" unshare -m --propagation private sh -c '
    d="$1"; shift
    for n in null zero random urandom tty; do touch "$d/$n"; mount --bind "/dev/$n" "$d/$n"; done
    mount --rbind "$d" /dev
    exec "$@"' in_host "$d" "$@"
}

# ---------------------------------------------------------------- permuter state + initial map
declare -A SEGPORT=([gvrgcs1]=1 [gvrgcs2]=1 [gvrgcs3]=2 [gvrgcs4]=2 [gvrgcs5]=3)
for s in "${SEGMENTS[@]}"; do ip -n gvrg-perm link set "$s" master "gvrgbr0${SEGPORT[$s]}"; done
map_text() {
  local n s out="" list
  for n in 1 2 3; do
    list=""
    for s in "${SEGMENTS[@]}"; do [ "${SEGPORT[$s]}" = "$n" ] && list+="${list:+,}$s"; done
    out+=" gvrgbr0$n=gvrgsw$n+${list:-none}"
  done
  printf '%s' "${out# }"
}
# autobridge MSG: one syslog line, tag autobridge[pid] (a new logger process each time, like the
# paper's cron-run script), host gvrg-perm.
autobridge() { logger -u "$RUN/gvrg-perm/dev/log" -t autobridge -i -p daemon.notice -- "$*"; }
autobridge "map seq=0 $(map_text)"
log "permuter: map seq=0 $(map_text)"

# ---------------------------------------------------------------- database
DBUSER=gvrg_rig
DBPASS="$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
log "creating database $DB (user $DBUSER@localhost) with specs/gluff-schema.sql"
"${MYSQL[@]}" <<SQL
CREATE DATABASE \`$DB\`;
CREATE USER IF NOT EXISTS '$DBUSER'@'localhost' IDENTIFIED BY '$DBPASS';
ALTER USER '$DBUSER'@'localhost' IDENTIFIED BY '$DBPASS';
GRANT ALL ON \`$DB\`.* TO '$DBUSER'@'localhost';
SQL
DB_CREATED=1
"${MYSQL[@]}" "$DB" < "$SCHEMA"

# ---------------------------------------------------------------- servers
# dhcpd.conf for ROLE (primary|secondary): failover block + common part + our gv-commit snippet.
write_dhcpd_conf() {
  local role="$1" me="$2" peer="$3"
  echo "# $role of the gvrg real-Gluff rig (test/capture/run-gluff-rig.sh)"
  echo "failover peer \"gvrg-fo\" {"
  echo "  $role;"
  echo "  address $me; port 647; peer address $peer; peer port 647;"
  echo "  max-response-delay 30; max-unacked-updates 10; load balance max seconds 3;"
  [ "$role" = primary ] && echo "  mclt 60; split 128;"
  echo "}"
  cat <<'EOF'
authoritative;
default-lease-time 120;
min-lease-time 60;
max-lease-time 180;
ddns-update-style none;
log-facility daemon;
option domain-name "rig.test";

# The server LAN (no pool).
subnet 10.77.0.0 netmask 255.255.255.0 { }

# ONE client network behind all relay ports: the ports' own subnets (their addresses are the
# relay's giaddr) and the client subnet are one shared-network, so a client moved to another port
# keeps its address; only the circuit-id (port name) changes.
shared-network gvrg-access {
  subnet 10.77.1.0 netmask 255.255.255.0 { }
  subnet 10.77.2.0 netmask 255.255.255.0 { }
  subnet 10.77.3.0 netmask 255.255.255.0 { }
  subnet 10.77.10.0 netmask 255.255.255.0 {
    option routers 10.77.10.1;
    pool {
      failover peer "gvrg-fo";
      range 10.77.10.50 10.77.10.109;
    }
  }
}
EOF
  cat "$SNIPPET"
}
mkdir -p "$RUN/gvrg-dhcp1" "$RUN/gvrg-dhcp2"
write_dhcpd_conf primary 10.77.0.11 10.77.0.12 > "$RUN/gvrg-dhcp1/dhcpd.conf"
write_dhcpd_conf secondary 10.77.0.12 10.77.0.11 > "$RUN/gvrg-dhcp2/dhcpd.conf"
for h in gvrg-dhcp1 gvrg-dhcp2; do
  "$DHCPD" -4 -t -q -cf "$RUN/$h/dhcpd.conf" || { echo "run-gluff-rig: dhcpd -t rejected the $h config" >&2; exit 1; }
  touch "$RUN/$h/dhcpd.leases"
  # The lease queue, created the way dhcpd and gluff both create it, so that gluff can start before
  # dhcpd's first ACK (gluff exits 254 when the file is missing; dhcpd opens it at its first ACK).
  sqlite3 "$RUN/$h/queue.db3" 'CREATE TABLE IF NOT EXISTS lease_queue (start integer, rtype integer, idx integer, claimed integer, end integer, ip text, hw text, cid text, rid text, primary key(start, idx))'
done

# start_gluff N: gluff of gvrg-dhcpN, foreground, debug lines on, resets claims at start.
start_gluff() {
  local n="$1" h="gvrg-dhcp$1"
  in_host "$h" "gvrg-d$n" env MYSQL_UNIX_PORT="$MYSQL_SOCK" \
    "$GLUFF" -F -D -l "$RUN/$h/queue.db3" -h localhost -u "$DBUSER" -p "$DBPASS" -d "$DB" -R \
    >> "$RUN/$h/gluff.stderr" 2>&1 &
  PID[gluff$n]=$!
}
stop_gluff() {
  local n="$1"
  [ -n "${PID[gluff$n]:-}" ] && kill -TERM "${PID[gluff$n]}" 2>/dev/null && wait "${PID[gluff$n]}" 2>/dev/null || true
  PID[gluff$n]=""
}
start_dhcpd() {
  local n="$1" h="gvrg-dhcp$1"
  in_host "$h" "gvrg-d$n" "$DHCPD" -4 -f -cf "$RUN/$h/dhcpd.conf" -lf "$RUN/$h/dhcpd.leases" \
    -pf "$RUN/$h/dhcpd.pid" -ldb "$RUN/$h/queue.db3" "gvrgs${n}e" >> "$RUN/$h/dhcpd.stderr" 2>&1 &
  PID[dhcp$n]=$!
}

# The two gluffs start 2.5 s apart so that their 5-s queue polls are out of phase. Started in
# the same second (a first trial of this rig), both looked up the first circuit-id "gvrgrp1" while
# it was new and both inserted it: gluff 1.12's get_id() accepts a lookup only when it returns
# exactly ONE row, so from then on every ACK with that value inserted yet another cids row and
# cut the lease row (a real Gluff defect, but not what this rig is meant to capture).
log "starting gluff on gvrg-dhcp1, then 2.5 s later on gvrg-dhcp2"
start_gluff 1
nap 2.5
start_gluff 2
nap 2
for n in 1 2; do
  kill -0 "${PID[gluff$n]}" 2>/dev/null || { echo "run-gluff-rig: gluff $n exited at start; see $OUT/hosts/gvrg-dhcp$n/gluff.stderr" >&2; exit 1; }
done
log "starting dhcpd on gvrg-dhcp1 (primary) and gvrg-dhcp2 (secondary), -ldb queue.db3"
start_dhcpd 1
start_dhcpd 2
for i in $(seq 30); do
  grep -q 'Both servers normal' "$OUT/messages.log" 2>/dev/null && break
  nap 1
done
for n in 1 2; do
  kill -0 "${PID[dhcp$n]}" 2>/dev/null || { echo "run-gluff-rig: dhcpd $n exited at start; see $OUT/hosts/gvrg-dhcp$n/dhcpd.stderr" >&2; exit 1; }
done
grep -q 'Both servers normal' "$OUT/messages.log" || { echo "run-gluff-rig: failover did not reach normal in 30 s (see $OUT/messages.log)" >&2; exit 1; }
log "failover normal"
start_sampler 1
start_sampler 2

log "starting dhcrelay -a on gvrg-relay (gvrgrp1..3 -> 10.77.0.11, 10.77.0.12)"
mkdir -p "$RUN/gvrg-relay"
in_host gvrg-relay gvrg-rly dhcrelay -4 -d -a -id gvrgrp1 -id gvrgrp2 -id gvrgrp3 -iu gvrgrle \
  10.77.0.11 10.77.0.12 > "$RUN/gvrg-relay/dhcrelay.stderr" 2>&1 &
PID[relay]=$!

# Route learner: a /32 route to each client address via the relay port whose ARP entry for it
# was updated last (what a switch's L2 learning gives a real router). Changes go to routes.log.
learner() {
  declare -A cur=()
  local ip dev
  while true; do
    while read -r ip dev; do
      [ -n "$ip" ] || continue
      if [ "${cur[$ip]:-}" != "$dev" ]; then
        ip -n gvrg-rly route replace "$ip/32" dev "$dev" && cur[$ip]="$dev" \
          && echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $ip -> $dev" >> "$RUN/gvrg-relay/routes.log"
      fi
    done < <(ip -n gvrg-rly -s -4 neigh show | awk '
      $1 ~ /^10\.77\.10\./ && $NF != "FAILED" && $NF != "INCOMPLETE" {
        dev = ""; age = 1e9
        for (i = 2; i < NF; i++) {
          if ($i == "dev") dev = $(i + 1)
          if ($i == "used") { split($(i + 1), a, "/"); age = a[3] + 0 }
        }
        if (dev != "" && (!($1 in best) || age < best[$1])) { best[$1] = age; bdev[$1] = dev }
      }
      END { for (k in bdev) print k, bdev[k] }')
    sleep 1
  done
}
learner &
PID[learner]=$!
nap 2

# ---------------------------------------------------------------- clients
start_client() {
  local c="$1" d="$RUN/$1"
  sed "s|@NAME@|$c|" "$CONF/dhclient.conf" > "$d/dhclient.conf"
  sed "s|@DECLINE@||" "$CONF/dhclient-script.sh" > "$d/dhclient-script"
  chmod +x "$d/dhclient-script"
  in_host "$c" "gvrg-$c" dhclient -4 -d -v -cf "$d/dhclient.conf" -lf "$d/dhclient.leases" \
    -pf "$d/dhclient.pid" -sf "$d/dhclient-script" eth0 >> "$d/dhclient.stderr" 2>&1 &
  PID[$c]=$!
  CSTATE[$c]=running
}
stop_client() { # SIGTERM: dhclient exits without releasing (like a host losing power)
  local c="$1"
  [ -n "${PID[$c]:-}" ] && kill -TERM "${PID[$c]}" 2>/dev/null && wait "${PID[$c]}" 2>/dev/null || true
  PID[$c]=""
  CSTATE[$c]=stopped
}
release_client() { # dhclient -r: sends DHCPRELEASE and stops the running dhclient
  local c="$1" d="$RUN/$1"
  ( in_host "$c" "gvrg-$c" dhclient -4 -r -v -cf "$d/dhclient.conf" -lf "$d/dhclient.leases" \
    -pf "$d/dhclient.pid" -sf "$d/dhclient-script" eth0 ) >> "$d/dhclient.stderr" 2>&1 || true
  wait "${PID[$c]}" 2>/dev/null || true
  PID[$c]=""
  CSTATE[$c]=released
}

# permute SEQ: move 1 or 2 random segments to another random port, like the paper's setupbridge
# (bridges down, re-paired, up). Only the moved segments' links go down; their running clients
# then restart dhclient (link bounce -> INIT-REBOOT through the new port, new circuit-id).
permute() {
  local seq="$1" k i s p moved=() what="" c
  local pool=("${SEGMENTS[@]}") j
  k=$(( 1 + RANDOM % 2 ))
  for (( i = 0; i < k; i++ )); do                       # k distinct segments, bash RANDOM (seeded)
    j=$(( RANDOM % ${#pool[@]} ))
    moved+=("${pool[$j]}")
    pool=("${pool[@]:0:$j}" "${pool[@]:$(( j + 1 ))}")
  done
  autobridge "down seq=$seq"
  for s in "${moved[@]}"; do
    ip -n gvrg-perm link set "$s" down
    ip -n gvrg-perm link set "$s" nomaster
  done
  nap 2
  for s in "${moved[@]}"; do
    p=$(( 1 + (SEGPORT[$s] + RANDOM % 2) % 3 ))          # one of the two other ports
    what+=" $s(${SEGCLIENTS[$s]// /+}) gvrgrp${SEGPORT[$s]}->gvrgrp$p;"
    SEGPORT[$s]=$p
    ip -n gvrg-perm link set "$s" master "gvrgbr0$p"
    ip -n gvrg-perm link set "$s" up
  done
  autobridge "map seq=$seq $(map_text)"
  log "permuter seq=$seq:$what map $(map_text)"
  for s in "${moved[@]}"; do
    for c in ${SEGCLIENTS[$s]}; do
      if [ "${CSTATE[$c]}" = running ]; then
        ip -n "gvrg-$c" neigh flush dev eth0 2>/dev/null || true
        stop_client "$c"; start_client "$c"
        log "  $c: dhclient restarted after the move (INIT-REBOOT via gvrgrp${SEGPORT[$s]})"
      else
        log "  $c: ${CSTATE[$c]}, not restarted"
      fi
    done
  done
}

log "starting clients c1..c6 (MACs ${CMAC[*]})"
for c in "${CLIENTS[@]}"; do start_client "$c"; nap 1; done
TS=$(date +%s)
END=$(( T0 + MINUTES * 60 ))
LAST=$(( END - 45 - TS ))        # last scripted event (s after TS); then clients stop and queues drain
at() { local t=$(( TS + $1 - $(date +%s) )); [ "$t" -gt 0 ] && nap "$t"; return 0; }
RANDOM=$SEED

# The event list: "SECONDS ACTION ARG", run in time order.
EVENTS=()
seq_no=1
for (( t = 60; t <= LAST - 15; t += RESHUFFLE )); do EVENTS+=("$t permute $seq_no"); seq_no=$(( seq_no + 1 )); done
EVENTS+=("150 release c2" "245 start c2"
         "420 gluff-stop 2" "630 gluff-start 2"
         "470 release c4" "560 start c4"
         "760 release c6" "850 start c6"
         "1000 release c1" "1070 start c1"
         "1150 release c3" "1220 start c3")
mapfile -t EVENTS < <(printf '%s\n' "${EVENTS[@]}" | sort -s -n -k1,1)
log "scenario: ${#EVENTS[@]} events planned up to +${LAST}s after the clients' start (later ones skipped)"
for e in "${EVENTS[@]}"; do
  read -r t action arg <<< "$e"
  [ "$t" -le "$LAST" ] || { log "skipped (past the end): $e"; continue; }
  at "$t"
  case "$action" in
    permute) permute "$arg" ;;
    release)
      if [ "${CSTATE[$arg]}" = running ]; then
        log "$arg: dhclient -r (DHCPRELEASE), port gvrgrp$(for s in "${SEGMENTS[@]}"; do [[ " ${SEGCLIENTS[$s]} " == *" $arg "* ]] && echo "${SEGPORT[$s]}"; done)"
        release_client "$arg"
      fi ;;
    start)
      if [ "${CSTATE[$arg]}" != running ] && [ "${CSTATE[$arg]}" != absent ]; then log "$arg: dhclient started again (INIT-REBOOT from its lease file)"; start_client "$arg"; fi ;;
    gluff-stop) log "gluff of gvrg-dhcp$arg: SIGTERM (stopped; its dhcpd keeps queueing)"; stop_gluff "$arg"; start_sampler "$arg" ;;
    gluff-start) log "gluff of gvrg-dhcp$arg: started again (-R), catches up from its queue"; start_gluff "$arg"; start_sampler "$arg" ;;
  esac
done

at $(( END - 40 - TS ))
log "clients c1..c6: SIGTERM (no release)"
for c in "${CLIENTS[@]}"; do stop_client "$c"; done
nap 20
for n in 1 2; do
  left="$(sqlite3 "$RUN/gvrg-dhcp$n/queue.db3" 'SELECT COUNT(*) FROM lease_queue' 2>/dev/null || echo '?')"
  log "gvrg-dhcp$n queue rows left: $left"
done
log "stopping relay, dhcpds and gluffs"
for k in relay dhcp1 dhcp2 gluff1 gluff2; do
  [ -n "${PID[$k]:-}" ] && kill -TERM "${PID[$k]}" 2>/dev/null && wait "${PID[$k]}" 2>/dev/null || true
  PID[$k]=""
done
nap 2
stop_collector
dump_tables
{
  echo "zone: $RIG_TZ (all rig hosts; syslog stamps and Gluff's TIMESTAMP text are wall time there)"
  echo "database: $DB (MariaDB via $MYSQL_SOCK; global time_zone $("${MYSQL[@]}" -N -e 'SELECT @@GLOBAL.time_zone'), system $("${MYSQL[@]}" -N -e 'SELECT @@system_time_zone'))"
  echo "binaries: $DHCPD, $GLUFF ($(tr '\n' ';' < "$(dirname "$(dirname "$DHCPD")")/BUILD-INFO" 2>/dev/null))"
  echo "servers: gvrg-dhcp1 10.77.0.11 primary, gvrg-dhcp2 10.77.0.12 secondary, failover gvrg-fo, mclt 60, split 128"
  echo "leases: default 120, min 60, max 180; pool 10.77.10.50-109 (shared-network gvrg-access)"
  echo "relay ports: gvrgrp1 10.77.1.1, gvrgrp2 10.77.2.1, gvrgrp3 10.77.3.1; circuit-id = port name; no remote-id"
  echo "permuter: switch-side gvrgsw1..3 on bridges gvrgbr01..03; seed $SEED"
  for s in "${SEGMENTS[@]}"; do
    m=""; for c in ${SEGCLIENTS[$s]}; do m+="${m:+ }$c=${CMAC[$c]}"; done
    echo "segment $s: $m"
  done
  echo "gluff: -F -D -R, -h localhost (unix socket), one per server"
} > "$OUT/rig-facts.txt"
log "run time reached"
exit 0
}
