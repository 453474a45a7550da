#!/usr/bin/env bash
# `make verify`: one verification with settings from the environment or gluff-verify.local.env,
# reports under reports/<UTC timestamp>/, exit code = the verdict's (0 pass, 1 fail, 2 inconclusive, 3/4 errors).
#
# Settings (environment wins over the file; the file is gluff-verify.local.env, or GV_CONFIG=PATH):
#   GV_STORE   event store (default: gluff-verify.db)
#   GV_SPEC    rig spec (default: specs/seed-rig.yaml)
#   GV_GLUFF   --gluff location (mysql://USER@HOST/DB or sqlite:FILE); without it Gluff's own
#              GLUFF_DBHOST / GLUFF_DBUSER / GLUFF_DBDB / GLUFF_DBPWD are used
#   GV_FROM, GV_TO, GV_AS_OF   the window (ISO 8601)
#   GLUFF_DBPWD (or MYSQL_PWD, or a ~/.my.cnf) for the password: never on the command line.
set -uo pipefail
cd "$(dirname "$0")/.."
conf="${GV_CONFIG:-gluff-verify.local.env}"
if [ -f "$conf" ]; then
  while IFS='=' read -r key value; do
    [[ "$key" =~ ^[A-Z_][A-Z0-9_]*$ ]] || continue
    [ -n "${!key-}" ] || export "$key=$value"
  done < <(grep -E '^[A-Z_][A-Z0-9_]*=' "$conf")
elif [ -n "${GV_CONFIG-}" ]; then
  echo "make verify: GV_USAGE: GV_CONFIG=$GV_CONFIG is not a readable file" >&2
  exit 3
fi
stamp=$(date -u +%Y%m%dT%H%M%SZ)
dir="reports/$stamp"
# Two runs in the same second never share a folder.
n=2
while [ -e "$dir" ]; do dir="reports/$stamp-$n"; n=$((n + 1)); done
args=(verify --store "${GV_STORE:-gluff-verify.db}" --spec "${GV_SPEC:-specs/seed-rig.yaml}" --report-dir "$dir")
[ -n "${GV_GLUFF-}" ] && args+=(--gluff "$GV_GLUFF")
[ -n "${GV_FROM-}" ] && args+=(--from "$GV_FROM")
[ -n "${GV_TO-}" ] && args+=(--to "$GV_TO")
[ -n "${GV_AS_OF-}" ] && args+=(--as-of "$GV_AS_OF")
node bin/gluff-verify.js "${args[@]}"
rc=$?
echo "make verify: exit $rc, reports in $dir/"
# The last runs and how long tonight's failures have lasted; reports/index.html links every run. A
# history that cannot be written is reported but never changes the verdict's exit code.
node bin/gluff-verify.js history --dir reports --last 5 --html reports/index.html ||
  echo "make verify: the history (reports/index.html) could not be written" >&2
exit $rc
