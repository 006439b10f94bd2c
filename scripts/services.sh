#!/usr/bin/env bash
# Install and start what the tests use beyond Python: Debian's Chromium (browser tests) and
# PostgreSQL (storage tests). Prints `export VEILLE_TEST_PG=...` for the caller to eval.
# Needs root and apt-get (a fresh CI machine has both); elsewhere it prints nothing and
# those tests are skipped with their reason.
set -euo pipefail
log=$(mktemp)
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then exit 0; fi
missing=()
command -v chromium >/dev/null || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} from Debian's packages..." >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >"$log" 2>&1 \
    || { cat "$log" >&2; exit 1; }
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h 2>/dev/null | grep -q "^$version main"; then
  pg_createcluster "$version" main >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
fi
pg_ctlcluster "$version" main start >"$log" 2>&1 || pg_ctlcluster "$version" main status >/dev/null 2>&1 \
  || { cat "$log" >&2; exit 1; }
port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')
su postgres -c "psql -q -p $port -tc \"SELECT 1 FROM pg_roles WHERE rolname='veille'\"" | grep -q 1 \
  || su postgres -c "psql -q -p $port -c \"CREATE ROLE veille LOGIN SUPERUSER PASSWORD 'veille'\"" >/dev/null
echo "export VEILLE_TEST_PG=postgresql://veille:veille@127.0.0.1:$port/postgres"
