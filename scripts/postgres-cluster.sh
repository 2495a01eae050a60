#!/usr/bin/env bash
# A private PostgreSQL 15 cluster for the tests and benchmarks (never the system's service):
# its own data folder, its own port on loopback, its own socket folder, stopped by `stop`.
#
#   scripts/postgres-cluster.sh start   # prints the URL to use as EFTERHAND_TEST_DATABASE_URL
#   scripts/postgres-cluster.sh stop
#   scripts/postgres-cluster.sh url
#
# initdb refuses to run as root, so as root the cluster belongs to `nobody` (a folder it owns).
# PG_CLUSTER_DIR (default /tmp/efterhand-postgres) and PG_PORT (default 55432) move it.
set -euo pipefail

BIN=/usr/lib/postgresql/15/bin
DIR=${PG_CLUSTER_DIR:-/tmp/efterhand-postgres}
PORT=${PG_PORT:-55432}
USER_NAME=efterhand
URL="postgres://$USER_NAME@127.0.0.1:$PORT/$USER_NAME"

as_owner() {
    if [ "$(id -u)" = 0 ]; then
        su -s /bin/sh nobody -c "$*"
    else
        sh -c "$*"
    fi
}

case "${1:-}" in
start)
    [ -x "$BIN/initdb" ] || { echo "no PostgreSQL 15 in $BIN (apt-get install postgresql-15)" >&2; exit 1; }
    if [ ! -f "$DIR/data/PG_VERSION" ]; then
        rm -rf "$DIR"
        mkdir -p "$DIR"
        [ "$(id -u)" = 0 ] && chown nobody:nogroup "$DIR"
        as_owner "$BIN/initdb -D '$DIR/data' -A trust -U $USER_NAME -E UTF8 --locale=C.UTF-8 >'$DIR/initdb.log'"
    fi
    if ! as_owner "$BIN/pg_ctl -D '$DIR/data' status" >/dev/null 2>&1; then
        # fsync off: a test cluster that a crash may lose (the tests make their own databases).
        as_owner "$BIN/pg_ctl -D '$DIR/data' -l '$DIR/server.log' -w -t 60 \
            -o \"-p $PORT -k '$DIR' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" start" >/dev/null
    fi
    as_owner "$BIN/psql -h 127.0.0.1 -p $PORT -U $USER_NAME -d postgres -tAc \"SELECT 1 FROM pg_database WHERE datname = '$USER_NAME'\"" | grep -q 1 \
        || as_owner "$BIN/createdb -h 127.0.0.1 -p $PORT -U $USER_NAME $USER_NAME"
    echo "$URL"
    ;;
stop)
    if [ -f "$DIR/data/PG_VERSION" ]; then
        as_owner "$BIN/pg_ctl -D '$DIR/data' -m fast -w stop" >/dev/null 2>&1 || true
    fi
    ;;
url)
    echo "$URL"
    ;;
*)
    echo "usage: $0 start|stop|url" >&2
    exit 2
    ;;
esac
