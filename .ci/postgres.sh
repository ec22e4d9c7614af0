#!/usr/bin/env bash
# Installs (if needed) and starts a local PostgreSQL for the database tests, and prints the URL
# the tests use. Loopback only; a throw-away cluster in the data folder NSRA_PG_DATA (default:
# /tmp/nsra-pg) on the port NSRA_PG_PORT (default: 55432). Stop it with `.ci/postgres.sh stop`
# and the same NSRA_PG_DATA. .ci/run gives each run its own folder and a free port, and stops
# its cluster at exit.
set -euo pipefail
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
DATA=${NSRA_PG_DATA:-/tmp/nsra-pg}
id -u postgres >/dev/null 2>&1 || useradd -r -m postgres
if [ "${1:-}" = "stop" ]; then
  su postgres -c "$BIN/pg_ctl -D $DATA -m fast -w stop" >/dev/null 2>&1 || true
  exit 0
fi
PORT=${NSRA_PG_PORT:-55432}
if [ ! -f "$DATA/PG_VERSION" ]; then
  mkdir -p "$DATA"; chown postgres "$DATA"; chmod 700 "$DATA"
  su postgres -c "$BIN/initdb -D $DATA -A trust -U postgres" >/dev/null
fi
if ! su postgres -c "$BIN/pg_ctl -D $DATA status" >/dev/null 2>&1; then
  su postgres -c "$BIN/pg_ctl -D $DATA -l $DATA/log -o '-p $PORT -k $DATA -c listen_addresses=127.0.0.1' -w start" >/dev/null
fi
su postgres -c "$BIN/psql -h 127.0.0.1 -p $PORT -tc \"SELECT 1 FROM pg_database WHERE datname='nsra_test'\"" | grep -q 1 \
  || su postgres -c "$BIN/createdb -h 127.0.0.1 -p $PORT nsra_test"
echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/nsra_test"
