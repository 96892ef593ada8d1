"""``/metrics``: the daemon's figures in Prometheus' text format, for Grafana users.

With a ``metrics:`` section the daemon serves ``GET /metrics`` (loopback by default). The text is
made by ``prometheus_client`` from a collector that reads the engine's stores at each scrape, so
a scrape costs no request to qBittorrent and shows what the last refresh saw. Series are per
instance (label ``server``, the instance id: Prometheus keeps ``instance`` for the target):
speeds, totals, limits, free space, whether qBittorrent answers, torrents per state group and
per category (with their speeds), and what the refreshes cost. Per-torrent series are opt-in
(``torrents:``, the same filter and cap as MQTT's per-torrent topics). The server has the push
endpoint's guards (``engine.httpguard``); with ``secret`` a scrape needs
``Authorization: Bearer <secret>``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, SummaryMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from qbt_bridge.core.models import ServerState, StateGroup
from qbt_bridge.daemon.metrics_config import MetricsConfig
from qbt_bridge.engine import Bridge, Capability
from qbt_bridge.engine.catalog import TorrentFilter, selected_torrents
from qbt_bridge.engine.httpguard import GuardedServer, Refusals, refused_secret

_LOGGER = logging.getLogger(__name__)


# One gauge per figure of the whole server: (name, help, capability, value).
_SERVER: tuple[tuple[str, str, Capability | None, Callable[[ServerState], Any]], ...] = (
    ("download_speed_bytes", "download speed, bytes/s", None, lambda s: s.download_speed),
    ("upload_speed_bytes", "upload speed, bytes/s", None, lambda s: s.upload_speed),
    ("download_limit_bytes", "download limit in force, bytes/s (0: none)",
     Capability.GLOBAL_LIMITS, lambda s: s.download_limit),
    ("upload_limit_bytes", "upload limit in force, bytes/s (0: none)",
     Capability.GLOBAL_LIMITS, lambda s: s.upload_limit),
    ("alt_speed_enabled", "1 while the alternative speed limits are on",
     Capability.ALT_SPEED, lambda s: int(bool(s.alt_speed_enabled))),
    ("free_space_bytes", "free space on the default save path's disk",
     Capability.FREE_SPACE, lambda s: s.free_space_on_disk),
    ("dht_nodes", "DHT nodes", Capability.NETWORK_STATUS, lambda s: s.dht_nodes),
)  # fmt: skip
# Counters of the whole server (Prometheus adds _total): (name, help, capability, value).
_TOTALS: tuple[tuple[str, str, Capability, Callable[[ServerState], Any]], ...] = (
    ("session_downloaded_bytes", "bytes downloaded since qBittorrent started",
     Capability.SESSION_TOTALS, lambda s: s.downloaded_session),
    ("session_uploaded_bytes", "bytes uploaded since qBittorrent started",
     Capability.SESSION_TOTALS, lambda s: s.uploaded_session),
    ("alltime_downloaded_bytes", "bytes downloaded, all time",
     Capability.ALL_TIME_TOTALS, lambda s: s.downloaded_all_time),
    ("alltime_uploaded_bytes", "bytes uploaded, all time",
     Capability.ALL_TIME_TOTALS, lambda s: s.uploaded_all_time),
)  # fmt: skip


class BridgeCollector(Collector):
    """Reads every served instance's store at each scrape."""

    def __init__(self, bridges: Sequence[Bridge], torrents: TorrentFilter) -> None:
        self.bridges = bridges
        self.torrents = torrents

    def collect(self) -> Iterator[Metric]:  # noqa: C901 - one family after another
        """Every family, one sample per instance (per group, category or torrent)."""
        server = ["server"]
        up = GaugeMetricFamily("qbittorrent_up", "1 while qBittorrent answers", labels=server)
        families = {
            name: GaugeMetricFamily(f"qbittorrent_{name}", text, labels=server)
            for name, text, _need, _fn in _SERVER
        }
        totals = {
            name: CounterMetricFamily(f"qbittorrent_{name}", text, labels=server)
            for name, text, _need, _fn in _TOTALS
        }
        groups = GaugeMetricFamily(
            "qbittorrent_torrents",
            "torrents per state group (as qBittorrent's sidebar counts them; all: every one)",
            labels=["server", "group"],
        )
        by_category, by_tracker = (
            [
                GaugeMetricFamily(f"qbittorrent_{group}_{name}", text, labels=["server", group])
                for name, text in (
                    ("torrents", f"torrents per {group} ('' for none)"),
                    ("download_speed_bytes", f"download speed per {group}, bytes/s"),
                    ("upload_speed_bytes", f"upload speed per {group}, bytes/s"),
                )
            ]
            for group in ("category", "tracker")  # a tracker by its host alone
        )
        refreshes = SummaryMetricFamily(
            "qbt_bridge_refresh_seconds", "the refreshes of each instance and their time",
            labels=server,
        )  # fmt: skip
        failures = CounterMetricFamily(
            "qbt_bridge_refresh_failures", "refreshes that failed (qBittorrent down …)",
            labels=server,
        )  # fmt: skip
        for bridge in self.bridges:
            key = [bridge.instance_id]
            up.add_metric(key, int(bridge.available))
            timing = bridge.refresher.timing
            refreshes.add_metric(key, timing.count, timing.seconds)
            failures.add_metric(key, timing.failures)
            store = bridge.store
            if not store.initialised:
                continue
            state = store.server()
            for name, _text, need, fn in _SERVER:
                value = fn(state)
                if (need is None or bridge.supports(need)) and value is not None:
                    families[name].add_metric(key, value)
            for name, _text, need, fn in _TOTALS:
                if bridge.supports(need) and (value := fn(state)) is not None:
                    totals[name].add_metric(key, value)
            counts = store.counts()
            groups.add_metric([*key, "all"], counts["total"])
            for group in StateGroup:
                groups.add_metric([*key, group.value], counts[group.value])
            for families_of, groups_of in ((by_category, store.by_category),
                                           (by_tracker, store.by_tracker)):  # fmt: skip
                for name, figures in sorted(groups_of().items()):
                    values = (figures.torrents, figures.download_speed, figures.upload_speed)
                    for family, value in zip(families_of, values, strict=True):
                        family.add_metric([*key, name], value)
        yield up
        yield from families.values()
        yield from totals.values()
        yield groups
        yield from by_category
        yield from by_tracker
        yield refreshes
        yield failures
        if self.torrents.enabled:
            yield from self._torrents()

    def _torrents(self) -> Iterator[Metric]:
        labels = ["server", "hash", "name"]
        families = {
            key: GaugeMetricFamily(f"qbittorrent_torrent_{key}", text, labels=labels)
            for key, text in (
                ("progress", "done, 0 to 1"),
                ("download_speed_bytes", "bytes/s"),
                ("upload_speed_bytes", "bytes/s"),
                ("ratio", "share ratio"),
                ("size_bytes", "bytes of the files chosen"),
            )
        }
        for bridge in self.bridges:
            for torrent_hash in selected_torrents(bridge.store, self.torrents):
                torrent = bridge.store.torrent(torrent_hash)
                if torrent is None:
                    continue
                key = [bridge.instance_id, torrent.hash, torrent.name]
                families["progress"].add_metric(key, torrent.progress)
                families["download_speed_bytes"].add_metric(key, torrent.download_speed)
                families["upload_speed_bytes"].add_metric(key, torrent.upload_speed)
                if torrent.ratio is not None:
                    families["ratio"].add_metric(key, torrent.ratio)
                families["size_bytes"].add_metric(key, torrent.size)
        yield from families.values()


class MetricsServer:
    """The daemon's ``GET /metrics``."""

    def __init__(self, bridges: Sequence[Bridge], config: MetricsConfig) -> None:
        self.config = config
        self.port = config.port
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(BridgeCollector(bridges, config.torrents))
        self.refusals = Refusals(_LOGGER)
        self._server: GuardedServer | None = None

    @property
    def listening(self) -> bool:
        """Whether the endpoint is up (between ``start`` and ``stop``)."""
        return self._server is not None

    async def start(self) -> None:
        """Listen (on a free port when the port is 0)."""
        app = web.Application(client_max_size=1024)  # a scrape has no body
        app.router.add_get("/metrics", self._scrape)
        server = GuardedServer(
            "metrics endpoint", app, self.config.listen, self.port, self.refusals
        )
        self.port = await server.start()
        self._server = server
        _LOGGER.info("metrics endpoint listening on %s:%d", self.config.listen or "*", self.port)

    async def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            await self._server.stop()
            self._server = None

    async def _scrape(self, request: web.Request) -> web.Response:
        refused = refused_secret(request, self.config.secret, self.refusals, "scrape")
        if refused is not None:
            return refused
        self.refusals.clear()
        body = generate_latest(self.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
