#!/usr/bin/env bash
# What `make test` runs after installing: start the infrastructure the tests need (on the test
# ports), lint, type-check, run every test, and stop what it started — also when something fails.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
BIN="$ROOT/.venv/bin"

stop_all() {
  "$BIN/python" tools/dev/stack.py down --quiet 2>/dev/null || true
  for s in kafka postgres redis; do tools/infra/$s.sh stop || true; done
}
trap stop_all EXIT
trap 'exit 130' INT TERM

set -e
# A clean slate every run: a fresh database, broker log and Redis, so results never depend on a
# previous run. (Kafka's jars live outside the state folder and are kept.)
stop_all 2>/dev/null
rm -rf "${HERALD_STATE_DIR:?}"
for s in kafka postgres redis; do tools/infra/$s.sh start; done
set +e

status=0
echo "== ruff"; "$BIN/ruff" check . && "$BIN/ruff" format --check . || status=1
echo "== mypy"; "$BIN/mypy" libs/common/src services/*/src tools/platform-emulator/src tools/dev tools/chaos || status=1
echo "== web (tsc, vitest)"; (cd web && npx tsc -b && npx vitest run) || status=1
# pytest's 5 means "no tests collected": that is a failure here, never a silent pass.
if [ $# -gt 0 ]; then
  echo "== pytest"; "$BIN/pytest" -p no:cacheprovider "$@" || status=1
else
  # The chaos run crashes the shared Kafka and PostgreSQL, so it goes last and on its own: whatever
  # it leaves behind cannot fail other tests, and its report (seed, timeline, verdict) ends the output.
  echo "== pytest"; "$BIN/pytest" -p no:cacheprovider --ignore=tests/chaos --durations=15 || status=1
  echo "== chaos"; "$BIN/pytest" -p no:cacheprovider -rA tests/chaos || status=1
fi
exit $status
