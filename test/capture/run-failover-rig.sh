#!/usr/bin/env bash
# Real-capture rig: two ISC dhcpd 4.4 servers in failover (load balancing), a router running
# dhcrelay -a (Option 82 circuit-id = interface name) and several dhclient clients, all in
# network namespaces this script creates and deletes. Every host logs through its own
# rsyslogd (own host name in the header) to a central rsyslogd, which writes the capture.
#
# Usage (as root):  test/capture/run-failover-rig.sh [--minutes N] [--out DIR]
#   --minutes N  total run time, 6..30 (default 9); the scripted scenario takes ~5.5 min
#   --out DIR    where to put the capture (default /work/capture-out/run-<UTC time>)
# Result: DIR/messages.log (classic file form), DIR/messages-pri.log (same with <PRI>),
#         DIR/messages-5424.log (RFC 5424), DIR/timeline.log (what the script did, UTC),
#         DIR/hosts/* (per-host local logs, dhcpd/dhcrelay/dhclient stderr, lease files).
#
# Network: only private 10.99.0.0/16 addresses inside the rig's own namespaces (prefix gvr-);
# nothing is routed out of them. Everything is torn down on exit, error, Ctrl-C or timeout.
#
# Topology:
#   gvr-sw   "switch": bridges brs (server LAN 10.99.0.0/24, log server 10.99.0.5 here),
#            bra (access LAN A), brb (access LAN B; A+B are one dhcpd shared-network), brc (LAN C)
#   gvr-d1   dhcp1  10.99.0.11  failover primary
#   gvr-d2   dhcp2  10.99.0.12  failover secondary
#   gvr-rt   router1 eth0 10.99.0.1 (-> brs), eth1 10.99.1.1 (-> bra), eth2 10.99.2.1 (-> brb),
#            eth3 10.99.3.1 (-> brc); forwards IPv4 and runs dhcrelay -a -id eth1..3 -iu eth0
#   gvr-cN   client cN, eth0 on bra (c1..c3), brb (c4, c5) or brs (c6: no relay, no Option 82)
set -Eeuo pipefail
# The whole script is one { ... } block so bash parses it before running: editing the file
# during a run cannot change the running instance.
{

MINUTES=9
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "run-failover-rig: unknown argument '$1' (expected --minutes N or --out DIR)" >&2; exit 2 ;;
  esac
done
if ! [[ "$MINUTES" =~ ^[0-9]+$ ]] || [ "$MINUTES" -lt 6 ] || [ "$MINUTES" -gt 30 ]; then
  echo "run-failover-rig: --minutes must be a whole number 6..30, got '$MINUTES'" >&2; exit 2
fi

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CONF="$HERE/conf"
SNIPPET="$ROOT/specs/dhcpd-commit-log.conf"
[ -n "$OUT" ] || OUT="/work/capture-out/run-$(date -u +%Y%m%dT%H%M%SZ)"

if [ "$(id -u)" -ne 0 ]; then
  echo "run-failover-rig: must run as root (creates network namespaces)" >&2; exit 2
fi
missing=()
for c in dhcpd dhcrelay dhclient rsyslogd ip unshare; do
  command -v "$c" >/dev/null 2>&1 || missing+=("$c")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "run-failover-rig: missing commands: ${missing[*]}" >&2
  echo "  install them with: apt-get update && apt-get install -y isc-dhcp-server isc-dhcp-relay isc-dhcp-client rsyslog iproute2 util-linux" >&2
  exit 2
fi
for ns in $(ip netns list | awk '{print $1}'); do
  case "$ns" in gvr-*) echo "run-failover-rig: namespace $ns already exists (earlier run not torn down?); delete with: ip netns del $ns" >&2; exit 2 ;; esac
done

