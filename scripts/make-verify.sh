#!/usr/bin/env bash
# `make verify`: one verification with settings from the environment or gluff-verify.local.env,
# reports under reports/<UTC timestamp>/, exit code = the verdict's (0 pass, 1 fail, 2 inconclusive, 3/4 errors).
# This script is the entry point for cron and CI: GNU make exits 2 whenever a recipe fails, whatever
# the code, so `make verify` cannot tell a fail from an inconclusive run or a config error; this can.
#   17 3 * * *  /srv/gluff-verify/scripts/make-verify.sh >>/var/log/gluff-verify.log 2>&1
# It runs from the checkout (relative paths in the settings are relative to it) and needs `make` once
# (the build).
#
#   scripts/make-verify.sh [--show-config]
#   --show-config  print each setting as KEY=VALUE, a tab, and where it came from (environment, the file
#                  and line, default), passwords not shown; exit 0 (3 if the file cannot be read)
#
# Settings (environment wins over the file; the file is gluff-verify.local.env, or GV_CONFIG=PATH):
#   GV_STORE   event store (default: gluff-verify.db)
#   GV_SPEC    rig spec (default: specs/seed-rig.yaml)
#   GV_GLUFF   --gluff location (mysql://USER@HOST/DB or sqlite:FILE); without it Gluff's own
#              GLUFF_DBHOST / GLUFF_DBUSER / GLUFF_DBDB / GLUFF_DBPWD are used
#   GV_FROM, GV_TO, GV_AS_OF   the window (ISO 8601)
#   GLUFF_DBPWD (or MYSQL_PWD, or a ~/.my.cnf) for the password: never on the command line.
#
# The file is read, never run: one setting a line, as people write them for a shell,
#   KEY=value   KEY = value   export KEY=value   KEY='single quoted'   KEY="double quoted"   KEY=
# with # comments (whole lines, or after a value and a space) and blank lines. Single quotes keep
# everything as written; in double quotes \" \\ \$ \` stand for the character. Nothing is expanded, so a
# `$` or a backtick outside single quotes is refused, as are spaces in an unquoted value. Every line
# that cannot be read is named (FILE:LINE: KEY: what is wrong; values are never shown, they may be
# passwords) and the script exits 3 (GV_CONFIG_INVALID) before verifying anything. A key given twice: the
# last line wins. A variable set (non-empty) in the environment wins over the file.
set -uo pipefail
cd "$(dirname "$0")/.."

show_config=0
for arg in "$@"; do
  case "$arg" in
    --show-config) show_config=1 ;;
    *)
      echo "make verify: GV_USAGE: unknown argument '$arg'; expected --show-config or nothing" >&2
      exit 3
      ;;
  esac
done

conf="${GV_CONFIG:-gluff-verify.local.env}"
# Keys in the order the file first sets them, with the value and line of the last setting.
file_keys=()
declare -A file_value=() file_line=()
config_errors=()

