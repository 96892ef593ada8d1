"""The dashboard card's bundle is what its sources build, its types check, its unit tests pass.

``scripts/setup`` installs the card's npm packages from its lock file (``npm ci`` in card/).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from custom_components.qbt_bridge import card
from qbt_bridge.api.commands import COMMANDS
from qbt_bridge.api.view import SORTS, row
from qbt_bridge.core.content import FilePriority
from qbt_bridge.core.models import MainData, StateGroup
from qbt_bridge.core.units import parse_duration
from qbt_bridge.engine.store import SyncStore

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


def _strings(source: str, name: str) -> list[str]:
    """The quoted strings of ``const NAME = [...]`` in a card source."""
    match = re.search(rf"const {name} = \[(.*?)\]", source, re.DOTALL)
    assert match, name
    return re.findall(r'"([^"]*)"', match.group(1))


def test_the_cards_names_are_the_command_tables() -> None:
    """What the card's sources write by hand is checked against the one declaration of each."""
    page = (CARD / "src" / "page.ts").read_text(encoding="utf-8")
    source = (CARD / "src" / "card.ts").read_text(encoding="utf-8")
    assert _strings(page, "SORTS") == list(SORTS)  # the list command's sort columns
    # qBittorrent's sidebar filters: every state group but "queued" (not one of them)
    assert set(_strings(page, "GROUPS")) == {g.value for g in StateGroup} - {"queued"}
    commands = set(re.findall(r'(?:_run|_forAWhile)(?:<[^>]*>)?\("(\w+)"', source))
    assert commands and commands <= set(COMMANDS), commands - set(COMMANDS)
    for duration in _strings(source, "DURATIONS"):
        assert duration == "" or parse_duration(duration) > 0
    priorities = re.search(r"\(\[(\"skip\".*?)\] as const\)", source)
    assert priorities is not None
    assert re.findall(r'"(\w+)"', priorities.group(1)) == [p.word for p in FilePriority]
    # every field of a row the card reads is in the rows the subscription sends
    fields = re.search(r"export interface Row \{(.*?)\}", page, re.DOTALL)
    assert fields is not None
    store = SyncStore()
    store.apply_maindata(
        MainData.from_api(
            {
                "rid": 1,
                "full_update": True,
                "torrents": {"a" * 40: {"name": "x", "state": "uploading"}},
            }
        )
    )
    assert set(re.findall(r"(\w+)\??:", fields.group(1))) <= set(row(store, "a" * 40))
