#!/bin/bash
# setupbridge.sh — the port permuter ("Autobridge"), our version of the paper's Appendix B script.
#
# Tears down the three bridges, then joins each switch-side interface to a randomly chosen client-side
# interface again, so the clients move between switch ports (and Option 82 circuit-ids) every run.
# Run from cron (the paper: every 20 minutes). Uses `ip link` instead of brctl/ifconfig.
#
# It tells the verifier what it did, through syslog with tag `autobridge` (specs: formats.md):
#   down seq=17                                                    just before the teardown
#   map seq=17 bridge01=eth0+eth4 bridge02=eth1+eth3 bridge03=eth2+eth5   once the new bridges are up
# seq is kept in STATE_FILE and grows by one per run (DRY_RUN too: point STATE_FILE elsewhere to try it).
#
# Settings (environment):
#   SWITCH_IFS  switch-side interfaces, one per bridge     (default "eth0 eth1 eth2")
#   CLIENT_IFS  client-side interfaces, shuffled onto them (default "eth3 eth4 eth5")
#   BRIDGES     bridge names                               (default "bridge01 bridge02 bridge03")
#   STATE_FILE  where seq is kept                          (default /var/lib/autobridge/seq)
#   MGMT_ADDR   optional CIDR for the first bridge (the permuter's own address), MGMT_GW its default route
#   LOG_TARGET  send the lines straight to the collector (logger -n, UDP) instead of the local syslog;
#   LOG_PORT    its port (default 514)
#   DRY_RUN=1   print every command (prefixed "+ ") instead of running it; logger lines too
set -euo pipefail
export PATH=$PATH:/sbin:/usr/sbin

read -r -a SWITCH <<<"${SWITCH_IFS:-eth0 eth1 eth2}"
read -r -a CLIENT <<<"${CLIENT_IFS:-eth3 eth4 eth5}"
read -r -a BRIDGE <<<"${BRIDGES:-bridge01 bridge02 bridge03}"
STATE_FILE=${STATE_FILE:-/var/lib/autobridge/seq}
DRY_RUN=${DRY_RUN:-0}

if [ "${#SWITCH[@]}" -ne "${#BRIDGE[@]}" ]; then
  echo "setupbridge: ${#BRIDGE[@]} bridges but ${#SWITCH[@]} switch-side interfaces; expected one per bridge" >&2
  exit 2
fi

run() {
  if [ "$DRY_RUN" = 1 ]; then
    echo "+ $*"
  else
    "$@"
  fi
}

# A logging failure must not leave the clients without a network: say so on stderr (cron mails it);
# the verifier then sees a missing down/map line and reports the port facts as unknown.
log() {
  if [ -n "${LOG_TARGET:-}" ]; then
    run logger -n "$LOG_TARGET" -P "${LOG_PORT:-514}" -d -t autobridge -- "$1" ||
      echo "setupbridge: logger to $LOG_TARGET failed for: $1" >&2
  else
    run logger -t autobridge -- "$1" || echo "setupbridge: logger failed for: $1" >&2
  fi
}

# Next seq: one more than the last run's, written before anything changes so a crash never reuses it.
mkdir -p "$(dirname "$STATE_FILE")"
last=$(cat "$STATE_FILE" 2>/dev/null || echo 0)
case $last in '' | *[!0-9]*) last=0 ;; esac
seq=$((last + 1))
echo "$seq" >"$STATE_FILE.tmp"
mv "$STATE_FILE.tmp" "$STATE_FILE"

echo "setupbridge: seq=$seq $(date -u +%Y-%m-%dT%H:%M:%SZ)"
log "down seq=$seq"

# Teardown: deleting a bridge releases its ports. Missing bridges are fine (first run, earlier crash).
for br in "${BRIDGE[@]}"; do
  if [ "$DRY_RUN" = 1 ] || ip link show dev "$br" >/dev/null 2>&1; then
    run ip link set dev "$br" down
    run ip link del dev "$br"
  fi
done
for ifc in "${SWITCH[@]}" "${CLIENT[@]}"; do
  run ip link set dev "$ifc" nomaster 2>/dev/null || true
  run ip link set dev "$ifc" down
done

# The random part: client-side interfaces in a new order; the extra ones (if any) go round-robin,
# and a bridge with no client-side interface left gets "none".
mapfile -t SHUFFLED < <(printf '%s\n' "${CLIENT[@]}" | shuf)
declare -a JOINED
for i in "${!BRIDGE[@]}"; do JOINED[i]=""; done
for j in "${!SHUFFLED[@]}"; do
  i=$((j % ${#BRIDGE[@]}))
  JOINED[i]="${JOINED[i]:+${JOINED[i]},}${SHUFFLED[j]}"
done

map="map seq=$seq"
for i in "${!BRIDGE[@]}"; do
  br=${BRIDGE[i]}
  sw=${SWITCH[i]}
  run ip link add name "$br" type bridge
  run ip link set dev "$sw" master "$br"
  run ip link set dev "$sw" up
  IFS=, read -r -a clients <<<"${JOINED[i]}"
  for cl in "${clients[@]}"; do
    run ip link set dev "$cl" master "$br"
    run ip link set dev "$cl" up
  done
  run ip link set dev "$br" up
  map="$map $br=$sw+${JOINED[i]:-none}"
done

if [ -n "${MGMT_ADDR:-}" ]; then
  run ip addr replace "$MGMT_ADDR" dev "${BRIDGE[0]}"
  if [ -n "${MGMT_GW:-}" ]; then run ip route replace default via "$MGMT_GW"; fi
fi

log "$map"
