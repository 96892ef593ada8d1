"""Fixtures for the MQTT front: a real Mosquitto, a real qbittorrent-nox, the real daemon."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from qbt_bridge.daemon.demo import LocalMosquitto


@pytest.fixture
def broker() -> Iterator[LocalMosquitto]:
    """A Mosquitto of the test's own (it may be restarted)."""
    with LocalMosquitto() as mosquitto:
        yield mosquitto
