#!/usr/bin/env bash
# Build the REAL Gluff pipeline for the gluff-verify capture rig:
#   - ISC dhcpd from Debian's isc-dhcp source package (4.4.3-P1), with Gluff's lease-queue patch
#     for dhcpd 4.4.1 (dhcp-4.4.1-ldb.patch) applied: dhcpd gains `-ldb FILE` and links sqlite3;
#   - gluff 1.12 (hansliss/gluff at commit a198264...), linked with sqlite3 and libmariadb.
# Both are installed into a prefix (default /opt/gluff-rig: bin/dhcpd, bin/gluff). Nothing of
# Gluff or ISC is copied into the gluff-verify repository: sources and objects live in the build
# directory (default /work/gluff-rig-build), binaries in the prefix.
#
# Usage (as root):  specs/build-gluff-rig.sh [options] [GLUFF_SOURCE]
#   GLUFF_SOURCE     where to take Gluff from: a clone (work tree), a bare git dir, or a git URL.
#                    Required unless --gluff is given. The commit below must be in it.
#   --gluff SRC      same as GLUFF_SOURCE
#   --commit SHA     Gluff commit to build (default a198264168cd6367494cf3b9a9452cd373d678e3)
#   --prefix DIR     install prefix (default /opt/gluff-rig)
#   --build-dir DIR  work directory for sources and objects (default /work/gluff-rig-build)
#   --jobs N         make -j N (default: number of CPUs)
#   --skip-apt       do not run apt-get (dependencies already installed, source already fetched)
#   --force          rebuild even if the build directory already holds a patched tree
#   -h, --help       this text
#
# Steps: (1) apt-get: enable deb-src if needed, build-dep isc-dhcp, install sqlite3 + MariaDB
# client dev files; (2) apt-get source isc-dhcp (Debian patches applied by dpkg-source);
# (3) export Gluff at the commit; (4) apply only the SOURCE hunks of dhcp-4.4.1-ldb.patch (see
# apply_ldb_patch below for what is dropped and why); (5) autoreconf, configure with Debian's
# flags for its ldap-less dhcpd, make -j; (6) configure + make gluff; (7) install both and check
# that the patch is in (strings, ldd, a queue write by a test dhcpd is NOT attempted here: the
# rig script test/capture/run-gluff-rig.sh exercises it).
#
# Exit status: 0 on success, 1 on a failed step (the log of that step is named), 2 on bad usage.
set -Eeuo pipefail
{

GLUFF_COMMIT_DEFAULT=a198264168cd6367494cf3b9a9452cd373d678e3
GLUFF_SRC=""
GLUFF_COMMIT="$GLUFF_COMMIT_DEFAULT"
PREFIX=/opt/gluff-rig
BUILD=/work/gluff-rig-build
JOBS="$(nproc 2>/dev/null || echo 2)"
SKIP_APT=0
FORCE=0
DHCP_UPSTREAM=4.4.3-P1          # the upstream version this recipe was written and checked for

usage() { sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --gluff) GLUFF_SRC="$2"; shift 2 ;;
    --commit) GLUFF_COMMIT="$2"; shift 2 ;;
    --prefix) PREFIX="$2"; shift 2 ;;
    --build-dir) BUILD="$2"; shift 2 ;;
    --jobs) JOBS="$2"; shift 2 ;;
    --skip-apt) SKIP_APT=1; shift ;;
    --force) FORCE=1; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "build-gluff-rig: unknown option '$1' (see --help)" >&2; exit 2 ;;
    *) [ -z "$GLUFF_SRC" ] || { echo "build-gluff-rig: only one GLUFF_SOURCE" >&2; exit 2; }
       GLUFF_SRC="$1"; shift ;;
  esac
done
[ -n "$GLUFF_SRC" ] || { echo "build-gluff-rig: give the Gluff source (a clone, a bare git dir or a git URL); see --help" >&2; exit 2; }
[[ "$JOBS" =~ ^[0-9]+$ ]] && [ "$JOBS" -ge 1 ] || { echo "build-gluff-rig: --jobs must be >= 1" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "build-gluff-rig: must run as root (apt-get, install into $PREFIX)" >&2; exit 2; }
command -v apt-get >/dev/null || { echo "build-gluff-rig: needs a Debian-like system with apt-get" >&2; exit 2; }

