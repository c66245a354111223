#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster for tests and print its URL on stdout.
# Usage: eval "$(scripts/pg-throwaway.sh start DIR)"   -> exports PAPERFEED_TEST_POSTGRES_URL
#        scripts/pg-throwaway.sh stop DIR
set -euo pipefail
cmd=${1:-start}
dir=${2:-/tmp/paperfeed-pg}
port=${PAPERFEED_TEST_PG_PORT:-54329}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [[ -z "$bindir" ]]; then
  echo "pg-throwaway: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 1
fi
# PostgreSQL refuses to run as root; use the 'postgres' system user when we are root.
as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$cmd" in
  start)
    if [[ ! -f "$dir/PG_VERSION" ]]; then
      mkdir -p "$dir"
      [[ $(id -u) == 0 ]] && chown postgres:postgres "$dir"
      as_pg "$bindir/initdb" -D "$dir" -U paperfeed --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    # max_connections: tests/accounts/test_concurrency.py opens 300 connections at one barrier (one per
    # thread) beside the test process's own; at 200, a run where they overlapped failed with "too many
    # clients" (a fresh clone's CI, 2026-12-02).
    if ! as_pg "$bindir/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      as_pg "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
        -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" start >/dev/null
    fi
    echo "export PAPERFEED_TEST_POSTGRES_URL=postgres://paperfeed@127.0.0.1:$port/paperfeed"
    ;;
  stop)
    as_pg "$bindir/pg_ctl" -D "$dir" -m fast stop >/dev/null 2>&1 || true
    ;;
esac
