#!/usr/bin/env bash
# Real-Gluff capture rig: the topology of Hans Liss's paper "Testing DHCP failover with logging" with
# the REAL Gluff pipeline: two patched ISC dhcpd 4.4.3-P1 in failover (load balancing, mclt 60), each
# started with `-ldb QUEUE` and feeding its own gluff 1.12, both gluffs writing to one MariaDB
# database; a router running `dhcrelay -a` as the "switch" (circuit-id = relay port name); a port
# permuter ("autobridge") that re-pairs client segments with relay ports; six dhclient clients.
# All relay ports serve ONE client subnet (a dhcpd shared-network), so a client moved to another
# port keeps its address and only its circuit-id changes. Binaries: specs/build-gluff-rig.sh.
#
# Usage (as root):  test/capture/run-gluff-rig.sh [options]   (scripts/rig-soak.sh drives it for make rig-soak)
#   --minutes N        total run time in whole minutes (or --seconds N); 90 s .. 24 h (default 24 min)
#   --seconds N        total run time in seconds
#   --out DIR          capture directory (default /work/capture-out/gluff-rig-<UTC time>)
#   --prefix DIR       where build-gluff-rig.sh installed bin/dhcpd and bin/gluff (default /opt/gluff-rig)
#   --stock            Debian's stock dhcpd (default /usr/sbin/dhcpd): no -ldb queue, no gluff, no database
#   --tz ZONE          wall-clock zone of every rig host, syslog stamps and Gluff's rows (default
#                      Europe/Stockholm, like the golden runs; UTC also works)
#   --mysql-socket P   the local MariaDB server's unix socket (default /run/mysqld/mysqld.sock)
#   --db NAME          database to create for this run (default gvrg<ID>_rig_<UTC time>); must not exist
#   --seed N           seed of the permuter's and the churn's choices (default: the start time); logged
#   --dhcpd PATH       the dhcpd to run (default PREFIX/bin/dhcpd, with --stock /usr/sbin/dhcpd)
#   --gluff PATH       the gluff to run (default PREFIX/bin/gluff)
#   --clients N        clients c1..cN, 1..40 (default 6: the paper's; c5 and c6 share a hub segment)
#   --topology T       one-subnet (default: one client subnet behind all relay ports, a moved client keeps
#                      its address) or subnet-per-port (a pool per port: a moved client gets a new address)
#   --lease SEC        dhcpd's default lease time (default 120; min-lease-time half, max 1.5 x)
#   --reshuffle SEC    seconds between permuter moves, 20..7200 (default 55)
#   --churn SEC        a client churn event every SEC s (release, vanish until its lease expired, reboot),
#                      0 = none. Default: 90, except for a plain run of 22+ minutes (no faults, no --stock,
#                      <= 6 clients, one-subnet), which plays the golden runs' fixed script
#   --faults LIST      comma list, each at a fixed part of the scripted span: gluff-stop (dhcp2's gluff, from
#                      25 % for 15 %, >= 60 s), dhcpd-restart (dhcp1 at 45 %), release-after-restart (at 55 %:
#                      restart the server that gave a client its lease, release that client 2 s later),
#                      partner-down (dhcp2 stopped at 65 % for 12 %, >= 90 s; dhcp1 has auto-partner-down 20)
#   --rig-id ID        0-4 of a-z 0-9: namespaces gvrg<ID>-*, users gvrg<ID>_rig, so rigs run side by side
#   --parent PID       tear down as soon as PID is gone (scripts/rig-soak.sh passes its own)
#   --collect STORE    also run gluff-verify's collector (namespace gvrg<ID>-sw, udp://10.77.0.5:5514,
#                      --allow 10.77.0.0/24) into event store STORE; every host's rsyslogd forwards
#                      to it in RFC 5424 beside the central file; stopped with SIGTERM (flushes) at the end
#   --sample DURATION  with --collect: on each server, gluff-verify sample of its dhcpd and gluff PIDs
#                      every DURATION (e.g. 15s) into the collector, host name gvrg-dhcpN
#   -h, --help         this text
# Rig events: what the script does to the rig is logged as syslog lines from host gvrg-perm, tag gv-rig,
#   `event=NAME key=value ...` (rig-start, client-release, client-vanish, client-return, client-reboot,
#   gluff-stop/-start, dhcpd-restart phase=stop|start, release-after-restart, partner-down
#   phase=begin|end, process-died, clients-stop, rig-end) and in timeline.txt.
# Health: between events every 5 s: clients whose time away is over come back; a dhcpd, gluff or
#   dhcrelay that died unasked is named once (process-died; not restarted); a dead collector ends the run.
#   A watchdog tears everything down 3 min after the planned end or when --parent is gone.
# Result in DIR: syslog.log (all rig hosts, classic `Mmm dd hh:mm:ss HOST tag[pid]: msg`),
#   syslog-pri.log (same with <PRI>), syslog-5424.log, timeline.txt (what the script did, UTC),
#   gluff-tables.sql (INSERTs recreating ips, hws, cids, rids, leases as Gluff left them),
#   rig-facts.txt (addresses, MACs, ports, zone, database), hosts/* (per-host local logs,
#   dhcpd/gluff/dhcrelay/dhclient stderr, lease files, queue databases, router route log).
#   The MariaDB database stays (drop it with: mysql -e 'DROP DATABASE name').
#
# Network: private 10.77.0.0/16 only, inside the rig's own namespaces (prefix gvrg<ID>-); nothing is
# routed out of them (two rigs' 10.77 networks never meet). gluff reaches MariaDB through its unix socket (MYSQL_UNIX_PORT): a pathname
# unix socket is not tied to a network namespace, so no IP traffic leaves the rig. Everything is
# torn down on exit, error, Ctrl-C or watchdog timeout (3 min after the planned end).
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
#   gvrg-c1..6 the clients, eth0 MACs 02:0a:00:77:0N:0N (c5 02:0a:00:77:05:05, c6 ..:05:06); c7..c40
#              (--clients) one segment each, gvrgcs6..39, MACs 02:0a:00:77:NN:NN (NN hex).
#   (Namespace names above are for rig id ''; --rig-id b makes them gvrgb-sw, gvrgb-d1, ...)
#   dhcpd: one shared-network gvrg-access = the relay port subnets 10.77.1-3.0/24 (no pools) and the
#   client subnet 10.77.10.0/24 (pool .50-.109, routers 10.77.10.1); leases 120 s (min 60, max 180).
#   A client's unicast renewal goes to its server via the router: the server sees it directly
#   (giaddr 0.0.0.0, `via gvrgsNe`) and dhcrelay, which also hears it on the port, relays a copy with
#   the current port's circuit-id to both servers.
#
# Scenario "paper" (the golden runs'; churn and faults replace it, see --churn) (planned seconds after the clients start; an event that is due while the one before it
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