mkdir -p "$BUILD/logs"
T0=$(date +%s)
say() { printf '%s +%4ss %s\n' "$(date -u +%H:%M:%SZ)" "$(( $(date +%s) - T0 ))" "$*"; }
# step NAME CMD...: run CMD with its output in $BUILD/logs/NAME.log; on failure show the tail.
step() {
  local name="$1"; shift
  say "$name ..."
  # The subshell runs with errexit (a function called from an `if` would silently ignore it).
  local rc=0
  set +e; ( set -e; "$@" ) > "$BUILD/logs/$name.log" 2>&1; rc=$?; set -e
  if [ "$rc" -ne 0 ]; then
    tail -n 30 "$BUILD/logs/$name.log" >&2
    echo "build-gluff-rig: step '$name' failed; full log: $BUILD/logs/$name.log" >&2
    exit 1
  fi
}
trap 'rc=$?; [ $rc -eq 0 ] || echo "build-gluff-rig: failed (exit $rc) after $(( $(date +%s) - T0 ))s" >&2' EXIT

# ------------------------------------------------------------ (1) packages
# deb-src: `apt-get source` needs source indexes. If none are configured, add them for the
# system's suite on deb.debian.org (same suites as the binary indexes of a stock bookworm).
enable_deb_src() {
  if apt-cache showsrc isc-dhcp 2>/dev/null | grep -q '^Package: isc-dhcp'; then return 0; fi
  . /etc/os-release
  local suite="${VERSION_CODENAME:?no VERSION_CODENAME in /etc/os-release}"
  cat > /etc/apt/sources.list.d/gluff-rig-deb-src.sources <<EOF
# added by gluff-verify specs/build-gluff-rig.sh: source indexes for apt-get source isc-dhcp
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  apt-get update
  apt-cache showsrc isc-dhcp | grep -q '^Package: isc-dhcp'
}
install_deps() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y build-essential dpkg-dev patchutils git autoconf automake libtool \
    libsqlite3-dev sqlite3 libmariadb-dev libmariadb-dev-compat
  apt-get build-dep -y isc-dhcp
}
if [ "$SKIP_APT" -eq 0 ]; then
  step apt-deb-src enable_deb_src
  step apt-install install_deps
fi
for c in gcc make autoreconf filterdiff patch git; do
  command -v "$c" >/dev/null || { echo "build-gluff-rig: '$c' missing (run without --skip-apt)" >&2; exit 1; }
done

# ------------------------------------------------------------ (2) isc-dhcp source
DHCP_DIR="$BUILD/isc-dhcp-$DHCP_UPSTREAM"
fetch_dhcp_source() { cd "$BUILD" && apt-get source isc-dhcp; }
if [ "$FORCE" -eq 1 ] && [ -d "$DHCP_DIR" ]; then rm -rf "$DHCP_DIR"; fi
if [ ! -d "$DHCP_DIR" ]; then
  [ "$SKIP_APT" -eq 0 ] || ls "$BUILD"/isc-dhcp_*.dsc >/dev/null 2>&1 \
    || { echo "build-gluff-rig: no isc-dhcp source in $BUILD and --skip-apt given" >&2; exit 1; }
  if ls "$BUILD"/isc-dhcp_"$DHCP_UPSTREAM"-*.dsc >/dev/null 2>&1; then
    step dpkg-source bash -c "cd '$BUILD' && dpkg-source -x isc-dhcp_$DHCP_UPSTREAM-*.dsc"
  else
    step apt-source fetch_dhcp_source
  fi
fi
[ -d "$DHCP_DIR" ] || { echo "build-gluff-rig: expected $DHCP_DIR (Debian's isc-dhcp is not $DHCP_UPSTREAM here: ls $BUILD)" >&2; exit 1; }

# ------------------------------------------------------------ (3) Gluff source at the commit
GLUFF_DIR="$BUILD/gluff-$GLUFF_COMMIT"
get_gluff() {
  local gitdir="" tmp=""
  if [ -d "$GLUFF_SRC" ]; then
    if git --git-dir="$GLUFF_SRC" rev-parse --git-dir >/dev/null 2>&1; then gitdir="$GLUFF_SRC"      # bare
    else gitdir="$(git -C "$GLUFF_SRC" rev-parse --absolute-git-dir)"; fi                         # clone
  else
    tmp="$BUILD/gluff-clone.git"; rm -rf "$tmp"
    git clone --bare "$GLUFF_SRC" "$tmp"; gitdir="$tmp"                                            # URL
  fi
  git --git-dir="$gitdir" cat-file -e "$GLUFF_COMMIT^{commit}" \
    || { echo "commit $GLUFF_COMMIT is not in $GLUFF_SRC"; return 1; }
  rm -rf "$GLUFF_DIR"; mkdir -p "$GLUFF_DIR"
  git --git-dir="$gitdir" archive "$GLUFF_COMMIT" | tar -x -C "$GLUFF_DIR"
  grep -q 'VERSION=1.12' "$GLUFF_DIR/configure.ac" || { echo "not Gluff 1.12 at $GLUFF_COMMIT"; return 1; }
}
step gluff-source get_gluff

