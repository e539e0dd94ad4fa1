"""Helpers of the deployment tests: the repository's services, rendered manifests, the tools."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / ".herald" / "tools" / "bin"
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("dev", "prod")
COMPOSE_GO_VERSION = "v2.16.2"  # as tools/bootstrap.sh downloads it


@dataclass(frozen=True)
class Service:
    """A deployable: its folder, package, console script and HTTP port (from its settings)."""

    name: str
    folder: Path
    package: str
    script: str
    port: int


def _service(folder: Path, port: int) -> Service:
    project = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
    (script,) = project["scripts"]
    return Service(folder.name, folder, project["name"], script, port)


def _port_of(folder: Path) -> int:
    for settings in (folder / "src").glob("*/settings.py"):
        for line in settings.read_text().splitlines():
            if line.strip().startswith("http_port: int ="):
                return int(line.split("=")[1])
    raise AssertionError(f"no http_port default in {folder}/src/*/settings.py")


SERVICES = [
    _service(d, _port_of(d)) for d in sorted((ROOT / "services").iterdir()) if (d / "pyproject.toml").exists()
]
EMULATOR = _service(ROOT / "tools" / "platform-emulator", 8090)


def tool(name: str) -> Path:
    path = TOOLS / name
    if not path.exists():
        pytest.skip(f"{path} is missing: run tools/bootstrap.sh (needs Go)")
    return path


def load_all(text: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


def render_overlays() -> dict[str, list[dict[str, Any]]]:
    """Every overlay rendered by kustomize: overlay name -> objects."""
    kustomize = tool("kustomize")
    out = {}
    for overlay in OVERLAYS:
        result = subprocess.run(
            [str(kustomize), "build", str(K8S / "overlays" / overlay)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"kustomize build {overlay}: {result.stderr}"
        out[overlay] = load_all(result.stdout)
    return out


def read_base() -> list[dict[str, Any]]:
    """The base's objects as written (before any overlay), read from its resource files."""
    kustomization = yaml.safe_load((K8S / "base" / "kustomization.yaml").read_text())
    objects: list[dict[str, Any]] = []
    for resource in kustomization["resources"]:
        objects += load_all((K8S / "base" / resource).read_text())
    return objects


def promql_check(*args: str, stdin: str | None = None) -> tuple[int, list[dict[str, Any]]]:
    result = subprocess.run(
        [str(tool("promql-check")), *args], input=stdin, capture_output=True, text=True, check=False
    )
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def compose_schema_path() -> Path:
    """The Compose specification schema, as compose-go (what `docker compose` uses) embeds it.

    tools/bootstrap.sh puts the module in Go's module cache; it is read from there, never vendored.
    """
    go = shutil.which("go")
    if go is None:
        pytest.skip("go is missing: the Compose schema comes from the compose-go module")
    env = {**os.environ, "GOPROXY": "off", "GOFLAGS": "-mod=mod"}
    result = subprocess.run(
        [go, "mod", "download", "-json", f"github.com/compose-spec/compose-go/v2@{COMPOSE_GO_VERSION}"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    info = json.loads(result.stdout or "{}")
    if result.returncode != 0 or "Dir" not in info:
        pytest.skip(f"compose-go {COMPOSE_GO_VERSION} is not in the module cache: run tools/bootstrap.sh")
    return Path(info["Dir"]) / "schema" / "compose-spec.json"


def containers_of(obj: dict[str, Any]) -> list[dict[str, Any]]:
    spec = pod_spec(obj)
    if spec is None:
        return []
    return [*spec.get("initContainers", []), *spec.get("containers", [])]


def pod_spec(obj: dict[str, Any]) -> dict[str, Any] | None:
    if obj["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
        return obj["spec"]["template"]["spec"]  # type: ignore[no-any-return]
    return None
