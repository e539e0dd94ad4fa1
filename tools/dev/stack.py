"""Runs Herald locally as separate processes: `dev` (foreground), `up`, `down`, `status`, `token`.

Infrastructure comes from tools/infra; every service runs from its own entry point with its
settings in the environment, logs to <state>/logs/<name>.log and a pid file in <state>/run.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))
from devauth import dev_token, ensure_encryption_key, ensure_signing_key  # noqa: E402

ENV = os.environ
STATE = Path(ENV.get("HERALD_STATE_DIR", ROOT / ".herald" / "dev"))
LOGS, RUN = STATE / "logs", STATE / "run"
OFFSET = int(ENV.get("HERALD_PORT_OFFSET", "0"))
BIN = ROOT / ".venv" / "bin"
READY_TIMEOUT = 120.0
WEB_DIST = ROOT / "web" / "dist"


@dataclass(frozen=True)
class Proc:
    name: str
    command: str
    port: int
    env: tuple[tuple[str, str], ...] = ()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pidfile(self) -> Path:
        return RUN / f"{self.name}.pid"


def emulator_url() -> str:
    return f"http://127.0.0.1:{8090 + OFFSET}"


def processes() -> list[Proc]:
    # The publishers speak to the emulator with its demo accounts' tokens (see its README).
    # Connected accounts live in PostgreSQL, sealed with the dev keyring; `up` seeds the demo ones.
    accounts_env = (
        ("HERALD_TOKEN_ENCRYPTION_KEYS", ensure_encryption_key(STATE)),
        ("HERALD_LINKEDIN_API_BASE_URL", emulator_url()),
        ("HERALD_TWITTER_API_BASE_URL", emulator_url()),
        ("HERALD_GRAPH_API_BASE_URL", emulator_url()),
        # The OAuth clients: the gateway connects accounts, the publishers refresh their tokens.
        ("HERALD_OAUTH_REDIRECT_BASE_URL", f"http://127.0.0.1:{8000 + OFFSET}"),
        ("HERALD_LINKEDIN_OAUTH_BASE_URL", emulator_url()),
        ("HERALD_TWITTER_OAUTH_BASE_URL", emulator_url()),
        ("HERALD_META_DIALOG_BASE_URL", emulator_url()),
        # Demo OAuth clients: the emulator accepts any id and secret (X: public client + PKCE).
        ("HERALD_TWITTER_CLIENT_ID", "herald-dev"),
        ("HERALD_LINKEDIN_CLIENT_ID", "herald-dev"),
        ("HERALD_LINKEDIN_CLIENT_SECRET", "herald-dev-secret"),
        ("HERALD_META_APP_ID", "1234567890"),
        ("HERALD_META_APP_SECRET", "herald-dev-secret"),
    )
    # Publishers read the connected accounts (seeded demo ones) and may fetch the emulator's sample media.
    platform_urls = (
        *accounts_env,
        ("HERALD_MEDIA_FETCH_ALLOW_HOSTS", f'["127.0.0.1:{8090 + OFFSET}"]'),
    )
    return [
        Proc(
            "platform-emulator",
            "herald-platform-emulator",
            8090 + OFFSET,
            (("HERALD_EMULATOR_PORT", str(8090 + OFFSET)),),
        ),
        Proc(
            "api-gateway",
            "herald-api-gateway",
            8000 + OFFSET,
            (
                *accounts_env,
                ("HERALD_AUTH_DEV_PUBLIC_KEY_FILE", str(ensure_signing_key(STATE)[1])),
                # The dashboard: its demo sign-in signs with the dev key; the build is served at /app/.
                ("HERALD_AUTH_DEV_SIGNING_KEY_FILE", str(ensure_signing_key(STATE)[0])),
                ("HERALD_OAUTH_SUCCESS_REDIRECT", "/app/connected"),
                *((("HERALD_WEB_DIST_DIR", str(WEB_DIST)),) if (WEB_DIST / "index.html").exists() else ()),
                ("HERALD_MEDIA_FETCH_ALLOW_HOSTS", f'["127.0.0.1:{8090 + OFFSET}"]'),
                # The gateway publishes the dev key as a JWKS and verifies through it, like a real provider's.
                ("HERALD_AUTH_JWKS_URL", f"http://127.0.0.1:{8000 + OFFSET}/dev/jwks.json"),
                # Webhook receivers on 127.0.0.1 (a developer's, the tests'): dev only, refused in prod.
                ("HERALD_WEBHOOKS_ALLOW_LOOPBACK", "true"),
            ),
        ),
        Proc("scheduler", "herald-scheduler", 8001 + OFFSET),
        Proc(
            "notifier",
            "herald-notifier",
            8005 + OFFSET,
            (
                ("HERALD_TOKEN_ENCRYPTION_KEYS", ensure_encryption_key(STATE)),
                ("HERALD_WEBHOOKS_ALLOW_LOOPBACK", "true"),
            ),
        ),
        Proc("publisher-linkedin", "herald-publisher-linkedin", 8002 + OFFSET, platform_urls),
        Proc("publisher-twitter", "herald-publisher-twitter", 8003 + OFFSET, platform_urls),
        Proc("publisher-meta", "herald-publisher-meta", 8004 + OFFSET, platform_urls),
    ]


def infra(action: str, quiet: bool = False) -> None:
    for name in ("kafka", "postgres", "redis") if action != "stop" else ("redis", "postgres", "kafka"):
        subprocess.run(
            [str(ROOT / "tools" / "infra" / f"{name}.sh"), action],
            check=action != "stop",
            stderr=subprocess.DEVNULL if quiet else None,
        )


def read_pid(p: Proc) -> int | None:
    try:
        pid = int(p.pidfile.read_text().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def ready(p: Proc) -> tuple[bool, str]:
    path = "/health/ready" if p.name != "platform-emulator" else "/health/live"
    try:
        with urllib.request.urlopen(p.url + path, timeout=2) as resp:  # noqa: S310 (loopback URL we built)
            return resp.status == 200, "ready"
    except urllib.error.HTTPError as exc:
        return False, exc.read().decode(errors="replace")[:200]
    except OSError as exc:
        return False, str(getattr(exc, "reason", exc))


def start(p: Proc) -> None:
    if read_pid(p):
        return
    exe = BIN / p.command
    if not exe.exists():
        print(f"  {p.name}: {exe} is missing — run `make install`", file=sys.stderr)
        return
    env = {**ENV, "HERALD_SERVICE_NAME": p.name, "HERALD_HTTP_PORT": str(p.port), **dict(p.env)}
    env.setdefault("HERALD_LOG_JSON", "true")
    if trace_dir := ENV.get("HERALD_TRACE_DIR"):  # spans as JSON lines, one file per process
        env["HERALD_TRACE_FILE"] = str(Path(trace_dir) / f"{p.name}.jsonl")
    log = (LOGS / f"{p.name}.log").open("ab")
    # A session of its own: Ctrl-C in the terminal reaches us, and we stop the services in order.
    proc = subprocess.Popen(
        [str(exe)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        cwd=ROOT,
    )
    p.pidfile.write_text(str(proc.pid))


def stop(p: Proc, grace: float = 20.0, sig: signal.Signals = signal.SIGTERM) -> None:
    pid = read_pid(p)
    if pid:
        os.kill(pid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except OSError:
                break
            time.sleep(0.1)
        else:
            print(f"  {p.name} ignored SIGTERM for {grace:g}s; killing it", file=sys.stderr)
            os.killpg(pid, signal.SIGKILL)
    p.pidfile.unlink(missing_ok=True)


def wait_ready(procs: list[Proc]) -> bool:
    deadline = time.monotonic() + READY_TIMEOUT
    pending = list(procs)
    while pending and time.monotonic() < deadline:
        pending = [p for p in pending if not ready(p)[0]]
        if pending:
            for p in pending:
                if not read_pid(p):
                    print(f"  {p.name} exited; see {LOGS / (p.name + '.log')}", file=sys.stderr)
                    return False
            time.sleep(0.5)
    for p in pending:
        print(f"  {p.name} not ready after {READY_TIMEOUT:g}s: {ready(p)[1]}", file=sys.stderr)
    return not pending


def cmd_up(_: argparse.Namespace) -> int:
    for d in (LOGS, RUN):
        d.mkdir(parents=True, exist_ok=True)
    infra("start")
    procs = [p for p in processes() if (BIN / p.command).exists()]
    for p in procs:
        start(p)
    ok = wait_ready(procs)
    if ok and any(p.name == "api-gateway" for p in procs):
        ok = seed_demo_accounts()
    print_status(procs)
    return 0 if ok else 1


def seed_demo_accounts() -> bool:
    """Connect the emulator's demo accounts to businesses 1 and 2 (idempotent)."""
    gateway = next(p for p in processes() if p.name == "api-gateway")
    env = {**ENV, **dict(gateway.env)}
    done = subprocess.run(
        [str(BIN / gateway.command), "seed-dev-accounts"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        print(f"  seeding the demo accounts failed:\n{done.stdout}{done.stderr}", file=sys.stderr)
    return done.returncode == 0


def cmd_down(args: argparse.Namespace) -> int:
    for p in reversed(processes()):
        stop(p)
    if not args.services_only:
        infra("stop", quiet=args.quiet)
    return 0


def print_status(procs: list[Proc] | None = None) -> None:
    print(f"{'process':<20} {'pid':>7}  {'url':<24} readiness")
    for p in procs or processes():
        pid = read_pid(p)
        state = ready(p)[1] if pid else "stopped"
        print(f"{p.name:<20} {pid or '-':>7}  {p.url:<24} {state}")


def cmd_status(_: argparse.Namespace) -> int:
    infra("status")
    print_status()
    return 0


def by_name(names: list[str]) -> list[Proc]:
    known = {p.name: p for p in processes()}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"unknown process(es): {', '.join(unknown)}; known: {', '.join(known)}")
    return [known[n] for n in names]


def cmd_stop(args: argparse.Namespace) -> int:
    """Stop single processes; --kill sends SIGKILL (a crash), for failure drills and tests."""
    for p in by_name(args.names):
        stop(p, sig=signal.SIGKILL if args.kill else signal.SIGTERM)
    return 0


def cmd_start(args: argparse.Namespace) -> int:
    procs = by_name(args.names)
    for p in procs:
        start(p)
    return 0 if wait_ready(procs) else 1


def cmd_token(args: argparse.Namespace) -> int:
    print(dev_token(STATE, args.business_id))
    return 0


def cmd_dev(args: argparse.Namespace) -> int:
    if cmd_up(args) != 0:
        cmd_down(argparse.Namespace(quiet=False, services_only=False))
        return 1
    gateway = 8000 + OFFSET
    print(
        f"""
Herald is running.

  Dashboard: http://127.0.0.1:{gateway}/app/   (one click signs you in to demo business 1 or 2)

Or try the API:

  export TOKEN={dev_token(STATE, 1)}
  curl -s -X POST http://127.0.0.1:{gateway}/api/v2/publish -H "Authorization: Bearer $TOKEN" \\
       -H 'Content-Type: application/json' -d '{{"content": "Hello from Herald", "platforms": ["linkedin", "twitter"]}}'
  curl -s http://127.0.0.1:{gateway}/api/v2/posts/<id from above> -H "Authorization: Bearer $TOKEN"
  curl -s {emulator_url()}/_emulator/twitter/posts      # what the platforms received

API docs: http://127.0.0.1:{gateway}/docs   logs: {LOGS}/   token for business 2: make token BUSINESS_ID=2
Press Ctrl-C to stop everything.""",
        flush=True,
    )
    stopping = False

    def on_signal(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    while not stopping:
        time.sleep(0.5)
    print("\nstopping…", flush=True)
    return cmd_down(argparse.Namespace(quiet=False, services_only=False))


def main() -> int:
    parser = argparse.ArgumentParser(prog="stack")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("dev").set_defaults(fn=cmd_dev)
    sub.add_parser("up").set_defaults(fn=cmd_up)
    down = sub.add_parser("down")
    down.add_argument("--quiet", action="store_true")
    down.add_argument("--services-only", action="store_true")
    down.set_defaults(fn=cmd_down)
    sub.add_parser("status").set_defaults(fn=cmd_status)
    sub.add_parser("seed", help="connect the emulator's demo accounts again").set_defaults(
        fn=lambda _: 0 if seed_demo_accounts() else 1
    )
    stop_one = sub.add_parser("stop", help="stop some processes of a running stack")
    stop_one.add_argument("names", nargs="+")
    stop_one.add_argument("--kill", action="store_true", help="SIGKILL instead of SIGTERM")
    stop_one.set_defaults(fn=cmd_stop)
    start_one = sub.add_parser("start", help="start some processes of a running stack")
    start_one.add_argument("names", nargs="+")
    start_one.set_defaults(fn=cmd_start)
    token = sub.add_parser("token")
    token.add_argument("--business-id", type=int, default=1)
    token.set_defaults(fn=cmd_token)
    args = parser.parse_args()
    return int(args.fn(args))


if __name__ == "__main__":
    sys.exit(main())