# ------------------------------------------------------------ (4) the lease-queue patch
# dhcp-4.4.1-ldb.patch was made with `diff -ruN` between two trees of 4.4.1 and carries noise
# that must NOT be applied to Debian's 4.4.3-P1:
#   - deletions of common/, dhcpctl/, omapip/Makefile.am (the author's patched tree lacked them;
#     applying them breaks autoreconf), `runstatedir` lines in every Makefile.in and a
#     regenerated `configure` (autoconf version drift; already present in 4.4.3 -> "reversed").
# We keep only the hunks that carry the change: configure.ac (AC_SEARCH_LIBS sqlite3_open),
# includes/dhcpd.h (prototypes, path_dhcpd_ldb), server/dhcp.c (ldb_log_release before
# release_lease in dhcprelease, ldb_log_lease in ack_lease's transmit path), server/dhcpd.c
# (-ldb option), server/hl_ldb.c (new file, verbatim) and server/Makefile.am (hl_ldb.c in
# dhcpd_SOURCES); then regenerate configure + Makefile.in with autoreconf, as Debian's own build
# does (dh_autoreconf). Against 4.4.3-P1 these apply with offsets, dhcp.c's release hunk with
# fuzz 3 (its context line "release_lease (lease, packet);\n\t} " had a trailing blank).
# server/dhcpd.c's first hunk only edits the copyright banner string ("Lease queue patch by
# Hans Liss ..." on dhcpd's start-up banner) and fails on the 2022 year; it is re-done by sed.
apply_ldb_patch() {
  cd "$DHCP_DIR"
  [ -f server/hl_ldb.c ] && { echo "already patched"; return 0; }
  filterdiff -i '*/configure.ac' -i '*/includes/dhcpd.h' -i '*/server/dhcp.c' \
    -i '*/server/dhcpd.c' -i '*/server/hl_ldb.c' -i '*/server/Makefile.am' \
    "$GLUFF_DIR/dhcp-4.4.1-ldb.patch" > "$BUILD/ldb-source-hunks.patch"
  # dhcpd.c hunk 1 = banner; drop it from the input and do it with sed below.
  filterdiff -i '*/server/dhcpd.c' --hunks=2-3 "$BUILD/ldb-source-hunks.patch" > "$BUILD/ldb-dhcpd-c.patch"
  filterdiff -x '*/server/dhcpd.c' "$BUILD/ldb-source-hunks.patch" > "$BUILD/ldb-rest.patch"
  patch -p1 -F3 --no-backup-if-mismatch < "$BUILD/ldb-rest.patch"
  patch -p1 --no-backup-if-mismatch < "$BUILD/ldb-dhcpd-c.patch"
  sed -i 's|^"Copyright 2004-\([0-9]*\) Internet Systems Consortium.";|"Lease queue patch by Hans Liss (Hans@Liss.pp.se) 2008\\nCopyright 2004-\1 Internet Systems Consortium.";|' server/dhcpd.c
  # Verify every piece landed where it belongs.
  grep -q 'Lease queue patch by Hans Liss' server/dhcpd.c
  grep -q '"-ldb"' server/dhcpd.c
  grep -q 'path_dhcpd_ldb' includes/dhcpd.h
  grep -q 'AC_SEARCH_LIBS(sqlite3_open' configure.ac
  grep -q 'hl_ldb.c' server/Makefile.am
  # the release hook must sit in dhcprelease(), right before release_lease():
  grep -B1 -A1 'ldb_log_release(lease);' server/dhcp.c | grep -q 'release_lease (lease, packet);'
  [ "$(grep -c 'ldb_log_lease(lease);' server/dhcp.c)" -eq 1 ]
  [ "$(grep -c 'ldb_log_release(lease);' server/dhcp.c)" -eq 1 ]
}
step ldb-patch apply_ldb_patch

