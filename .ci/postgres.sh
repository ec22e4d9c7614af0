#!/usr/bin/env bash
# Installs (if needed) and starts a local PostgreSQL for the database tests, and prints the URL
# the tests use. Loopback only; a throw-away cluster in a temporary folder.
set -euo pipefail
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
DATA=${NSRA_PG_DATA:-/tmp/nsra-pg}
PORT=${NSRA_PG_PORT:-55432}
id -u postgres >/dev/null 2>&1 || useradd -r -m postgres
if [ ! -f "$DATA/PG_VERSION" ]; then
  rm -rf "$DATA"; mkdir -p "$DATA"; chown postgres "$DATA"
  su postgres -c "$BIN/initdb -D $DATA -A trust -U postgres" >/dev/null
fi
if ! su postgres -c "$BIN/pg_ctl -D $DATA status" >/dev/null 2>&1; then
  su postgres -c "$BIN/pg_ctl -D $DATA -l $DATA/log -o '-p $PORT -k /tmp -c listen_addresses=127.0.0.1' -w start" >/dev/null
fi
su postgres -c "$BIN/psql -h 127.0.0.1 -p $PORT -tc \"SELECT 1 FROM pg_database WHERE datname='nsra_test'\"" | grep -q 1 \
  || su postgres -c "$BIN/createdb -h 127.0.0.1 -p $PORT nsra_test"
echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/nsra_test"