SECONDS_RUN=$(( 24 * 60 ))
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
RIG_ID=""
STOCK=0
TOPOLOGY=one-subnet
LEASE=120
CHURN=""
FAULTS=""
PARENT=""
SCENARIO=paper
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) [[ "$2" =~ ^[0-9]+$ ]] || { echo "run-gluff-rig: --minutes must be whole minutes, got '$2'" >&2; exit 2; }
               SECONDS_RUN=$(( $2 * 60 )); shift 2 ;;
    --seconds) SECONDS_RUN="$2"; shift 2 ;;
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
    --rig-id) RIG_ID="$2"; shift 2 ;;
    --stock) STOCK=1; shift ;;
    --topology) TOPOLOGY="$2"; shift 2 ;;
    --lease) LEASE="$2"; shift 2 ;;
    --churn) CHURN="$2"; shift 2 ;;
    --faults) FAULTS="$2"; shift 2 ;;
    --parent) PARENT="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^[^#]/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-gluff-rig: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
bad() { echo "run-gluff-rig: $*" >&2; exit 2; }
[[ "$SECONDS_RUN" =~ ^[0-9]+$ ]] && [ "$SECONDS_RUN" -ge 90 ] && [ "$SECONDS_RUN" -le 86400 ] \
  || bad "the run time must be 90 s .. 24 h (--seconds 90..86400), got '$SECONDS_RUN'"
[[ "$NCLIENTS" =~ ^[0-9]+$ ]] && [ "$NCLIENTS" -ge 1 ] && [ "$NCLIENTS" -le 40 ] || bad "--clients must be 1..40, got '$NCLIENTS'"
[[ "$RESHUFFLE" =~ ^[0-9]+$ ]] && [ "$RESHUFFLE" -ge 20 ] && [ "$RESHUFFLE" -le 7200 ] \
  || bad "--reshuffle must be whole seconds 20..7200, got '$RESHUFFLE'"
[[ "$RIG_ID" =~ ^[a-z0-9]{0,4}$ ]] || bad "--rig-id must be 0-4 of a-z 0-9, got '$RIG_ID'"
[ "$TOPOLOGY" = one-subnet ] || [ "$TOPOLOGY" = subnet-per-port ] || bad "--topology must be one-subnet or subnet-per-port, got '$TOPOLOGY'"
[[ "$LEASE" =~ ^[0-9]+$ ]] && [ "$LEASE" -ge 60 ] && [ "$LEASE" -le 86400 ] || bad "--lease must be whole seconds 60..86400, got '$LEASE'"
# Without --churn: the paper's fixed scenario (the golden runs' releases at +150 s ... +1220 s and a
# gluff stop) when the run is the paper's length or longer; a seeded churn every 90 s otherwise.
if [ -n "$CHURN" ]; then
  [[ "$CHURN" =~ ^[0-9]+$ ]] && { [ "$CHURN" -eq 0 ] || [ "$CHURN" -ge 20 ]; } || bad "--churn must be 0 (off) or seconds >= 20, got '$CHURN'"
  SCENARIO=churn
elif [ -n "$FAULTS" ] || [ "$STOCK" -eq 1 ] || [ "$SECONDS_RUN" -lt 1320 ] || [ "$NCLIENTS" -gt 6 ] || [ "$TOPOLOGY" != one-subnet ]; then
  CHURN=90; SCENARIO=churn
fi
KNOWN_FAULTS=" gluff-stop dhcpd-restart partner-down release-after-restart "
IFS=, read -r -a FAULT_LIST <<< "$FAULTS"
for f in "${FAULT_LIST[@]}"; do
  [[ "$KNOWN_FAULTS" == *" $f "* ]] || bad "--faults: unknown fault '$f' (known:$KNOWN_FAULTS)"
  [ "$STOCK" -eq 0 ] || [ "$f" != gluff-stop ] || bad "--faults gluff-stop needs gluff (not with --stock)"
done
[ -z "$PARENT" ] || [[ "$PARENT" =~ ^[0-9]+$ ]] || bad "--parent must be a PID"
if [ -n "$SAMPLE_EVERY" ] && [ -z "$COLLECT_STORE" ]; then bad "--sample needs --collect"; fi
[ -z "$COLLECT_STORE" ] || COLLECT_STORE="$(realpath -m "$COLLECT_STORE")"
NSP="gvrg${RIG_ID}-"                    # every namespace of this rig: ${NSP}sw, ${NSP}d1, ..., ${NSP}c1, ...
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
[ -n "$OUT" ] || OUT="/work/capture-out/gluff-rig-$STAMP"
[ "$STOCK" -eq 1 ] || [ -n "$DB" ] || DB="gvrg${RIG_ID}_rig_$(date -u +%Y%m%d_%H%M%S)"
[ -n "$SEED" ] || SEED="$(date +%s)"
[ "$STOCK" -eq 1 ] || [[ "$DB" =~ ^[A-Za-z0-9_]{1,64}$ ]] || bad "--db must be letters, digits, _"
[[ "$SEED" =~ ^[0-9]+$ ]] || bad "--seed must be a number"

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CONF="$HERE/conf"                       # reused: rsyslog-central/host.conf, dhclient.conf, dhclient-script.sh
SNIPPET="$ROOT/specs/dhcpd-commit-log.conf"
SCHEMA="$ROOT/specs/gluff-schema.sql"
if [ "$STOCK" -eq 1 ]; then
  DHCPD="${DHCPD_ARG:-/usr/sbin/dhcpd}"
  GLUFF=""