# ------------------------------------------------------------ (5) dhcpd
# Debian's flags for its ldap-less dhcpd build (debian/rules: third configure, -DNSUPDATE),
# with Debian's default paths. LIBS gets -latomic as in debian/rules; -lsqlite3 comes from the
# patched configure.ac (checked below).
DEB_CFLAGS="$(dpkg-buildflags --get CFLAGS) -Wall -DCALL_SCRIPT_ON_ONETRY_FAIL -DNSUPDATE \
 -D_PATH_DHCPD_CONF='\"/etc/dhcp/dhcpd.conf\"' -D_PATH_DHCPD_DB='\"/var/lib/dhcp/dhcpd.leases\"' \
 -D_PATH_DHCPD6_DB='\"/var/lib/dhcp/dhcpd6.leases\"'"
configure_dhcp() {
  cd "$DHCP_DIR"
  # bind/ must be unpacked before autoreconf (as in debian/rules); its own autotools are not
  # regenerated (not needed on a native amd64/arm64 build).
  [ -d bind/bind-* ] 2>/dev/null || (cd bind && tar xf bind.tar.gz)
  autoreconf -f -i
  ./configure --prefix=/usr --enable-log-pid --enable-paranoia \
    CFLAGS="$DEB_CFLAGS" LDFLAGS="$(dpkg-buildflags --get LDFLAGS)" LIBS="-latomic"
  grep -q -- '-lsqlite3' config.log
  grep -q 'hl_ldb' server/Makefile
}
build_dhcp() { cd "$DHCP_DIR" && make -j"$JOBS"; }
if [ "$FORCE" -eq 1 ] || [ ! -x "$DHCP_DIR/server/dhcpd" ]; then
  step dhcp-configure configure_dhcp
  step dhcp-make build_dhcp      # compiles the bundled BIND libraries first (the slow part)
fi

# ------------------------------------------------------------ (6) gluff
build_gluff() {
  cd "$GLUFF_DIR"
  # libmariadb-dev-compat provides mysql/mysql.h and libmysqlclient.so, which gluff's configure
  # looks for. Batch limit 1000 (the default) needs sqlite3 with SQLITE_ENABLE_UPDATE_DELETE_LIMIT,
  # which Debian's libsqlite3 has (checked below).
  sqlite3 :memory: 'pragma compile_options' | grep -q ENABLE_UPDATE_DELETE_LIMIT
  ./configure --prefix="$PREFIX"
  make
}
step gluff-build build_gluff

# ------------------------------------------------------------ (7) install and check
install_all() {
  install -d "$PREFIX/bin" "$PREFIX/share/gluff"
  install -m 0755 "$DHCP_DIR/server/dhcpd" "$PREFIX/bin/dhcpd"
  install -m 0755 "$GLUFF_DIR/gluff" "$PREFIX/bin/gluff"
  install -m 0644 "$GLUFF_DIR/dhcpd_leases.sql" "$PREFIX/share/gluff/dhcpd_leases.sql"
  cat > "$PREFIX/BUILD-INFO" <<EOF
built $(date -u +%Y-%m-%dT%H:%M:%SZ) by gluff-verify specs/build-gluff-rig.sh
isc-dhcp: Debian source $(cd "$DHCP_DIR" && dpkg-parsechangelog -S Version) + Gluff dhcp-4.4.1-ldb.patch (source hunks)
gluff: $GLUFF_COMMIT from $GLUFF_SRC
EOF
}
check_all() {
  local d="$PREFIX/bin/dhcpd" g="$PREFIX/bin/gluff"
  echo "== $d"; "$d" --version 2>&1 || true
  # The patch adds -ldb to the argument parser but not to the usage text, so the proof is in the
  # binary: the option string, the queue table and the banner.
  "$d" --help 2>&1 | head -5 || true
  # (strings go to a file first: `strings | grep -m1` would die of SIGPIPE under pipefail)
  local s; s="$(mktemp)"
  strings "$d" > "$s"
  grep -x -- '-ldb' "$s"
  grep 'CREATE TABLE IF NOT EXISTS lease_queue' "$s"
  grep 'Lease queue patch by Hans Liss' "$s"
  ldd "$d" | grep libsqlite3
  echo "== $g"; ldd "$g" | grep -E 'libsqlite3|libmariadb'
  strings "$g" > "$s"
  grep 'claimed=0' "$s"
  rm -f "$s"
}
step install install_all
step check check_all
cat "$BUILD/logs/check.log"
say "done: $PREFIX/bin/dhcpd and $PREFIX/bin/gluff (logs in $BUILD/logs)"
exit 0
}
