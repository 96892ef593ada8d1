"""The systemd unit in contrib/ is one that systemd itself accepts (systemd-analyze verify)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit  # the fast tier: no daemon

UNIT = Path(__file__).parents[2] / "contrib" / "systemd" / "qbt-bridge.service"


def test_the_unit_is_hardened() -> None:
    text = UNIT.read_text(encoding="utf-8")
    for setting in ("DynamicUser=yes", "StateDirectory=qbt-bridge", "ProtectSystem=strict",
                    "NoNewPrivileges=yes", "Restart=on-failure"):  # fmt: skip
        assert f"\n{setting}\n" in text, setting


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    # The same unit with ExecStart on this machine's qbt-bridge (verify checks it exists).
    qbt_bridge = Path(sys.executable).with_name("qbt-bridge")
    unit = tmp_path / "qbt-bridge.service"
    unit.write_text(
        UNIT.read_text(encoding="utf-8").replace("/opt/qbt-bridge/bin/qbt-bridge", str(qbt_bridge)),
        encoding="utf-8",
    )
    done = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "qbt-bridge.service" not in done.stderr, done.stderr  # no warning about the unit


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_rates_the_units_exposure_low() -> None:
    """systemd's own rating of the sandboxing (0 best, 10 worst); 3.2 before the system-call
    filter, the private mounts and users, and the hidden /proc were added."""
    done = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", str(UNIT)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    found = re.search(r"Overall exposure level for qbt-bridge\.service: (\d+\.\d+)", done.stdout)
    assert found is not None, done.stdout + done.stderr
    assert float(found[1]) <= 1.5, done.stdout
