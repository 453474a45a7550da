#!/usr/bin/env bash
# Cuts a golden excerpt out of a rig capture and writes input.log + expected.json.
#
# Usage: test/capture/make-golden.sh RAW.log OUTDIR RANGES REFERENCE_UTC
#   RAW.log        a capture's messages.log (classic file form) from run-failover-rig.sh
#   OUTDIR         e.g. test/golden/failover-relay
#   RANGES         whole-line ranges to keep, 1-based and inclusive, e.g. "1-210,430-560"
#   REFERENCE_UTC  ISO instant near the capture, e.g. 2026-11-28T03:00:00Z
#
# Lines are kept byte for byte except for two replacements, applied consistently:
#   - the rig's temporary directory `/tmp/gvr-run.XXXXXX` becomes `/tmp/gvr-run.RUN000`;
#   - the kernel-random MACs of the rig's server/router interfaces (only in dhcpd/dhcrelay
#     `Listening on` / `Sending on` lines) become 02:00:00:99:00:NN in order of appearance.
# Client MACs (02:00:5e:...) and host names (c1..c5, dhcp1, dhcp2, router1) are synthetic already.
set -euo pipefail
RAW="${1:?usage: make-golden.sh RAW.log OUTDIR RANGES REFERENCE_UTC}"
OUTDIR="${2:?}"
RANGES="${3:?}"
REF="${4:?}"
HERE="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$OUTDIR"

sed_ranges=""
IFS=',' read -ra parts <<< "$RANGES"
for p in "${parts[@]}"; do
  [[ "$p" =~ ^([0-9]+)-([0-9]+)$ ]] || { echo "make-golden: bad range '$p' (expected FROM-TO)" >&2; exit 2; }
  sed_ranges+="${BASH_REMATCH[1]},${BASH_REMATCH[2]}p;"
done

sed -n "$sed_ranges" "$RAW" | awk '
  {
    gsub(/\/tmp\/gvr-run\.[A-Za-z0-9]{6}/, "/tmp/gvr-run.RUN000")
    if ($0 ~ /: (Listening|Sending) on +LPF\//) {
      n = split($0, seg, "/")
      for (i = 1; i <= n; i++) {
        if (seg[i] ~ /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/) {
          if (!(seg[i] in map)) { k++; map[seg[i]] = sprintf("02:00:00:99:00:%02x", k) }
          sub(seg[i], map[seg[i]])
        }
      }
    }
    print
  }' > "$OUTDIR/input.log"

"$HERE/count-kinds.sh" "$OUTDIR/input.log" "$REF" > "$OUTDIR/expected.json"
echo "make-golden: $(wc -l < "$OUTDIR/input.log") lines -> $OUTDIR/input.log, counts -> $OUTDIR/expected.json" >&2
