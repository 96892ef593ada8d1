"""What the base install (``pip install qbt-bridge``) gives Home Assistant, checked at run time.

import-linter checks the import graph (``pyproject.toml``); this imports every library module
the integration names, in a fresh interpreter where the daemon's packages cannot be imported.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from qbt_bridge import __version__

pytestmark = pytest.mark.unit  # the fast tier: no daemon

ROOT = Path(__file__).parents[1]
INTEGRATION = ROOT / "custom_components" / "qbt_bridge"
DAEMON_ONLY = ("aiomqtt", "paho", "telegram", "yaml", "prometheus_client")


def test_the_integrations_library_modules_need_no_daemon_package() -> None:
    modules = sorted(
        {
            match.group(1)
            for path in INTEGRATION.glob("*.py")
            for match in re.finditer(
                r"^from (qbt_bridge[\w.]*) import", path.read_text(), re.MULTILINE
            )
        }
    )
    assert "qbt_bridge.engine" in modules
    blocked = "; ".join(f"sys.modules[{name!r}] = None" for name in DAEMON_ONLY)
    code = f"import sys; {blocked}\n" + "\n".join(f"import {m}" for m in modules)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr


def test_the_daemon_imports_a_front_or_metrics_only_when_its_section_asks() -> None:
    """The daemon's modules load without the fronts' and /metrics' packages (they are imported
    when a section asks): the newest Home Assistant's test run has the library and PyYAML only."""
    lazy = ("aiomqtt", "paho", "telegram", "prometheus_client")
    blocked = "; ".join(f"sys.modules[{name!r}] = None" for name in lazy)
    modules = ("qbt_bridge.daemon.config", "qbt_bridge.daemon.process", "qbt_bridge.daemon.demo")
    code = f"import sys; {blocked}\n" + "\n".join(f"import {m}" for m in modules)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr


def test_one_version_everywhere() -> None:
    """The package, the integration's manifest and its library pin agree; hacs.json names
    the oldest Home Assistant the tests run on."""
    manifest = json.loads((INTEGRATION / "manifest.json").read_text())
    assert manifest["version"] == __version__
    assert manifest["requirements"] == [f"qbt-bridge=={__version__}"]
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "qbt_bridge.__version__"
    }
    hacs = json.loads((ROOT / "hacs.json").read_text())
    assert hacs["homeassistant"] == importlib.metadata.version("homeassistant")
    assert "webhook" in manifest["dependencies"]
