#!/usr/bin/env bash
# Installs everything Herald needs on a fresh machine; idempotent and quick when already done.
#   uv (pinned, in a project-local venv) -> the Python workspace from uv.lock -> redis-server -> Kafka jars
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
UV_VERSION="0.13.9"
TOOLS="$ROOT/.herald/tools"
UV="$TOOLS/bin/uv"

say() { printf '[bootstrap] %s\n' "$*" >&2; }

command -v python3 >/dev/null || { say "python3 (3.11+) is required"; exit 1; }
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { say "Python 3.11+ is required"; exit 1; }

if [ ! -x "$UV" ] || [ "$("$UV" --version | awk '{print $2}')" != "$UV_VERSION" ]; then
  say "installing uv $UV_VERSION into $TOOLS"
  python3 -m venv "$TOOLS"
  "$TOOLS/bin/pip" install -q --disable-pip-version-check "uv==$UV_VERSION"
fi

# The workspace venv, exactly as locked; no Python downloads (the machine's 3.11 is used).
UV_PYTHON_DOWNLOADS=never "$UV" sync --frozen --all-packages --quiet --project "$ROOT"

# The AsyncAPI initiative's own parser checks the generated event contract (tests); from the lockfile.
command -v npm >/dev/null || { say "npm (Node.js 20+) is required"; exit 1; }
if [ ! -f "$ROOT/tools/asyncapi-check/node_modules/.package-lock.json" ] \
  || [ "$ROOT/tools/asyncapi-check/package-lock.json" -nt "$ROOT/tools/asyncapi-check/node_modules/.package-lock.json" ]; then
  npm ci --prefix "$ROOT/tools/asyncapi-check" --no-audit --no-fund --loglevel=error >&2
fi

"$ROOT/tools/infra/redis.sh" install
"$ROOT/tools/infra/kafka.sh" install
command -v pg_ctl >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
  || { say "PostgreSQL server binaries are missing (apt-get install postgresql)"; exit 1; }
# Deployment validation tools for tests/deploy (kustomize, Prometheus' rule parser, the Compose
# specification schema), built from the Go module proxy into $TOOLS/bin; skipped when already there.
KUSTOMIZE_VERSION="v5.8.1"; COMPOSE_GO_VERSION="v2.16.2"
if command -v go >/dev/null; then
  if ! "$TOOLS/bin/kustomize" version 2>/dev/null | grep -q "$KUSTOMIZE_VERSION"; then
    say "installing kustomize $KUSTOMIZE_VERSION"
    GOBIN="$TOOLS/bin" go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
  fi
  if [ ! -x "$TOOLS/bin/promql-check" ] || [ "$ROOT/deploy/tools/promql-check/go.sum" -nt "$TOOLS/bin/promql-check" ] \
    || [ "$ROOT/deploy/tools/promql-check/main.go" -nt "$TOOLS/bin/promql-check" ]; then
    say "building promql-check"
    (cd "$ROOT/deploy/tools/promql-check" && GOBIN="$TOOLS/bin" go install .)
  fi
  go mod download "github.com/compose-spec/compose-go/v2@$COMPOSE_GO_VERSION"
else
  say "go is missing: tests/deploy will skip what needs kustomize and promql-check"
fi
# The dashboard (web/): Node packages exactly as locked, the build the gateway serves at /app/
# (rebuilt when a source is newer), and Debian's Chromium for its browser tests.
WEB="$ROOT/web"
if command -v npm >/dev/null; then
  if [ ! -f "$WEB/node_modules/.package-lock.json" ] || [ "$WEB/package-lock.json" -nt "$WEB/node_modules/.package-lock.json" ]; then
    say "installing the dashboard's packages (npm ci)"
    (cd "$WEB" && npm ci --no-audit --no-fund --loglevel=error)
  fi
  if [ ! -f "$WEB/dist/index.html" ] || [ -n "$(find "$WEB/src" "$WEB/index.html" "$WEB/public" "$WEB/vite.config.ts" \
      "$WEB/package-lock.json" -newer "$WEB/dist/index.html" -print -quit)" ]; then
    say "building the dashboard (npm run build)"
    (cd "$WEB" && npm run --silent build >/dev/null)
  fi
else
  say "npm is missing: the dashboard is not built (apt-get install nodejs npm)"
fi
if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Chromium for the dashboard's browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    say "chromium is missing: the dashboard's browser tests will fail (apt-get install chromium)"
  fi
fi
say "ready"
