#!/usr/bin/env bash
# Starts the local MariaDB server if it is not answering, and waits until it does.
# Integration tests create their own database and users through root's unix socket.
set -euo pipefail
if mariadb-admin ping --silent >/dev/null 2>&1; then exit 0; fi
if ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
  echo "ensure-mariadb: MariaDB is not installed; run: apt-get update && apt-get install -y mariadb-server" >&2
  exit 3
fi
mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
for _ in $(seq 1 60); do
  if mariadb-admin ping --silent >/dev/null 2>&1; then exit 0; fi
  sleep 0.5
done
echo "ensure-mariadb: MariaDB did not answer within 30 s" >&2
exit 3
