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

"$ROOT/tools/infra/redis.sh" install
"$ROOT/tools/infra/kafka.sh" install
command -v pg_ctl >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
  || { say "PostgreSQL server binaries are missing (apt-get install postgresql)"; exit 1; }
say "ready"
