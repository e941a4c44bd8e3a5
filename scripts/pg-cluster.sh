#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks.
#
#   eval "$(bash scripts/pg-cluster.sh start)"   # exports SALES_PIPELINES_PG_URL and SALES_PIPELINES_PG_DIR
#   bash scripts/pg-cluster.sh stop              # stops the cluster in $SALES_PIPELINES_PG_DIR, deletes it
#
# start installs Debian's postgresql package if no server is found, runs initdb in a new temporary
# directory as the unprivileged `postgres` user (as root) or the current user, starts the server
# on 127.0.0.1 on a free port with trust authentication (nothing listens beyond loopback), creates
# a database and prints the two export lines. Diagnostics go to stderr.
set -euo pipefail

find_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return 0; fi
  return 1
}

as_owner() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local bin
  if ! bin=$(find_bin); then
    echo "pg-cluster: installing postgresql (Debian package)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    bin=$(find_bin)
  fi
  if [ "$(id -u)" = "0" ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
  fi
  local dir port
  dir=$(mktemp -d /tmp/sales-pipelines-pg.XXXXXX)
  chmod 700 "$dir"
  if [ "$(id -u)" = "0" ]; then chown postgres "$dir"; fi
  port=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null 2>"$dir/initdb.log" \
    || as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >/dev/null 2>>"$dir/initdb.log"
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=100 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >&2
  as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres sales_pipelines
  echo "export SALES_PIPELINES_PG_URL=postgres://postgres@127.0.0.1:$port/sales_pipelines"
  echo "export SALES_PIPELINES_PG_DIR=$dir"
}

stop() {
  local dir=${1:-${SALES_PIPELINES_PG_DIR:-}}
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then echo "pg-cluster: no cluster directory to stop" >&2; return 0; fi
  local bin
  bin=$(find_bin)
  if [ -f "$dir/data/postmaster.pid" ]; then as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true; fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 start | stop [dir]" >&2; exit 2 ;;
esac