else
  DHCPD="${DHCPD_ARG:-$PREFIX/bin/dhcpd}"
  GLUFF="${GLUFF_ARG:-$PREFIX/bin/gluff}"
fi

# ---------------------------------------------------------------- prerequisites
[ "$(id -u)" -eq 0 ] || bad "must run as root (creates network namespaces)"
missing=()
need=(dhcrelay dhclient rsyslogd ip unshare logger)
[ "$STOCK" -eq 1 ] || need+=(sqlite3 mysql strings)
for c in "${need[@]}"; do
  command -v "$c" >/dev/null 2>&1 || missing+=("$c")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "run-gluff-rig: missing commands: ${missing[*]}" >&2
  echo "  install them with: apt-get update && apt-get install -y isc-dhcp-relay isc-dhcp-client rsyslog iproute2 util-linux bsdutils sqlite3 mariadb-client binutils" >&2
  exit 2
fi
[ -x "$DHCPD" ] || bad "$DHCPD missing$([ "$STOCK" -eq 1 ] && echo ' (apt-get install isc-dhcp-server)' || echo '; build it with specs/build-gluff-rig.sh')"
if [ "$STOCK" -eq 0 ]; then
  [ -x "$GLUFF" ] || bad "$GLUFF missing; build it with specs/build-gluff-rig.sh"
  # (grep without -q reads all of strings' output: -q would stop early, SIGPIPE + pipefail = false)
  strings "$DHCPD" | grep -x -- '-ldb' >/dev/null || bad "$DHCPD has no -ldb option (not Gluff-patched; --stock runs an unpatched one)"
fi
[ -e "/usr/share/zoneinfo/$RIG_TZ" ] || bad "unknown time zone '$RIG_TZ'"
MYSQL=(mysql --socket="$MYSQL_SOCK" -uroot)
if [ "$STOCK" -eq 0 ]; then
  [ -S "$MYSQL_SOCK" ] || bad "no MariaDB socket at $MYSQL_SOCK (start mariadb or pass --mysql-socket)"
  "${MYSQL[@]}" -N -e 'SELECT 1' >/dev/null 2>&1 || bad "cannot connect to MariaDB as root through $MYSQL_SOCK"
  [ -z "$("${MYSQL[@]}" -N -e "SHOW DATABASES LIKE '$DB'")" ] || bad "database $DB already exists; pass another --db"
fi
for ns in $(ip netns list | awk '{print $1}'); do
  case "$ns" in "$NSP"*) bad "namespace $ns already exists (a rig with --rig-id '$RIG_ID' is running, or was killed: make rig-down RIG_ID=$RIG_ID)" ;; esac
done

# Every process of the rig (syslog daemons included) runs on this wall clock.
export TZ="$RIG_TZ"
mkdir -p "$OUT/hosts"
RUN="$(mktemp -d "/tmp/${NSP}run.XXXXXX")"
T0=$(date +%s)
log() { printf '%s +%4ss %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(( $(date +%s) - T0 ))" "$*" | tee -a "$OUT/timeline.txt"; }
# nap N: sleep that a trapped signal interrupts at once.
nap() { sleep "$1" & wait $! || true; }

# Clients c1..cN and the segments the permuter moves: c1..c4 one segment each (gvrgcs1..4), c5 and c6
# share the hub segment gvrgcs5 (the paper's two clients behind one port), c7..c40 one each
# (gvrgcs6..gvrgcs39). MACs 02:0a:00:77:NN:NN (c6: 02:0a:00:77:05:06, beside c5 on the hub).
CLIENTS=()
declare -A CMAC=() CSEG=() SEGCLIENTS=()
SEGMENTS=()
for (( k = 1; k <= NCLIENTS; k++ )); do
  c="c$k"; CLIENTS+=("$c")
  case "$k" in
    5) CMAC[$c]=02:0a:00:77:05:05; CSEG[$c]=gvrgcs5 ;;
    6) CMAC[$c]=02:0a:00:77:05:06; CSEG[$c]=gvrgcs5 ;;
    *) CMAC[$c]="$(printf '02:0a:00:77:%02x:%02x' "$k" "$k")"; CSEG[$c]="gvrgcs$(( k <= 4 ? k : k - 1 ))" ;;
  esac
  s="${CSEG[$c]}"
  [ -n "${SEGCLIENTS[$s]:-}" ] || SEGMENTS+=("$s")
  SEGCLIENTS[$s]="${SEGCLIENTS[$s]:+${SEGCLIENTS[$s]} }$c"
done
# The spec's clientSegments for these clients (scripts/rig-soak.sh writes it into the rig.yaml it judges with).
mkdir -p "$OUT"
for s in "${SEGMENTS[@]}"; do
  m=""; for c in ${SEGCLIENTS[$s]}; do m+="${m:+, }'${CMAC[$c]}'"; done
  echo "  - { iface: $s, macs: [$m] }"
