"""Runs Herald locally as separate processes: `dev` (foreground), `up`, `down`, `status`, `token`.

Infrastructure comes from tools/infra; every service runs from its own entry point with its
settings in the environment, logs to <state>/logs/<name>.log and a pid file in <state>/run.
"""

from __future__ import annotations

import argparse
import contextlib
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
SERVICE_GRACE_S = 5.0  # what each service may spend finishing in-flight work on SIGTERM
STOP_GRACE_S = 7.0  # then the stack kills what is left, so a stop ends within ~10 s
KILL_WAIT_S = 3.0


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
    scripts = [str(ROOT / "tools" / "infra" / f"{name}.sh") for name in ("kafka", "postgres", "redis")]
    if action == "stop":  # independent of each other: stop them together
        running = [
            subprocess.Popen([script, "stop"], stderr=subprocess.DEVNULL if quiet else None)
            for script in scripts
        ]
        for proc in running:
            proc.wait()
        return
    for script in scripts:
        subprocess.run([script, action], check=True, stderr=subprocess.DEVNULL if quiet else None)


def alive(pid: int) -> bool:
    """True while the process runs. One that exited is dead also while it waits as a zombie for
    its parent to collect it (`os.kill(pid, 0)` would still succeed then)."""
    reap()
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:  # no /proc (macOS): signal 0 is the best we have
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def _is_ours(pid: int, p: Proc) -> bool:
    """The pid still belongs to this process, not to an unrelated one that got the number later."""
    try:
        return p.command in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except FileNotFoundError:
        return False
    except OSError:
        return True


def read_pid(p: Proc) -> int | None:
    try:
        pid = int(p.pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if alive(pid) and _is_ours(pid, p) else None


# Processes this invocation started. Collected as soon as they end, so none lingers as a zombie.
_children: dict[int, subprocess.Popen[bytes]] = {}


def reap() -> None:
    for pid, child in list(_children.items()):
        if child.poll() is not None:
            del _children[pid]


def ready(p: Proc) -> tuple[bool, str]:
    path = "/health/ready" if p.name != "platform-emulator" else "/health/live"
    try:
        with urllib.request.urlopen(p.url + path, timeout=2) as resp:  # noqa: S310 (loopback URL we built)
            return resp.status == 200, "ready"
    except urllib.error.HTTPError as exc:
        return False, exc.read().decode(errors="replace")[:200]
    except OSError as exc:
        return False, str(getattr(exc, "reason", exc))


def start(p: Proc) -> bool:
    """Start the process unless it runs; True when this call started it."""
    if read_pid(p):
        return False
    exe = BIN / p.command
    if not exe.exists():
        print(f"  {p.name}: {exe} is missing — run `make install`", file=sys.stderr)
        return False
    env = {**ENV, "HERALD_SERVICE_NAME": p.name, "HERALD_HTTP_PORT": str(p.port), **dict(p.env)}
    env.setdefault("HERALD_LOG_JSON", "true")
    # In-flight work gets a grace period that fits inside the stack's own stop deadline.
    env.setdefault("HERALD_SHUTDOWN_GRACE_SECONDS", str(SERVICE_GRACE_S))
    if trace_dir := ENV.get("HERALD_TRACE_DIR"):  # spans as JSON lines, one file per process
        env["HERALD_TRACE_FILE"] = str(Path(trace_dir) / f"{p.name}.jsonl")
    with (LOGS / f"{p.name}.log").open("ab") as log:
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
    _children[proc.pid] = proc
    p.pidfile.write_text(str(proc.pid))
    return True


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)  # its own session: the group id is its pid
    except OSError:
        with contextlib.suppress(OSError):
            os.kill(pid, sig)


def _wait_gone(pids: dict[Proc, int], deadline: float) -> dict[Proc, int]:
    """Waits until the processes are gone or the deadline passes; returns those still running."""
    pending = dict(pids)
    while pending and time.monotonic() < deadline:
        pending = {p: pid for p, pid in pending.items() if alive(pid)}
        if pending:
            time.sleep(0.05)
    return pending


