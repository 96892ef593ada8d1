"""The container image and the compose example, checked without building (the fast tier).

hadolint lints the Dockerfile; the entry point, health check and environment it declares are run
as the image would run them (the same commands, the same variables, a temporary /config and
/data); the compose file follows the Compose specification (compose-spec, from the package
index); the example's qbt-bridge config loads. test_image.py builds and runs them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from compose_spec import PyCompose

from qbt_bridge.daemon.config import load_config

pytestmark = pytest.mark.unit  # the fast tier: no daemon

ROOT = Path(__file__).parents[2]
CONTAINER = ROOT / "contrib" / "container"


def _dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text(encoding="utf-8")


def _exec_form(instruction: str) -> list[str]:
    """The JSON array of an instruction (``CMD ["run"]``) in the Dockerfile."""
    found = re.search(rf"^{instruction}\s+(\[.*\])\s*$", _dockerfile(), re.MULTILINE)
    assert found, instruction
    return list(json.loads(found.group(1)))


def _image_env(tmp_path: Path) -> dict[str, str]:
    """The image's ENV, with /config and /data moved under ``tmp_path``."""
    block = re.search(r"^ENV ((?:.*\\\n)*.*)$", _dockerfile(), re.MULTILINE)
    assert block
    pairs = dict(re.findall(r"(\w+)=(\S+)", block.group(1)))
    moved = {
        k: v.replace("/config", str(tmp_path / "config")).replace("/data", str(tmp_path / "data"))
        for k, v in pairs.items()
    }
    bin_dir = str(Path(sys.executable).parent)  # where the console script is
    return {**os.environ, **moved, "PATH": f"{bin_dir}:{os.environ['PATH']}"}


def test_hadolint_finds_nothing() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert hadolint, "hadolint is installed with the test extras"
    done = subprocess.run(
        [hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_entry_point_health_check_and_environment_as_the_image_runs_them(
    tmp_path: Path,
) -> None:
    env = _image_env(tmp_path)
    config = Path(env["QBT_BRIDGE_CONFIG"])
    config.parent.mkdir(parents=True)
    config.write_text("instances: [{id: nas, url: 'qbittorrent:8080'}]\n", encoding="utf-8")
    entry = _exec_form("ENTRYPOINT")
    found = re.search(r"^HEALTHCHECK .*\\\n\s+CMD (\[.*\])$", _dockerfile(), re.MULTILINE)
    assert found
    health = list(json.loads(found.group(1)))

    def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(argv, env=env, capture_output=True, text=True, check=False)

    # The config comes from QBT_BRIDGE_CONFIG, with no --config.
    checked = run([*entry, "check-config"])
    assert checked.returncode == 0, checked.stderr
    assert f"{config}: valid (1 instance(s), no front)" in checked.stdout
    # No daemon has written its health yet: unhealthy, and says why.
    assert run(health).returncode == 1
    state = Path(env["XDG_STATE_HOME"]) / "qbt-bridge"
    state.mkdir(parents=True)
    beat = {"time": time.time(), "pid": 1, "instances": {"nas": False}, "mqtt": True, "push": None}
    (state / "health.json").write_text(json.dumps(beat), encoding="utf-8")
    fresh = run(health)
    assert (fresh.returncode, fresh.stdout.strip()) == (
        0,
        "qbt-bridge: ok (nas down, MQTT connected)",
    )
    for stale in ({**beat, "time": time.time() - 300}, {**beat, "mqtt": False}):
        (state / "health.json").write_text(json.dumps(stale), encoding="utf-8")
        assert run(health).returncode == 1
    assert _exec_form("CMD") == ["run"]


def test_the_compose_example_follows_the_compose_specification() -> None:
    text = (CONTAINER / "compose.yaml").read_text(encoding="utf-8")
    PyCompose.from_yaml(text).validate()  # the specification's types, keys and values
    with pytest.raises(ValueError, match="unknown variant"):  # the validator does refuse
        PyCompose.from_yaml(text.replace("unless-stopped", "sometimes")).validate()
    # What the specification leaves to the engine: names that must exist.
    compose = yaml.safe_load(text)
    services, volumes = compose["services"], set(compose.get("volumes") or {})
    for name, service in services.items():
        assert set(service.get("depends_on", [])) <= set(services), name
        named = {v.split(":")[0] for v in service.get("volumes", []) if v[0] not in "./"}
        assert named <= volumes, name


def test_the_compose_example_pins_its_images_and_its_config_loads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compose = yaml.safe_load((CONTAINER / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    for name, service in services.items():
        if "image" in service:
            assert re.search(r":\d[\w.]*$", service["image"]), f"{name}: pin a version tag"
    bridge = services["qbt-bridge"]
    assert "./config.yaml:/config/config.yaml:ro" in bridge["volumes"]
    assert any(v.endswith(":/data") for v in bridge["volumes"])
    monkeypatch.setenv("QBT_PASSWORD", "example")
    monkeypatch.setenv("QBT_BRIDGE_PUSH_SECRET", "0123456789abcdef0123")
    config = load_config(CONTAINER / "config.yaml")
    assert config.push is not None
    assert (config.push.listen, config.push.install) == ("0.0.0.0", True)
    assert config.push.url == "http://qbt-bridge:8089"
    assert config.mqtt is not None
    assert config.mqtt.host == "mosquitto"