done > "$OUT/client-segments.yaml"
NAMESPACES=("${NSP}sw" "${NSP}d1" "${NSP}d2" "${NSP}rly" "${NSP}perm")
for c in "${CLIENTS[@]}"; do NAMESPACES+=("$NSP$c"); done
declare -A PID=()
declare -A CSTATE=()    # running | released | stopped | vanished
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
  ( cd "$ROOT" && exec ip netns exec "${NSP}d$n" "${GV[@]}" sample "${args[@]}" --every "$SAMPLE_EVERY" \
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
  log "done; capture in $OUT ($(wc -l < "$OUT/syslog.log" 2>/dev/null || echo 0) lines in syslog.log)${DB:+, database $DB kept}"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Watchdog: tears the rig down (SIGTERM to this script: the EXIT trap runs) 3 min after the planned end,
# or as soon as the --parent process (make rig-soak's script) is gone, e.g. killed with -9.
(
  deadline=$(( T0 + SECONDS_RUN + 180 ))
  while sleep 5; do
    if [ "$(date +%s)" -gt "$deadline" ]; then echo "run-gluff-rig: watchdog: 3 min past the planned end; tearing down" >&2; kill -TERM $$; exit 0; fi
    if [ -n "$PARENT" ] && ! kill -0 "$PARENT" 2>/dev/null; then echo "run-gluff-rig: watchdog: parent $PARENT is gone; tearing down" >&2; kill -TERM $$; exit 0; fi
  done
) &
WATCHDOG=$!
log "run-gluff-rig: ${SECONDS_RUN}s, rig id '${RIG_ID}' (namespaces ${NSP}*), $([ "$STOCK" -eq 1 ] && echo "stock dhcpd, no Gluff" || echo "database $DB"), topology $TOPOLOGY, $NCLIENTS clients, lease ${LEASE}s, permuter every ${RESHUFFLE}s, scenario $SCENARIO${CHURN:+ (churn every ${CHURN}s)}, faults ${FAULTS:-none}, seed $SEED, zone $RIG_TZ, binaries $DHCPD ${GLUFF}"

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
bridge ${NSP}sw gvrgbrs
ip -n ${NSP}sw addr add 10.77.0.5/24 dev gvrgbrs
veth ${NSP}d1 gvrgs1e ${NSP}sw gvrgs1p;  ip -n ${NSP}sw link set gvrgs1p master gvrgbrs
veth ${NSP}d2 gvrgs2e ${NSP}sw gvrgs2p;  ip -n ${NSP}sw link set gvrgs2p master gvrgbrs
veth ${NSP}rly gvrgrle ${NSP}sw gvrgrlp; ip -n ${NSP}sw link set gvrgrlp master gvrgbrs
ip -n ${NSP}d1 addr add 10.77.0.11/24 dev gvrgs1e
ip -n ${NSP}d2 addr add 10.77.0.12/24 dev gvrgs2e
ip -n ${NSP}rly addr add 10.77.0.1/24 dev gvrgrle
ip -n ${NSP}d1 route add 10.77.0.0/16 via 10.77.0.1
ip -n ${NSP}d2 route add 10.77.0.0/16 via 10.77.0.1

# Relay ports and the permuter's switch-side interfaces and bridges.
for n in 1 2 3; do
  veth ${NSP}rly "gvrgrp$n" "${NSP}perm" "gvrgsw$n"
  ip -n ${NSP}rly addr add "10.77.$n.1/24" dev "gvrgrp$n"     # primary address = giaddr
  bridge "${NSP}perm" "gvrgbr0$n"
  ip -n "${NSP}perm" link set "gvrgsw$n" master "gvrgbr0$n"
done
# The clients' gateway address: a local address of the router (it answers ARP for it on every port).
[ "$TOPOLOGY" = subnet-per-port ] || ip -n ${NSP}rly addr add 10.77.10.1/32 dev gvrgrp1   # one-subnet: the clients' gateway
ip netns exec ${NSP}rly sysctl -qw net.ipv4.ip_forward=1
for k in all default gvrgrle gvrgrp1 gvrgrp2 gvrgrp3; do
  ip netns exec ${NSP}rly sysctl -qw "net.ipv4.conf.$k.rp_filter=0"
done

# Client segments: a single client's eth0 is wired straight to the permuter (veth peer gvrgcsN); the hub
# segment gvrgcs5 is a bridge gvrghub5 with c5 and c6 on it.
for c in "${CLIENTS[@]}"; do
  s="${CSEG[$c]}"
  if [ "$s" = gvrgcs5 ]; then
    if ! ip -n "${NSP}perm" link show gvrghub5 >/dev/null 2>&1; then
      bridge "${NSP}perm" gvrghub5
      veth "${NSP}perm" gvrgcs5 "${NSP}perm" gvrghb5; ip -n "${NSP}perm" link set gvrghb5 master gvrghub5
    fi
    veth "$NSP$c" eth0 "${NSP}perm" "gvrgh$c" "${CMAC[$c]}"; ip -n "${NSP}perm" link set "gvrgh$c" master gvrghub5
  else
    veth "$NSP$c" eth0 "${NSP}perm" "$s" "${CMAC[$c]}"
  fi
done

# ---------------------------------------------------------------- syslog
mkdir -p "$RUN/central"
sed -e "s|@ADDR@|10.77.0.5|" -e "s|@OUT@|$OUT|" "$CONF/rsyslog-central.conf" > "$RUN/central/rsyslog.conf"
ip netns exec ${NSP}sw rsyslogd -n -f "$RUN/central/rsyslog.conf" -i "$RUN/central/rsyslogd.pid" \
  > "$RUN/central/stderr.log" 2>&1 &
PID[rs-central]=$!

if [ -n "$COLLECT_STORE" ]; then
  mkdir -p "$(dirname "$COLLECT_STORE")"
  ( cd "$ROOT" && exec ip netns exec ${NSP}sw "${GV[@]}" collect --listen "udp://10.77.0.5:$COLLECT_PORT" \
      --store "$COLLECT_STORE" --allow 10.77.0.0/24 --stats-every 30 ) > "$OUT/collect.log" 2>&1 &
  COLLECTOR=$!
  for i in $(seq 300); do
    grep -q '^collect: listening on' "$OUT/collect.log" 2>/dev/null && break
    kill -0 "$COLLECTOR" 2>/dev/null || break
    sleep 0.1
  done
  grep -q '^collect: listening on' "$OUT/collect.log" 2>/dev/null \
    || { echo "run-gluff-rig: the collector did not start; see $OUT/collect.log" >&2; cat "$OUT/collect.log" >&2; exit 1; }
  log "collector (PID $COLLECTOR) on udp://10.77.0.5:$COLLECT_PORT in ${NSP}sw, store $COLLECT_STORE"
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
start_host_syslog gvrg-dhcp1 ${NSP}d1
start_host_syslog gvrg-dhcp2 ${NSP}d2
start_host_syslog gvrg-relay ${NSP}rly
start_host_syslog gvrg-perm ${NSP}sw      # the permuter's log daemon sits next to the central one
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
# The paper's start: gvrgcs1,2 on port 1, gvrgcs3,4 on port 2, the hub on port 3; the rest round robin.
declare -A SEGPORT=()
for s in "${SEGMENTS[@]}"; do
  case "$s" in gvrgcs1|gvrgcs2) SEGPORT[$s]=1 ;; gvrgcs3|gvrgcs4) SEGPORT[$s]=2 ;; gvrgcs5) SEGPORT[$s]=3 ;;
    *) SEGPORT[$s]=$(( ${s#gvrgcs} % 3 + 1 )) ;; esac
done
for s in "${SEGMENTS[@]}"; do ip -n "${NSP}perm" link set "$s" master "gvrgbr0${SEGPORT[$s]}"; done
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

# rig_event NAME [key=value ...]: what the rig does to itself, as a syslog line (host gvrg-perm, tag
# gv-rig, `event=NAME key=value ...`) that the collector keeps beside dhcpd's and the permuter's, and
# in timeline.txt. Reports list them next to the findings; they never change a verdict.
rig_event() {
  logger -u "$RUN/gvrg-perm/dev/log" -t gv-rig -p daemon.notice -- "event=$*" 2>/dev/null || true
  log "rig event: $*"
}

# ---------------------------------------------------------------- database (not with --stock)
DBUSER="gvrg${RIG_ID}_rig"
DBPASS="$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
if [ "$STOCK" -eq 0 ]; then
  log "creating database $DB (user $DBUSER@localhost) with specs/gluff-schema.sql"
  "${MYSQL[@]}" <<SQL
CREATE DATABASE \`$DB\`;
CREATE USER IF NOT EXISTS '$DBUSER'@'localhost' IDENTIFIED BY '$DBPASS';
ALTER USER '$DBUSER'@'localhost' IDENTIFIED BY '$DBPASS';
GRANT ALL ON \`$DB\`.* TO '$DBUSER'@'localhost';
SQL
  DB_CREATED=1
  "${MYSQL[@]}" "$DB" < "$SCHEMA"
fi

# ---------------------------------------------------------------- servers
# dhcpd.conf for ROLE (primary|secondary): failover block + client network(s) + our gv-commit snippet.
write_dhcpd_conf() {
  local role="$1" me="$2" peer="$3" n
  echo "# $role of the gvrg rig (test/capture/run-gluff-rig.sh), topology $TOPOLOGY"
  echo "failover peer \"gvrg-fo\" {"
  echo "  $role;"
  echo "  address $me; port 647; peer address $peer; peer port 647;"
  echo "  max-response-delay 30; max-unacked-updates 10; load balance max seconds 3;"
  # partner-down fault: with its peer stopped, a server goes from communications-interrupted to
  # partner-down by itself after 20 s (instead of an operator's omshell).
  [[ ",$FAULTS," == *,partner-down,* ]] && echo "  auto-partner-down 20;"
  [ "$role" = primary ] && echo "  mclt 60; split 128;"
  echo "}"
  echo "authoritative;"
  echo "default-lease-time $LEASE;"
  echo "min-lease-time $(( LEASE / 2 ));"
  echo "max-lease-time $(( LEASE * 3 / 2 ));"
  cat <<'CONF'
ddns-update-style none;
log-facility daemon;
option domain-name "rig.test";

# The server LAN (no pool).
subnet 10.77.0.0 netmask 255.255.255.0 { }
CONF
  if [ "$TOPOLOGY" = one-subnet ]; then
    cat <<'CONF'

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
CONF
  else
    echo ""
    echo "# A subnet per relay port: a moved client gets an address of its new port's subnet."
    for n in 1 2 3; do
      echo "subnet 10.77.$n.0 netmask 255.255.255.0 {"
      echo "  option routers 10.77.$n.1;"
      echo "  pool { failover peer \"gvrg-fo\"; range 10.77.$n.50 10.77.$n.109; }"
      echo "}"
    done
  fi
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
  [ "$STOCK" -eq 1 ] || sqlite3 "$RUN/$h/queue.db3" 'CREATE TABLE IF NOT EXISTS lease_queue (start integer, rtype integer, idx integer, claimed integer, end integer, ip text, hw text, cid text, rid text, primary key(start, idx))'
done

# start_gluff N: gluff of gvrg-dhcpN, foreground, debug lines on, resets claims at start.
start_gluff() {
  local n="$1" h="gvrg-dhcp$1"
  in_host "$h" "${NSP}d$n" env MYSQL_UNIX_PORT="$MYSQL_SOCK" \
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
  local n="$1" h="gvrg-dhcp$1" ldb=()
  [ "$STOCK" -eq 1 ] || ldb=(-ldb "$RUN/$h/queue.db3")
  in_host "$h" "${NSP}d$n" "$DHCPD" -4 -f -cf "$RUN/$h/dhcpd.conf" -lf "$RUN/$h/dhcpd.leases" \
    -pf "$RUN/$h/dhcpd.pid" "${ldb[@]}" "gvrgs${n}e" >> "$RUN/$h/dhcpd.stderr" 2>&1 &
  PID[dhcp$n]=$!
}
stop_dhcpd() {
  local n="$1"
  [ -n "${PID[dhcp$n]:-}" ] && kill -TERM "${PID[dhcp$n]}" 2>/dev/null && wait "${PID[dhcp$n]}" 2>/dev/null || true
  PID[dhcp$n]=""
}

if [ "$STOCK" -eq 0 ]; then
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
fi
log "starting dhcpd on gvrg-dhcp1 (primary) and gvrg-dhcp2 (secondary)$([ "$STOCK" -eq 1 ] && echo ', stock (no queue)' || echo ', -ldb queue.db3')"
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
in_host gvrg-relay ${NSP}rly dhcrelay -4 -d -a -id gvrgrp1 -id gvrgrp2 -id gvrgrp3 -iu gvrgrle \
  10.77.0.11 10.77.0.12 > "$RUN/gvrg-relay/dhcrelay.stderr" 2>&1 &
PID[relay]=$!

# Route learner (one-subnet only; a subnet per port is routed by the ports' own addresses): a /32 route
# to each client address via the relay port whose ARP entry for it was updated last (what a switch's
# L2 learning gives a real router). Changes go to routes.log.
learner() {
  declare -A cur=()
  local ip dev
  while true; do
    while read -r ip dev; do
      [ -n "$ip" ] || continue
      if [ "${cur[$ip]:-}" != "$dev" ]; then
        ip -n ${NSP}rly route replace "$ip/32" dev "$dev" && cur[$ip]="$dev" \
          && echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $ip -> $dev" >> "$RUN/gvrg-relay/routes.log"
      fi
    done < <(ip -n ${NSP}rly -s -4 neigh show | awk '
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
if [ "$TOPOLOGY" = one-subnet ]; then
  learner &
  PID[learner]=$!
fi
nap 2

# ---------------------------------------------------------------- clients
start_client() {
  local c="$1" d="$RUN/$1"
  sed "s|@NAME@|$c|" "$CONF/dhclient.conf" > "$d/dhclient.conf"
  sed "s|@DECLINE@||" "$CONF/dhclient-script.sh" > "$d/dhclient-script"
  chmod +x "$d/dhclient-script"
  in_host "$c" "$NSP$c" dhclient -4 -d -v -cf "$d/dhclient.conf" -lf "$d/dhclient.leases" \
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
  ( in_host "$c" "$NSP$c" dhclient -4 -r -v -cf "$d/dhclient.conf" -lf "$d/dhclient.leases" \
    -pf "$d/dhclient.pid" -sf "$d/dhclient-script" eth0 ) >> "$d/dhclient.stderr" 2>&1 || true
  wait "${PID[$c]}" 2>/dev/null || true
  PID[$c]=""
  CSTATE[$c]=released
}
port_of() { printf '%s' "${SEGPORT[${CSEG[$1]}]}"; }
# server_of C: 1 or 2, the server that gave C its current lease (dhclient's lease file), 1 if unknown.
server_of() {
  local sid
  sid="$(grep -o 'dhcp-server-identifier [0-9.]*' "$RUN/$1/dhclient.leases" 2>/dev/null | tail -1 | awk '{print $2}')"
  [ "$sid" = 10.77.0.12 ] && echo 2 || echo 1
}

# permute SEQ: move 1 or 2 random segments to another random port, like the paper's setupbridge
# (bridges down, re-paired, up). Only the moved segments' links go down; their running clients
# then restart dhclient (link bounce -> INIT-REBOOT through the new port, new circuit-id).
permute() {
  local seq="$1" k i s p moved=() what="" c
  local pool=("${SEGMENTS[@]}") j
  k=$(( 1 + RANDOM % 2 ))
  [ "$k" -le "${#pool[@]}" ] || k=${#pool[@]}
  for (( i = 0; i < k; i++ )); do                       # k distinct segments, bash RANDOM (seeded)
    j=$(( RANDOM % ${#pool[@]} ))
    moved+=("${pool[$j]}")
    pool=("${pool[@]:0:$j}" "${pool[@]:$(( j + 1 ))}")
  done
  autobridge "down seq=$seq"
  for s in "${moved[@]}"; do
    ip -n "${NSP}perm" link set "$s" down
    ip -n "${NSP}perm" link set "$s" nomaster
  done
  nap 2
  for s in "${moved[@]}"; do
    p=$(( 1 + (SEGPORT[$s] + RANDOM % 2) % 3 ))          # one of the two other ports
    what+=" $s(${SEGCLIENTS[$s]// /+}) gvrgrp${SEGPORT[$s]}->gvrgrp$p;"
    SEGPORT[$s]=$p
    ip -n "${NSP}perm" link set "$s" master "gvrgbr0$p"
    ip -n "${NSP}perm" link set "$s" up
  done
  autobridge "map seq=$seq $(map_text)"
  log "permuter seq=$seq:$what map $(map_text)"
  for s in "${moved[@]}"; do
    for c in ${SEGCLIENTS[$s]}; do
      if [ "${CSTATE[$c]}" = running ]; then
        ip -n "$NSP$c" neigh flush dev eth0 2>/dev/null || true
        stop_client "$c"; start_client "$c"
        log "  $c: dhclient restarted after the move (INIT-REBOOT via gvrgrp${SEGPORT[$s]})"
      else
        log "  $c: ${CSTATE[$c]}, not restarted"
      fi
    done
  done
}

# ---------------------------------------------------------------- health and due returns
# While waiting for the next scripted event the rig looks after itself every few seconds: clients whose
# time away is over come back, and a dhcpd, gluff or dhcrelay that died without being told to is named
# once (a rig event `process-died`; not restarted: a crash is a finding of its own); a collector that
# died ends the run (the evidence would be lost).
declare -A RETURN_AT=()
DIED=""
service() {
  local c k now
  now=$(date +%s)
  for c in "${!RETURN_AT[@]}"; do
    if [ "${RETURN_AT[$c]}" -le "$now" ]; then
      unset "RETURN_AT[$c]"
      if [ "${CSTATE[$c]}" != running ]; then
        rig_event client-return "client=$c" "port=gvrgrp$(port_of "$c")"
        start_client "$c"
      fi
    fi
  done
  for k in dhcp1 dhcp2 gluff1 gluff2 relay; do
    if [ -n "${PID[$k]:-}" ] && ! kill -0 "${PID[$k]}" 2>/dev/null; then
      rig_event process-died "process=${k%[12]}" "server=gvrg-dhcp${k: -1}"
      DIED+="${DIED:+,}$k"
      PID[$k]=""
    fi
  done
  if [ -n "$COLLECTOR" ] && ! kill -0 "$COLLECTOR" 2>/dev/null; then
    echo "run-gluff-rig: the collector died; see $OUT/collect.log" >&2
    COLLECTOR=""
    exit 1
  fi
}
# at T: until T s after the clients' start, in naps of at most 5 s with service between.
at() {
  local left
  while :; do
    service
    left=$(( TS + $1 - $(date +%s) ))
    [ "$left" -gt 0 ] || return 0
    nap $(( left < 5 ? left : 5 ))
  done
}
running_clients() { local c; for c in "${CLIENTS[@]}"; do if [ "${CSTATE[$c]}" = running ]; then printf '%s ' "$c"; fi; done; return 0; }
pick_running() { local r=($(running_clients)); [ ${#r[@]} -gt 0 ] && printf '%s' "${r[$(( RANDOM % ${#r[@]} ))]}"; }

# churn: one running client, at random: releases (back 30-90 s later), vanishes without a release
# until its lease has expired (back after lease + 30 s), or reboots (dhclient restarted: INIT-REBOOT).
churn() {
  local c what
  c="$(pick_running)" || return 0
  [ -n "$c" ] || return 0
  case $(( RANDOM % 3 )) in
    0) rig_event client-release "client=$c" "port=gvrgrp$(port_of "$c")"; release_client "$c"
       RETURN_AT[$c]=$(( $(date +%s) + 30 + RANDOM % 61 )) ;;
    1) rig_event client-vanish "client=$c" "port=gvrgrp$(port_of "$c")"; stop_client "$c"; CSTATE[$c]=vanished
       RETURN_AT[$c]=$(( $(date +%s) + LEASE * 3 / 2 + 30 )) ;;
    2) rig_event client-reboot "client=$c" "port=gvrgrp$(port_of "$c")"; stop_client "$c"; start_client "$c" ;;
  esac
}

# ---------------------------------------------------------------- faults
fault_start() {
  local f="$1" n c
  case "$f" in
    gluff-stop)
      rig_event gluff-stop server=gvrg-dhcp2; stop_gluff 2; start_sampler 2 ;;
    dhcpd-restart)
      rig_event dhcpd-restart server=gvrg-dhcp1 phase=stop; stop_dhcpd 1; nap 2
      start_dhcpd 1; rig_event dhcpd-restart server=gvrg-dhcp1 phase=start; start_sampler 1 ;;
    release-after-restart)
      # The release goes to the server that gave the lease: restart that one, then release at once
      # (Gluff's queue patch drops a release that comes before the restarted dhcpd's first ACK).
      c="$(pick_running)" || return 0
      [ -n "$c" ] || return 0
      n="$(server_of "$c")"
      rig_event dhcpd-restart "server=gvrg-dhcp$n" phase=stop; stop_dhcpd "$n"; nap 1
      start_dhcpd "$n"; rig_event dhcpd-restart "server=gvrg-dhcp$n" phase=start; start_sampler "$n"
      nap 2
      rig_event release-after-restart "client=$c" "server=gvrg-dhcp$n" "port=gvrgrp$(port_of "$c")"
      release_client "$c"; RETURN_AT[$c]=$(( $(date +%s) + 60 )) ;;
    partner-down)
      rig_event partner-down server=gvrg-dhcp2 phase=begin; stop_dhcpd 2; start_sampler 2 ;;
  esac
}
fault_end() {
  case "$1" in
    gluff-stop) rig_event gluff-start server=gvrg-dhcp2; start_gluff 2; start_sampler 2 ;;
    partner-down) start_dhcpd 2; rig_event partner-down server=gvrg-dhcp2 phase=end; start_sampler 2 ;;
  esac
}

# ---------------------------------------------------------------- scenario
rig_event rig-start "clients=$NCLIENTS" "topology=$TOPOLOGY" "lease=$LEASE" "reshuffle=$RESHUFFLE" "seed=$SEED" \
  "stock=$STOCK" "faults=${FAULTS:-none}"
log "starting clients ${CLIENTS[*]} (MACs $(for c in "${CLIENTS[@]}"; do printf '%s ' "${CMAC[$c]}"; done))"
for c in "${CLIENTS[@]}"; do start_client "$c"; nap 0.5; done
TS=$(date +%s)
END=$(( T0 + SECONDS_RUN ))
LAST=$(( END - 45 - TS ))        # last scripted event (s after TS); then clients stop and queues drain
RANDOM=$SEED

# The event list: "SECONDS ACTION ARG", run in time order.
EVENTS=()
seq_no=1
first=$(( RESHUFFLE < 60 ? RESHUFFLE : 60 ))
for (( t = first; t <= LAST - 15; t += RESHUFFLE )); do EVENTS+=("$t permute $seq_no"); seq_no=$(( seq_no + 1 )); done
if [ "$SCENARIO" = paper ]; then
  # The golden runs' script (test/golden/real-gluff/run4): five releases and a 3.5-min gluff stop.
  EVENTS+=("150 release c2" "245 start c2"
           "420 gluff-stop 2" "630 gluff-start 2"
           "470 release c4" "560 start c4"
           "760 release c6" "850 start c6"
           "1000 release c1" "1070 start c1"
           "1150 release c3" "1220 start c3")
elif [ "$CHURN" -gt 0 ]; then
  for (( t = CHURN / 2 + 7; t <= LAST - 10; t += CHURN )); do EVENTS+=("$t churn -"); done
fi
# Faults at fixed fractions of the scripted span, each long enough to matter.
span=$(( LAST > 60 ? LAST : 60 ))
for f in "${FAULT_LIST[@]}"; do
  case "$f" in
    gluff-stop) d=$(( span * 15 / 100 )); [ "$d" -ge 60 ] || d=60
                EVENTS+=("$(( span * 25 / 100 )) fault-start gluff-stop" "$(( span * 25 / 100 + d )) fault-end gluff-stop") ;;
    dhcpd-restart) EVENTS+=("$(( span * 45 / 100 )) fault-start dhcpd-restart") ;;
    release-after-restart) EVENTS+=("$(( span * 55 / 100 )) fault-start release-after-restart") ;;
    partner-down) d=$(( span * 12 / 100 )); [ "$d" -ge 90 ] || d=90
                  EVENTS+=("$(( span * 65 / 100 )) fault-start partner-down" "$(( span * 65 / 100 + d )) fault-end partner-down") ;;
  esac
done
mapfile -t EVENTS < <(printf '%s\n' "${EVENTS[@]}" | sort -s -n -k1,1)
log "scenario: ${#EVENTS[@]} events planned up to +${LAST}s after the clients' start (later ones skipped, except a fault's end)"
for e in "${EVENTS[@]}"; do
  read -r t action arg <<< "$e"
  if [ "$t" -gt "$LAST" ] && [ "$action" != fault-end ]; then log "skipped (past the end): $e"; continue; fi
  at "$t"
  case "$action" in
    permute) permute "$arg" ;;
    churn) churn ;;
    fault-start) fault_start "$arg" ;;
    fault-end) fault_end "$arg" ;;
    release)
      if [ "${CSTATE[$arg]:-}" = running ]; then
        rig_event client-release "client=$arg" "port=gvrgrp$(port_of "$arg")"
        release_client "$arg"
      fi ;;
    start)
      if [ -n "${CSTATE[$arg]:-}" ] && [ "${CSTATE[$arg]}" != running ]; then
        rig_event client-return "client=$arg" "port=gvrgrp$(port_of "$arg")"; start_client "$arg"
      fi ;;
    gluff-stop) rig_event gluff-stop "server=gvrg-dhcp$arg"; stop_gluff "$arg"; start_sampler "$arg" ;;
    gluff-start) rig_event gluff-start "server=gvrg-dhcp$arg"; start_gluff "$arg"; start_sampler "$arg" ;;
  esac
done

at $(( END - 40 - TS ))
rig_event clients-stop "clients=$(running_clients | wc -w)"
for c in "${CLIENTS[@]}"; do if [ "${CSTATE[$c]}" = running ]; then stop_client "$c"; fi; done
RETURN_AT=()
if [ "$STOCK" -eq 0 ]; then
  nap 20                          # the gluffs drain their queues
  for n in 1 2; do
    left="$(sqlite3 "$RUN/gvrg-dhcp$n/queue.db3" 'SELECT COUNT(*) FROM lease_queue' 2>/dev/null || echo '?')"
    log "gvrg-dhcp$n queue rows left: $left"
  done
else
  nap 3
fi
service
rig_event rig-end "died=${DIED:-none}"
log "stopping relay, dhcpds${GLUFF:+ and gluffs}"
for k in relay dhcp1 dhcp2 gluff1 gluff2; do
  [ -n "${PID[$k]:-}" ] && kill -TERM "${PID[$k]}" 2>/dev/null && wait "${PID[$k]}" 2>/dev/null || true
  PID[$k]=""
done
nap 2
stop_collector
[ "$DB_CREATED" -eq 0 ] || dump_tables
{
  echo "zone: $RIG_TZ (all rig hosts; syslog stamps and Gluff's TIMESTAMP text are wall time there)"
  if [ "$STOCK" -eq 1 ]; then
    echo "gluff: none (stock dhcpd $DHCPD, no queue patch)"
  else
    echo "database: $DB (MariaDB via $MYSQL_SOCK; global time_zone $("${MYSQL[@]}" -N -e 'SELECT @@GLOBAL.time_zone'), system $("${MYSQL[@]}" -N -e 'SELECT @@system_time_zone'))"
    echo "binaries: $DHCPD, $GLUFF ($(tr '\n' ';' < "$(dirname "$(dirname "$DHCPD")")/BUILD-INFO" 2>/dev/null))"
    echo "gluff: -F -D -R, -h localhost (unix socket), one per server"
  fi
  echo "rig id: '$RIG_ID' (namespaces ${NSP}*); topology $TOPOLOGY; scenario $SCENARIO${CHURN:+, churn every ${CHURN}s}; faults ${FAULTS:-none}"
  echo "servers: gvrg-dhcp1 10.77.0.11 primary, gvrg-dhcp2 10.77.0.12 secondary, failover gvrg-fo, mclt 60, split 128"
  if [ "$TOPOLOGY" = one-subnet ]; then
    echo "leases: default $LEASE, min $(( LEASE / 2 )), max $(( LEASE * 3 / 2 )); pool 10.77.10.50-109 (shared-network gvrg-access)"
  else
    echo "leases: default $LEASE, min $(( LEASE / 2 )), max $(( LEASE * 3 / 2 )); pools 10.77.N.50-109 behind relay port N"
  fi
  echo "relay ports: gvrgrp1 10.77.1.1, gvrgrp2 10.77.2.1, gvrgrp3 10.77.3.1; circuit-id = port name; no remote-id"
  echo "permuter: switch-side gvrgsw1..3 on bridges gvrgbr01..03; seed $SEED"
  for s in "${SEGMENTS[@]}"; do
    m=""; for c in ${SEGCLIENTS[$s]}; do m+="${m:+ }$c=${CMAC[$c]}"; done
    echo "segment $s: $m"
  done
  [ -z "$DIED" ] || echo "died during the run: $DIED"
} > "$OUT/rig-facts.txt"
log "run time reached"
exit 0
}
