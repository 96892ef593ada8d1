"""qbit_manage runs, on the targeted torrents or all."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from qbt_bridge.clients.qbit_manage import QbitManageClient, check_commands
from qbt_bridge.core.errors import NotSupportedError
from qbt_bridge.engine.link import Link
from qbt_bridge.engine.refresh import Refresher
from qbt_bridge.engine.targets import Targets

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ManageOutcome:
    """What a qbit_manage run answered: ``success`` (with per-config stats) or ``queued``."""

    status: str
    message: str
    results: tuple[Mapping[str, Any], ...] = ()

    @property
    def queued(self) -> bool:
        """A scheduled run was in progress: the request waits and runs after it."""
        return self.status == "queued"


class Manage:
    """qbit_manage runs, on the targeted torrents or all."""

    def __init__(
        self,
        link: Link,
        refresher: Refresher,
        targets: Targets,
        client: QbitManageClient | None = None,
        config: str | None = None,
    ) -> None:
        self.link = link
        self._refresher = refresher
        self._targets = targets
        self.client = client  # None: no qbit_manage is configured for this server
        self.config = config

    async def run(
        self,
        commands: Iterable[str],
        targets: str | Iterable[str] | None = None,
        *,
        dry_run: bool = False,
    ) -> ManageOutcome:
        """Run qbit_manage commands (on the targeted torrents only, when given)."""
        names = self._manage_names(commands, with_hashes=targets is not None)  # before resolving
        hashes = await self._targets.resolve(targets) if targets is not None else None
        outcome = await self._run_manage(names, hashes, dry_run=dry_run)
        if not dry_run:
            # it may have re-categorised, tagged or removed torrents
            self._refresher.request_sweep()
        return outcome

    async def run_pushed(self, commands: Iterable[str], hashes: Iterable[str]) -> ManageOutcome:
        """Run qbit_manage commands on torrents qBittorrent just pushed, then look again.

        The ids are not resolved first: a torrent added a moment ago may not be in the store yet.
        """
        names = self._manage_names(commands, with_hashes=True)
        wanted = sorted({h.lower() for h in hashes})
        outcome = await self._run_manage(names, wanted)
        for torrent_hash in wanted:  # tags or category may have moved: a targeted look
            self._refresher.notify(torrent_hash)
        return outcome

    def _manage_names(self, commands: Iterable[str], *, with_hashes: bool) -> list[str]:
        """The command names, checked (and that there is a qbit_manage to run them)."""
        if self.client is None:
            raise NotSupportedError(f"no qbit_manage is configured for {self.link.instance_id}")
        return check_commands(commands, with_hashes=with_hashes)

    async def _run_manage(
        self, names: list[str], hashes: list[str] | None, *, dry_run: bool = False
    ) -> ManageOutcome:
        """One ``run-command`` call with checked names."""
        assert self.client is not None  # noqa: S101 - _manage_names checked it
        result = await self.client.run_command(
            names, hashes=hashes, dry_run=dry_run, config_file=self.config
        )
        return ManageOutcome(result.status, result.message, tuple(result.results))