# The value inside double quotes with \" \\ \$ \` replaced by the character (a backslash before any
# other character stays, as in the shell); sets `unescaped`.
unescape_double() {
  local s=$1 c
  unescaped=
  while [ -n "$s" ]; do
    c=${s:0:1}
    if [ "$c" = '\' ] && [[ "${s:1:1}" == [\"\\\$\`] ]]; then
      unescaped+=${s:1:1}
      s=${s:2}
    else
      unescaped+=$c
      s=${s:1}
    fi
  done
}

# Why the value text `rest` (after `=` and the spaces following it) cannot be read.
value_problem() {
  local rest=$1
  case "$rest" in
    \'*) echo "the single quote is not closed, or text other than a # comment follows it" ;;
    \"*)
      if [[ "$rest" =~ ^\"([^\"\\]|\\.)*\" ]]; then
        if [[ "${BASH_REMATCH[0]}" =~ (^|[^\\])(\\\\)*[\$\`] ]]; then
          echo "'\$' or '\`' inside double quotes: nothing is expanded here; write the value in single quotes, or \\\$"
        else
          echo "text other than a # comment follows the closing double quote"
        fi
      else
        echo "the double quote is not closed"
      fi
      ;;
    *[\$\`]*) echo "'\$' or '\`' in an unquoted value: nothing is expanded here; write the value in single quotes" ;;
    *[[:space:]]*) echo "a value with spaces must be quoted ('...' or \"...\"), or a comment needs a # after the space" ;;
    *) echo "quotes or a backslash inside an unquoted value; quote the whole value" ;;
  esac
}

read_config() {
  local file=$1 n=0 line key rest lead value
  local re_blank='^[[:space:]]*(#.*)?$'
  local re_assign='^[[:space:]]*(export[[:space:]]+)?([A-Za-z_][A-Za-z0-9_]*)[[:space:]]*=(.*)$'
  local re_single="^'([^']*)'([[:space:]]+#.*)?[[:space:]]*\$"
  local re_double='^"(([^"\\$`]|\\.)*)"([[:space:]]+#.*)?[[:space:]]*$'
  local re_plain='^([^[:space:]"'"'"'\\$`]*)([[:space:]]+#.*)?[[:space:]]*$'
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    line=${line%$'\r'}
    [[ "$line" =~ $re_blank ]] && continue
    if ! [[ "$line" =~ $re_assign ]]; then
      if [[ "$line" =~ ^[[:space:]]*export[[:space:]]+[A-Za-z_][A-Za-z0-9_]*[[:space:]]*$ ]]; then
        config_errors+=("$file:$n: 'export KEY' without a value; expected export KEY=VALUE")
      else
        config_errors+=("$file:$n: expected KEY=VALUE (KEY: letters, digits and _, not starting with a digit), export KEY=VALUE, a # comment or a blank line")
      fi
      continue
    fi
    key=${BASH_REMATCH[2]}
    rest=${BASH_REMATCH[3]}
    lead=${rest%%[![:space:]]*}
    rest=${rest#"$lead"}
    if [ -n "$lead" ] && [[ "$rest" == \#* ]]; then
      value= # `KEY = # comment`: no value
    elif [[ "$rest" =~ $re_single ]]; then
      value=${BASH_REMATCH[1]}
    elif [[ "$rest" =~ $re_double ]]; then
      unescape_double "${BASH_REMATCH[1]}"
      value=$unescaped
    elif [[ "$rest" =~ $re_plain ]]; then
      value=${BASH_REMATCH[1]}
    else
      config_errors+=("$file:$n: $key: $(value_problem "$rest")")
      continue
    fi
    [ -n "${file_line[$key]-}" ] || file_keys+=("$key")
    file_value[$key]=$value
    file_line[$key]=$n
  done <"$file"
}

if [ -f "$conf" ] && [ -r "$conf" ]; then
  read_config "$conf"
elif [ -n "${GV_CONFIG-}" ]; then
  echo "make verify: GV_USAGE: GV_CONFIG=$GV_CONFIG is not a readable file" >&2
  exit 3
fi
if [ "${#config_errors[@]}" -gt 0 ]; then
  for e in "${config_errors[@]}"; do echo "make verify: GV_CONFIG_INVALID: $e" >&2; done
  echo "make verify: nothing verified; values are not shown (they may be passwords)" >&2
  exit 3
fi

# Where each setting comes from, before the file's values are exported.
declare -A source_of=()
for key in "${file_keys[@]}"; do
  if [ -n "${!key-}" ]; then
    source_of[$key]="environment (over $conf:${file_line[$key]})"
  else
    source_of[$key]="$conf:${file_line[$key]}"
    export "$key=${file_value[$key]}"
  fi
done

if [ "$show_config" -eq 1 ]; then
  shown() {
    local key=$1 value=$2 from=$3
    if [[ "$key" =~ (PWD|PASS|SECRET|TOKEN) ]]; then value='(set, not shown)'; fi
    printf '%s=%s\t# %s\n' "$key" "$value" "$from"
  }
  declare -A defaults=([GV_STORE]=gluff-verify.db [GV_SPEC]=specs/seed-rig.yaml)
  for key in GV_STORE GV_SPEC GV_GLUFF GV_FROM GV_TO GV_AS_OF; do
    if [ -n "${source_of[$key]-}" ]; then
      shown "$key" "${!key}" "${source_of[$key]}"
    elif [ -n "${!key-}" ]; then
      shown "$key" "${!key}" environment
    elif [ -n "${defaults[$key]-}" ]; then
      shown "$key" "${defaults[$key]}" default
    else
      shown "$key" '' unset
    fi
  done
  for key in "${file_keys[@]}"; do
    [[ "$key" =~ ^GV_(STORE|SPEC|GLUFF|FROM|TO|AS_OF)$ ]] || shown "$key" "${!key}" "${source_of[$key]}"
  done
  exit 0
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
