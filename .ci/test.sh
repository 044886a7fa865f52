#!/usr/bin/env bash
# `make test`: set up what is missing (the venv with the test extras, the Debian packages; both
# at once), lint, start a throwaway PostgreSQL, then every tier in one pytest run spread over
# the machine's cores (pytest-xdist). Ends with the time each step took; pytest's own summary
# above it gives each tier's wall time.
#   PYTEST_ARGS  extra pytest arguments        WORKERS  xdist workers (default: cores + 1)
set -euo pipefail
cd "$(dirname "$0")/.."
make_=${MAKE:-make}
steps=()
step() { # step NAME SECONDS
  steps+=("$(printf '%-34s %4d s' "$1" "$2")")
}
t0=$SECONDS

t=$SECONDS
log=$(mktemp)
bash .ci/system-deps.sh >"$log" 2>&1 &
deps=$!
$make_ --no-print-directory -s venv-test
wait "$deps" || { cat "$log" >&2; rm -f "$log"; exit 1; }
cat "$log"; rm -f "$log"
step "set-up (venv, Debian packages)" $((SECONDS - t))

t=$SECONDS
pgdir=$(mktemp -d /tmp/urbdash-pg.XXXXXX)
trap 'bash .ci/pg.sh stop "$pgdir"' EXIT
url=$(bash .ci/pg.sh start "$pgdir")
echo "PostgreSQL for the store tests: $url"
step "PostgreSQL start" $((SECONDS - t))

t=$SECONDS
$make_ --no-print-directory -s lint
step "lint (ruff)" $((SECONDS - t))

t=$SECONDS
status=0
URBDASH_TEST_PG_URL=$url .venv/bin/python -m pytest -ra -n "${WORKERS:-$(($(nproc) + 1))}" ${PYTEST_ARGS:-} || status=$?
step "pytest (every tier)" $((SECONDS - t))

echo
echo "make test: time per step"
printf '  %s\n' "${steps[@]}"
printf '  %-34s %4d s\n' "total" $((SECONDS - t0))
exit $status