def stop_many(procs: list[Proc], grace: float = STOP_GRACE_S, sig: signal.Signals = signal.SIGTERM) -> None:
    """Signal every process at once, wait for them together, SIGKILL whoever is left at the deadline."""
    running = {p: pid for p in procs if (pid := read_pid(p))}
    for pid in running.values():
        _signal_group(pid, sig)
    left = _wait_gone(running, time.monotonic() + grace)
    for p, pid in left.items():
        print(f"  {p.name} still running {grace:g}s after {sig.name}; killing it", file=sys.stderr)
        _signal_group(pid, signal.SIGKILL)
    for p in _wait_gone(left, time.monotonic() + KILL_WAIT_S):
        print(f"  {p.name} did not die after SIGKILL", file=sys.stderr)
    for p in procs:
        p.pidfile.unlink(missing_ok=True)


def stop(p: Proc, grace: float = STOP_GRACE_S, sig: signal.Signals = signal.SIGTERM) -> None:
    stop_many([p], grace, sig)


def _log_tail(p: Proc, lines: int = 15) -> str:
    try:
        return "\n".join((LOGS / f"{p.name}.log").read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_ready(procs: list[Proc], launched: set[str] | None = None) -> bool:
    """Waits until every process is ready. One found dead that this call did not start (it was
    still dying from a kill when `start` looked) is started now; one that we started and that
    died is reported with the end of its log."""
    launched = set(launched or ())
    deadline = time.monotonic() + READY_TIMEOUT
    pending = list(procs)
    while pending and time.monotonic() < deadline:
        pending = [p for p in pending if not ready(p)[0]]
        for p in pending:
            if read_pid(p):
                continue
            if p.name not in launched and start(p):
                launched.add(p.name)
                continue
            print(f"  {p.name} exited; see {LOGS / (p.name + '.log')}:\n{_log_tail(p)}", file=sys.stderr)
            return False
        if pending:
            time.sleep(0.2)
    for p in pending:
        print(f"  {p.name} not ready after {READY_TIMEOUT:g}s: {ready(p)[1]}", file=sys.stderr)
    return not pending


def cmd_up(_: argparse.Namespace) -> int:
    for d in (LOGS, RUN):
        d.mkdir(parents=True, exist_ok=True)
    infra("start")
    procs = [p for p in processes() if (BIN / p.command).exists()]
    launched = {p.name for p in procs if start(p)}
    ok = wait_ready(procs, launched)
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
    stop_many(processes())
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
    stop_many(by_name(args.names), sig=signal.SIGKILL if args.kill else signal.SIGTERM)
    return 0


def cmd_kill(args: argparse.Namespace) -> int:
    """SIGKILL (a crash) and wait until the processes are gone, so a `start` right after finds them dead."""
    stop_many(by_name(args.names), grace=KILL_WAIT_S, sig=signal.SIGKILL)
    return 0


def cmd_start(args: argparse.Namespace) -> int:
    procs = by_name(args.names)
    launched = {p.name for p in procs if start(p)}
    return 0 if wait_ready(procs, launched) else 1


def cmd_restart(args: argparse.Namespace) -> int:
    procs = by_name(args.names)
    stop_many(procs, sig=signal.SIGKILL if args.kill else signal.SIGTERM)
    launched = {p.name for p in procs if start(p)}
    return 0 if wait_ready(procs, launched) else 1


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
        reap()  # a service that dies is collected at once, not left as a zombie
        time.sleep(0.5)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the stop short
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
    kill_one = sub.add_parser("kill", help="SIGKILL some processes and wait until they are gone")
    kill_one.add_argument("names", nargs="+")
    kill_one.set_defaults(fn=cmd_kill)
    restart = sub.add_parser("restart", help="stop (or --kill) some processes, start them, wait until ready")
    restart.add_argument("names", nargs="+")
    restart.add_argument("--kill", action="store_true", help="SIGKILL instead of SIGTERM")
    restart.set_defaults(fn=cmd_restart)
    token = sub.add_parser("token")
    token.add_argument("--business-id", type=int, default=1)
    token.set_defaults(fn=cmd_token)
    args = parser.parse_args()
    return int(args.fn(args))


if __name__ == "__main__":
    sys.exit(main())
