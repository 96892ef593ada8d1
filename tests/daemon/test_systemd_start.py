"""The systemd unit started by a real systemd: a Debian 13 system booted with systemd-nspawn.

PID 1 of the test machine is not systemd, but ``systemd-nspawn --boot`` runs one as the
container's PID 1 (scripts/provision-systemd unpacks the system). The unit's header is followed
as a user follows it: a venv in /opt/qbt-bridge with this tree's wheel and the daemon's extras,
the unit and a root-only config (mode 640) in /etc, ``systemctl enable``; then the system boots,
with the host's network, beside a real Mosquitto and a real qbittorrent-nox.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from qbt_bridge.daemon.demo import LocalMosquitto, LocalQBittorrent, Release, cache_dir
from tests.helpers import DEADLINE, POLL_INTERVAL
from tests.mqtt.helpers import PREFIX, Probe
from tests.releases import RELEASES, require

ROOT = Path(__file__).parents[2]
UNIT = ROOT / "contrib" / "systemd" / "qbt-bridge.service"


def _run(*argv: str) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{' '.join(argv[:4])}: {done.stdout}{done.stderr}"
    return done.stdout


@pytest.fixture
def system(tmp_path: Path) -> Path:
    """The unpacked system with this tree installed as the unit's header says."""
    root = cache_dir() / "systemd"
    if not (root / "usr/lib/systemd/systemd").exists():
        pytest.fail(f"no system with systemd in {root}: run scripts/setup --with-test-releases")
    _run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path),
         str(ROOT))  # fmt: skip
    wheel = next(tmp_path.glob("qbt_bridge-*.whl"))
    shutil.copy(wheel, root / "tmp" / wheel.name)
    inside = f"/tmp/{wheel.name}"
    _run("chroot", str(root), "sh", "-c",
         "test -x /opt/qbt-bridge/bin/pip || python3 -m venv /opt/qbt-bridge; "
         f"/opt/qbt-bridge/bin/pip install -q '{inside}[daemon]' && "
         f"/opt/qbt-bridge/bin/pip install -q --force-reinstall --no-deps '{inside}'")  # fmt: skip
    _run("install", "-Dm644", str(UNIT), str(root / "etc/systemd/system/qbt-bridge.service"))
    _run("systemctl", f"--root={root}", "enable", "qbt-bridge")
    shutil.rmtree(root / "var/lib/private/qbt-bridge", ignore_errors=True)  # a first start
    return root


@contextlib.contextmanager
def booted(root: Path, log: Path) -> Iterator[int]:
    """Boot the system; the PID of its systemd. Halted at the end (SIGTERM to nspawn)."""
    with log.open("wb") as out:
        nspawn = subprocess.Popen(
            ["systemd-nspawn", "--quiet", "--register=no", "--keep-unit",
             "--console=passive", f"--directory={root}", "--boot"],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            yield _systemd_of(nspawn.pid)
        finally:
            nspawn.send_signal(signal.SIGTERM)  # systemd-nspawn halts the system
            try:
                nspawn.wait(timeout=60)
            except subprocess.TimeoutExpired:
                nspawn.kill()
                nspawn.wait()


def _systemd_of(nspawn: int) -> int:
    """The container's PID 1, a child of nspawn (looked for until the usual deadline)."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        children = Path(f"/proc/{nspawn}/task/{nspawn}/children").read_text().split()
        for child in children:
            if Path(f"/proc/{child}/comm").read_text().strip() == "systemd":
                return int(child)
        time.sleep(POLL_INTERVAL)
    raise AssertionError("systemd-nspawn started no systemd")


def _inside(systemd: int, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["nsenter", f"--target={systemd}", "--all", *argv],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


async def test_systemd_starts_the_unit_as_a_throwaway_user_with_a_root_only_config(
    system: Path, tmp_path: Path
) -> None:
    with LocalMosquitto() as broker, LocalQBittorrent(require(Release.named(RELEASES[-1]))) as qbt:
        config = tmp_path / "config.yml"
        config.write_text(
            f"instances:\n  - id: nas\n    url: {qbt.url}\n    username: {qbt.username}\n"
            f"    password: {qbt.password}\nmqtt:\n  host: 127.0.0.1\n  port: {broker.port}\n",
            encoding="utf-8",
        )
        _run("install", "-Dm640", str(config), str(system / "etc/qbt-bridge/config.yml"))
        async with Probe(broker.port) as probe:
            with booted(system, tmp_path / "boot.log") as systemd:
                online = f"{PREFIX}/nas/availability"
                await probe.value(online, lambda p: p == b"online", "online, started by systemd")
                shown = _inside(systemd, "systemctl", "show", "qbt-bridge",
                                "--property=ActiveState,MainPID,NRestarts")  # fmt: skip
                unit = dict(line.split("=", 1) for line in shown.stdout.split())
                assert (unit["ActiveState"], unit["NRestarts"]) == ("active", "0"), shown
                status = _inside(systemd, "cat", f"/proc/{unit['MainPID']}/status").stdout
                uid = int(next(s for s in status.splitlines() if s.startswith("Uid:")).split()[1])
                assert uid >= 61184, "a dynamic user (61184-65519), not root"
                health = _inside(systemd, "env", "XDG_STATE_HOME=/var/lib",  # the unit's header
                                 "/opt/qbt-bridge/bin/qbt-bridge", "health",
                                 "--config", "/etc/qbt-bridge/config.yml")  # fmt: skip
                assert health.returncode == 0, health.stdout + health.stderr
                state = system / "var/lib/private/qbt-bridge"
                # Written by the service, not by root (PrivateUsers=yes: seen from outside its
                # user namespace as the overflow user on the test machines).
                assert 0 not in {p.stat().st_uid for p in state.rglob("*")}
                journal = _inside(systemd, "journalctl", "-u", "qbt-bridge", "-o", "cat").stdout
                assert "serving nas" in journal and "Traceback" not in journal
                assert qbt.password not in journal
                assert json.loads((state / "health.json").read_text())["mqtt"] is True
            await probe.value(online, lambda p: p == b"offline", "offline when the system halts")