mkdir -p "$OUT/hosts"
RUN="$(mktemp -d /tmp/gvr-run.XXXXXX)"
T0=$(date +%s)
log() { printf '%s +%4ss %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(( $(date +%s) - T0 ))" "$*" | tee -a "$OUT/timeline.log"; }
# nap N: sleep that a trapped signal interrupts at once (bash runs traps only between commands,
# so a foreground `sleep` would delay Ctrl-C/SIGTERM handling until it ends).
nap() { sleep "$1" & wait $! || true; }

NAMESPACES=(gvr-sw gvr-d1 gvr-d2 gvr-rt gvr-c1 gvr-c2 gvr-c3 gvr-c4 gvr-c5 gvr-c6)
declare -A PID=()
WATCHDOG=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM ERR
  set +e
  log "teardown (exit status $rc)"
  [ -n "$WATCHDOG" ] && kill "$WATCHDOG" 2>/dev/null
  # Clients first (no release), then relay, servers, per-host syslogs, central syslog last.
  for k in c1 c2 c3 c4 c5 c6 relay dhcp1 dhcp2 rs-router1 rs-dhcp1 rs-dhcp2 rs-central; do
    [ -n "${PID[$k]:-}" ] && kill -TERM "${PID[$k]}" 2>/dev/null
    sleep 0.2
  done
  sleep 1
  # Anything still alive inside our own namespaces was started by this script.
  for ns in "${NAMESPACES[@]}"; do
    if ip netns list | grep -qw "$ns"; then
      for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    fi
  done
  sleep 0.5
  for h in dhcp1 dhcp2 router1 c1 c2 c3 c4 c5 c6; do
    [ -d "$RUN/$h" ] && cp -r "$RUN/$h" "$OUT/hosts/" 2>/dev/null
  done
  for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$RUN"
  log "done; capture in $OUT ($(wc -l < "$OUT/messages.log" 2>/dev/null || echo 0) lines in messages.log)"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Hard bound on the whole run: the scenario plus 2 minutes of slack.
( sleep $(( MINUTES * 60 + 120 )); echo "run-failover-rig: watchdog timeout" >&2; kill -TERM $$ ) &
WATCHDOG=$!

# ---------------------------------------------------------------- network
log "creating namespaces ${NAMESPACES[*]}"
for ns in "${NAMESPACES[@]}"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
for br in brs bra brb brc; do
  ip -n gvr-sw link add "$br" type bridge
  ip -n gvr-sw link set "$br" type bridge stp_state 0 forward_delay 0
  ip -n gvr-sw link set "$br" up
done
ip -n gvr-sw addr add 10.99.0.5/24 dev brs

# plug NS IF MAC BRIDGE: veth with IF inside NS, its peer (NS-suffixed) on BRIDGE in gvr-sw.
plug() {
  local ns="$1" ifn="$2" mac="$3" br="$4" port="p-${1#gvr-}-$2"
  ip link add "$ifn" netns "$ns" type veth peer name "$port" netns gvr-sw
  [ -n "$mac" ] && ip -n "$ns" link set "$ifn" address "$mac"
  ip -n gvr-sw link set "$port" master "$br" up
  ip -n "$ns" link set "$ifn" up
}
plug gvr-d1 eth0 "" brs
plug gvr-d2 eth0 "" brs
plug gvr-rt eth0 "" brs
plug gvr-rt eth1 "" bra
plug gvr-rt eth2 "" brb
plug gvr-rt eth3 "" brc
ip -n gvr-d1 addr add 10.99.0.11/24 dev eth0
ip -n gvr-d2 addr add 10.99.0.12/24 dev eth0
ip -n gvr-rt addr add 10.99.0.1/24 dev eth0
ip -n gvr-rt addr add 10.99.1.1/24 dev eth1
ip -n gvr-rt addr add 10.99.2.1/24 dev eth2
ip -n gvr-rt addr add 10.99.3.1/24 dev eth3
ip -n gvr-d1 route add 10.99.0.0/16 via 10.99.0.1
ip -n gvr-d2 route add 10.99.0.0/16 via 10.99.0.1
ip netns exec gvr-rt sysctl -qw net.ipv4.ip_forward=1
# Synthetic, locally administered client MACs with zero bytes (to exercise unpadded hex).
declare -A CMAC=([c1]=02:00:5e:0a:01:01 [c2]=02:00:5e:0a:01:02 [c3]=02:00:5e:0a:01:03 [c4]=02:00:5e:0b:00:04 [c5]=02:00:5e:0b:00:05 [c6]=02:00:5e:0c:00:06)
declare -A CBR=([c1]=bra [c2]=bra [c3]=bra [c4]=brb [c5]=brb [c6]=brs)
for c in c1 c2 c3 c4 c5 c6; do plug "gvr-$c" eth0 "${CMAC[$c]}" "${CBR[$c]}"; done

# ---------------------------------------------------------------- syslog
mkdir -p "$RUN/central"
sed -e "s|@ADDR@|10.99.0.5|" -e "s|@OUT@|$OUT|" "$CONF/rsyslog-central.conf" > "$RUN/central/rsyslog.conf"
ip netns exec gvr-sw rsyslogd -n -f "$RUN/central/rsyslog.conf" -i "$RUN/central/rsyslogd.pid" \
  > "$RUN/central/stderr.log" 2>&1 &
PID[rs-central]=$!

# start_host_syslog NAME NS: per-host rsyslogd whose socket becomes that host's /dev/log.
start_host_syslog() {
  local name="$1" ns="$2" d="$RUN/$1"
  mkdir -p "$d/dev" "$d/work"
  sed -e "s|@NAME@|$name|" -e "s|@SOCK@|$d/dev/log|" -e "s|@WORK@|$d/work|" -e "s|@LOGHOST@|10.99.0.5|" \
    "$CONF/rsyslog-host.conf" > "$d/rsyslog.conf"
  ip netns exec "$ns" rsyslogd -n -f "$d/rsyslog.conf" -i "$d/work/rsyslogd.pid" > "$d/rsyslogd.stderr" 2>&1 &
  PID[rs-$name]=$!
}
start_host_syslog dhcp1 gvr-d1
start_host_syslog dhcp2 gvr-d2
start_host_syslog router1 gvr-rt
for c in c1 c2 c3 c4 c5 c6; do mkdir -p "$RUN/$c/dev"; done   # clients log nowhere (no socket)
for i in $(seq 50); do
  [ -S "$RUN/dhcp1/dev/log" ] && [ -S "$RUN/dhcp2/dev/log" ] && [ -S "$RUN/router1/dev/log" ] && break
  sleep 0.1
done

# in_host NAME NS CMD...: exec CMD in NS with a private mount namespace whose /dev is the host's
# own directory: its log socket plus the real null/zero/random/urandom/tty device nodes.
# It replaces the calling shell, so call it as `in_host ... &` or `( in_host ... )`; then $!
# is the PID of CMD itself (ip netns exec, unshare and sh all exec).
in_host() {
  local name="$1" ns="$2"; shift 2
  local d="$RUN/$name/dev"
  exec ip netns exec "$ns" unshare -m --propagation private sh -c '
    d="$1"; shift
    for n in null zero random urandom tty; do touch "$d/$n"; mount --bind "/dev/$n" "$d/$n"; done
    mount --rbind "$d" /dev
    exec "$@"' in_host "$d" "$@"
}

# ---------------------------------------------------------------- servers
start_dhcpd() {
  local name="$1" ns="$2" d="$RUN/$1"
  cat "$CONF/dhcpd-$name.conf" "$CONF/dhcpd-common.conf" "$SNIPPET" > "$d/dhcpd.conf"
  touch "$d/dhcpd.leases"
  in_host "$name" "$ns" dhcpd -4 -f -cf "$d/dhcpd.conf" -lf "$d/dhcpd.leases" -pf "$d/dhcpd.pid" eth0 \
    >> "$d/dhcpd.stderr" 2>&1 &
  PID[$name]=$!
}
log "checking dhcpd configuration"
for s in dhcp1 dhcp2; do
  cat "$CONF/dhcpd-$s.conf" "$CONF/dhcpd-common.conf" "$SNIPPET" > "$RUN/$s/check.conf"
  dhcpd -4 -t -q -cf "$RUN/$s/check.conf" || { echo "run-failover-rig: dhcpd -t rejected the $s config" >&2; exit 1; }
done
log "starting dhcp1 and dhcp2"
start_dhcpd dhcp1 gvr-d1
start_dhcpd dhcp2 gvr-d2
nap 10
for s in dhcp1 dhcp2; do
  kill -0 "${PID[$s]}" 2>/dev/null || { echo "run-failover-rig: $s exited at start; see $OUT/hosts/$s/dhcpd.stderr" >&2; exit 1; }
done
grep -q ' dhcp1 dhcpd\[' "$OUT/messages.log" 2>/dev/null && grep -q ' dhcp2 dhcpd\[' "$OUT/messages.log" || {
  echo "run-failover-rig: no dhcpd lines reached $OUT/messages.log; see $OUT/hosts/*/rsyslogd.stderr" >&2; exit 1; }

log "starting dhcrelay on router1 (eth1, eth2, eth3 -> 10.99.0.11, 10.99.0.12)"
in_host router1 gvr-rt dhcrelay -4 -d -a -id eth1 -id eth2 -id eth3 -iu eth0 10.99.0.11 10.99.0.12 \
  > "$RUN/router1/dhcrelay.stderr" 2>&1 &
PID[relay]=$!
nap 2

# ---------------------------------------------------------------- clients
start_client() {
  local c="$1" d="$RUN/$1"
  sed "s|@NAME@|$c|" "$CONF/dhclient.conf" > "$d/dhclient.conf"
  sed "s|@DECLINE@|$d/decline-once|" "$CONF/dhclient-script.sh" > "$d/dhclient-script"
  chmod +x "$d/dhclient-script"
  in_host "$c" "gvr-$c" dhclient -4 -d -v -cf "$d/dhclient.conf" -lf "$d/dhclient.leases" \
    -pf "$d/dhclient.pid" -sf "$d/dhclient-script" eth0 >> "$d/dhclient.stderr" 2>&1 &
  PID[$c]=$!
}
stop_client() { # SIGTERM: dhclient exits without releasing (like a host losing power)
  local c="$1"
  [ -n "${PID[$c]:-}" ] && kill -TERM "${PID[$c]}" 2>/dev/null && wait "${PID[$c]}" 2>/dev/null || true
  PID[$c]=""
}
release_client() { # dhclient -r: sends DHCPRELEASE and stops the running dhclient
  local c="$1" d="$RUN/$1"
  ( in_host "$c" "gvr-$c" dhclient -4 -r -v -cf "$d/dhclient.conf" -lf "$d/dhclient.leases" \
    -pf "$d/dhclient.pid" -sf "$d/dhclient-script" eth0 ) >> "$d/dhclient.stderr" 2>&1 || true
  wait "${PID[$c]}" 2>/dev/null || true
  PID[$c]=""
}
move_client() { # move client C's switch port to bridge BR (another relay interface)
  ip -n gvr-sw link set "p-$1-eth0" nomaster
  ip -n gvr-sw link set "p-$1-eth0" master "$2"
}

# The scripted scenario. Times are seconds after the clients start.
touch "$RUN/c4/decline-once"
log "starting clients c1..c6 (c4 will reject its first lease to try a DECLINE)"
for c in c1 c2 c3 c4 c5 c6; do start_client "$c"; nap 1; done
TS=$(date +%s)
at() { local t=$(( TS + $1 - $(date +%s) )); [ "$t" -gt 0 ] && nap "$t"; return 0; }

at 70;  log "c5: dhclient -r (DHCPRELEASE)"; release_client c5
at 95;  log "c5: restart dhclient (INIT-REBOOT from its lease file)"; start_client c5
at 110; log "c2: port moved bra -> brb (eth1 -> eth2, same shared network), dhclient keeps running"; move_client c2 brb
at 130; log "c3: port moved bra -> brc (eth1 -> eth3, other network) and dhclient restarted (link bounce: INIT-REBOOT)"
        stop_client c3; move_client c3 brc; start_client c3
at 175; log "dhcp2: SIGTERM"; kill -TERM "${PID[dhcp2]}"; wait "${PID[dhcp2]}" 2>/dev/null || true; PID[dhcp2]=""
at 215; log "c2: dhclient restarted on its new port (INIT-REBOOT via eth2)"; stop_client c2; start_client c2
at 235; log "dhcp2: restart"; start_dhcpd dhcp2 gvr-d2
at 265; log "c6: dhclient -r (DHCPRELEASE straight to the server, no relay)"; release_client c6
at 280; log "c6: restart dhclient"; start_client c6
at 290; log "c1: port moved bra -> brb (same shared network), dhclient keeps running"; move_client c1 brb
at 320; log "c4: dhclient -r (DHCPRELEASE)"; release_client c4
at 330; log "c4: restart dhclient"; start_client c4
END=$(( T0 + MINUTES * 60 - 5 ))
log "scenario done; letting leases renew until +$(( END - T0 ))s"
while [ "$(date +%s)" -lt "$END" ]; do nap 5; done
log "run time reached"
exit 0
}
