"""The dashboard card's bundle is what its sources build, its types check, its unit tests pass.

``scripts/setup`` installs the card's npm packages from its lock file (``npm ci`` in card/).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from custom_components.qbt_bridge import card

pytestmark = pytest.mark.unit  # the fast tier: no daemon

CARD = Path(__file__).parents[1] / "card"


def _npm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["npm", *args], cwd=CARD, capture_output=True, text=True, timeout=300, check=False
    )


def test_the_committed_bundle_is_what_the_sources_build(tmp_path: Path) -> None:
    rebuilt = tmp_path / "qbt-bridge-card.js"
    done = _npm("run", "build", "--", f"--outfile={rebuilt}")
    assert done.returncode == 0, done.stderr
    assert rebuilt.read_bytes() == card.BUNDLE.read_bytes(), (
        "custom_components/qbt_bridge/frontend/qbt-bridge-card.js is not what card/src builds: "
        "run `npm run build` in card/ and commit the bundle"
    )


def test_the_cards_types_check_and_its_unit_tests_pass() -> None:
    typed = _npm("run", "typecheck")
    assert typed.returncode == 0, typed.stdout + typed.stderr
    tested = _npm("test")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "# fail 0" in tested.stdout and "# pass 0" not in tested.stdout
