"""Generated payloads on every command topic, against the real daemon, broker and qBittorrent.

Each one must get exactly one well-formed answer, and the daemon must keep running.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qbt_bridge.api.commands import COMMANDS, MAX_PAYLOAD
from qbt_bridge.daemon.demo import LocalMosquitto, LocalQBittorrent, Release
from tests.helpers import LoopThread
from tests.mqtt.helpers import Probe, Running, make_config
from tests.releases import RELEASES, require

CODES = {"invalid_request", "not_found", "ambiguous", "not_supported", "unavailable",
         "server_error", "authentication_failed"}  # fmt: skip
ARGUMENTS = sorted({str(key.schema) for c in COMMANDS.values() for key in c.schema.schema})


class Environment(LoopThread):
    """The daemon and a probe, running in an event loop of their own on a thread."""

    def __init__(self, qbt: LocalQBittorrent, broker: LocalMosquitto, state: Path) -> None:
        super().__init__()
        self.config = make_config(qbt, broker.port, state)
        self.port = broker.port
        self.run: Running | None = None
        self.probe: Probe | None = None
        self.call(self._start())

    async def _start(self) -> None:
        from qbt_bridge.daemon.process import Daemon

        self.run = Running(Daemon(self.config))
        await self.run.connected()
        self.probe = Probe(self.port)
        await self.probe.__aenter__()

    async def _stop(self) -> None:
        assert self.probe is not None
        assert self.run is not None
        await self.probe.__aexit__(None, None, None)
        await self.run.close()


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Environment]:
    with (
        LocalQBittorrent(require(Release.named(RELEASES[-1]))) as qbt,
        LocalMosquitto() as broker,
    ):
        env = Environment(qbt, broker, tmp_path_factory.mktemp("fuzz"))
        try:
            yield env
        finally:
            env.close()


# Any code point, lone surrogates included: JSON spells them as \ud83d escapes, which once
# ended the daemon.
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=40)
JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), ANY_TEXT)
JSON_VALUE = st.recursive(
    JSON_LEAF,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=10,
)
PAYLOADS = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=200).map(str.encode),
    st.sampled_from([b"", b"ON", b"OFF", b"all", b"PRESS", b"{}", b"null", b"[]", b"0"]),
    st.dictionaries(
        st.sampled_from([*ARGUMENTS, "request_id"]) | ANY_TEXT, JSON_VALUE, max_size=5
    ).map(lambda d: json.dumps(d).encode()),
    st.integers(min_value=MAX_PAYLOAD - 2, max_value=MAX_PAYLOAD + 2).map(lambda n: b"[" * n),
)
NAMES = st.one_of(st.sampled_from(sorted(COMMANDS)), st.text(
    # Printable only: a broker drops a client that publishes to a topic with control characters.
    alphabet=st.characters(exclude_characters="#+/", categories=("L", "N", "P", "S")),
    min_size=1, max_size=20,
))  # fmt: skip


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)
@given(name=NAMES, payload=PAYLOADS)
def test_every_payload_gets_one_answer(environment: Environment, name: str, payload: bytes) -> None:
    probe = environment.probe
    assert probe is not None
    answer = environment.call(probe.command(name, payload))
    assert answer["command"] == name
    assert isinstance(answer["ok"], bool)
    if not answer["ok"]:
        assert answer["error"]["code"] in CODES, answer
        assert answer["error"]["message"]
    assert environment.run is not None
    assert not environment.run.task.done()


def test_the_daemon_still_serves_after_the_storm(environment: Environment) -> None:
    probe = environment.probe
    assert probe is not None
    assert environment.call(probe.command("list", b""))["ok"]
