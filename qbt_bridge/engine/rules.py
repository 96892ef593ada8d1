"""Rules on add: what each new torrent of a category and/or tag gets, the moment it is seen.

A rule names a category and/or a tag (none: every torrent) and what a torrent that matches gets:
share limits (ratio, seeding time, inactive seeding time), per-torrent speed limits, tags,
automatic management, sequential download, and qbit_manage commands. Every matching rule is
applied, in order. A torrent is ruled when the refresh that first sees it runs — with push that
is within a second of its adding, without at the next refresh — and once: the ledger keeps the
torrents ruled and the newest torrents known, and after a restart the torrents newer than those
(added while the process was away) are ruled at the first refresh. A part a client cannot do
(uTorrent has no share limits) is said once and left out.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import voluptuous as vol

from qbt_bridge.clients import Capability, QBittorrentClient
from qbt_bridge.clients.qbit_manage import check_commands
from qbt_bridge.core.errors import InvalidRequestError, QbtBridgeError
from qbt_bridge.core.settings import NUMBER, TEXT, names_of, schema, setting
from qbt_bridge.core.units import parse_rate
from qbt_bridge.engine.events import Event, EventKind
from qbt_bridge.engine.link import Link
from qbt_bridge.engine.manage import Manage

_LOGGER = logging.getLogger(__name__)

ACTIONS = (
    "ratio_limit", "seeding_time_limit", "inactive_seeding_time_limit", "download_limit",
    "upload_limit", "tags", "auto_management", "sequential", "manage",
)  # fmt: skip
MAX_MINUTES = 525_600  # a year: the longest seeding time a rule may give


def rate(value: Any) -> int:
    """A speed as bytes/s (a number) or as people type it (``5M``, ``512K``; 0: none)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31:
        return value
    if isinstance(value, str):
        try:
            parsed = parse_rate(value)
        except ValueError as err:
            raise vol.Invalid(str(err)) from None
        if parsed < 2**31:
            return parsed
    raise vol.Invalid("expected a speed: bytes/s, or 5M, 512K, off")


def manage_commands(value: Any) -> tuple[str, ...]:
    """qbit_manage commands that take torrents (a list), checked."""
    names = names_of(str)(value)
    if not names:
        return ()
    try:
        return tuple(check_commands(sorted(names), with_hashes=True))
    except InvalidRequestError as err:
        raise vol.Invalid(str(err)) from None


@dataclass(frozen=True, slots=True, kw_only=True)
class AddRule:
    """What the torrents of a category and/or tag get when they are added."""

    category: str | None = setting(
        default=None, help="torrents of this category (none: any)", check=str
    )
    tag: str | None = setting(default=None, help="torrents with this tag (none: any)", check=TEXT)
    ratio_limit: float | None = setting(
        default=None, help="share ratio to stop seeding at (-1: none)",
        check=NUMBER, minimum=-1, maximum=9998,
    )  # fmt: skip
    seeding_time_limit: int | None = setting(
        default=None, help="minutes of seeding to stop at (-1: none)",
        check=int, minimum=-1, maximum=MAX_MINUTES,
    )  # fmt: skip
    inactive_seeding_time_limit: int | None = setting(
        default=None, help="minutes of seeding without upload to stop at (-1: none; 4.6+)",
        check=int, minimum=-1, maximum=MAX_MINUTES,
    )  # fmt: skip
    download_limit: int | None = setting(
        default=None, help="its download limit (bytes/s, or 5M, 512K; 0: none)", check=rate
    )
    upload_limit: int | None = setting(
        default=None, help="its upload limit (bytes/s, or 5M, 512K; 0: none)", check=rate
    )
    tags: frozenset[str] = setting(
        default=frozenset(), help="tags it gets", check=names_of(vol.All(str, vol.Length(min=1)))
    )
    auto_management: bool | None = setting(
        default=None, help="automatic torrent management on or off", check=bool
    )
    sequential: bool | None = setting(
        default=None, help="sequential download on or off", check=bool
    )
    manage: tuple[str, ...] = setting(
        default=(), help="qbit_manage commands run on it (the instance's qbit_manage)",
        check=manage_commands,
    )  # fmt: skip

    def matches(self, category: str, tags: Sequence[str]) -> bool:
        """Whether a torrent of this category and these tags is the rule's."""
        return (self.category is None or self.category == category) and (
            self.tag is None or self.tag in tags
        )


def _gives_something(value: dict[str, Any]) -> dict[str, Any]:
    if not any(value.get(name) not in (None, (), frozenset()) for name in ACTIONS):
        raise vol.Invalid("this rule gives nothing to do (a limit, tags, a switch or manage)")
    return value


# One rule as the daemon's YAML and Home Assistant's options give it (checked, each a mapping).
RULE_SCHEMA = vol.All(vol.Schema(schema(AddRule)), _gives_something)


def add_rules(value: Any) -> tuple[AddRule, ...]:
    """A list of rules as given (YAML, Home Assistant's object field), checked: the rules."""
    if value is None:
        return ()
    return tuple(AddRule(**rule) for rule in vol.Schema([RULE_SCHEMA])(value))


class Rules:
    """Applies the rules to each torrent the first time a refresh sees it added."""

    def __init__(self, link: Link, manage: Manage, rules: Sequence[AddRule]) -> None:
        self.link = link
        self._manage = manage
        self.rules = tuple(rules)
        self._said: set[str] = set()  # what a client cannot do, said once
        self._caught_up = False  # the torrents added while away: looked at once per run

    async def check(self, events: Sequence[Event]) -> list[Event]:
        """After a refresh: rule the torrents it saw added (and, at first, those added away)."""
        store, ledger = self.link.store, self.link.store.ledger
        new = [e.hash for e in events if e.kind is EventKind.ADDED and e.hash]
        gone = {e.hash for e in events if e.kind is EventKind.REMOVED}
        if not self._caught_up and store.initialised:
            self._caught_up = True
            ledger.ruled &= set(store.hashes())  # forget the torrents that went meanwhile
            new += self._added_away()
        todo = [h for h in dict.fromkeys(new) if h in store and h not in ledger.ruled]
        if not todo and not gone & ledger.ruled:
            return []
        # One call per part of a rule for all its torrents (a thousand added at once: a few calls).
        for rule in self.rules:
            hashes = [h for h in todo if rule.matches(store.category(h), store.torrent_tags(h))]
            if hashes:
                await self._apply(rule, hashes)
        for torrent_hash in todo:
            ledger.ruled.add(torrent_hash)
            self._known(torrent_hash, int(store.raw(torrent_hash).get("added_on") or 0))
        ledger.ruled -= gone
        ledger.save()
        return []

    def _added_away(self) -> list[str]:
        """The torrents newer than the newest the last run knew (none on a first run)."""
        store, ledger = self.link.store, self.link.store.ledger
        added = {h: int(store.raw(h).get("added_on") or 0) for h in store.hashes()}
        before = ledger.newest
        ledger.newest = None
        for torrent_hash, added_on in added.items():
            self._known(torrent_hash, added_on)
        ledger.save()
        if before is None:
            return []  # a first run: what is there now is nobody's new torrent
        newest, known = before
        return [h for h, on in added.items() if on > newest or (on == newest and h not in known)]

    def _known(self, torrent_hash: str, added_on: int) -> None:
        ledger = self.link.store.ledger
        if ledger.newest is None or added_on > ledger.newest[0]:
            ledger.newest = (added_on, {torrent_hash})
        elif added_on == ledger.newest[0]:
            ledger.newest[1].add(torrent_hash)

    async def _apply(self, rule: AddRule, hashes: list[str]) -> None:
        """One rule on its torrents: each part that fails is said, the others still done."""
        client = self.link.client
        store = self.link.store
        name = store.name(hashes[0]) if len(hashes) == 1 else f"{len(hashes)} torrents"
        qbittorrent = client if isinstance(client, QBittorrentClient) else None
        limits = (rule.ratio_limit, rule.seeding_time_limit, rule.inactive_seeding_time_limit)
        parts: tuple[tuple[str, bool, Callable[[], Awaitable[bool]]], ...] = (
            ("share limits", any(limit is not None for limit in limits),
             lambda: self._share_limits(qbittorrent, rule, hashes)),
            ("speed limits", rule.download_limit is not None or rule.upload_limit is not None,
             lambda: self._speed_limits(rule, hashes)),
            ("tags", bool(rule.tags), lambda: self._tags(rule, hashes)),
            ("automatic management", rule.auto_management is not None,
             lambda: self._auto(qbittorrent, rule, hashes)),
            ("sequential download", rule.sequential is not None,
             lambda: self._sequential(qbittorrent, rule, hashes)),
            ("qbit_manage", bool(rule.manage), lambda: self._qbit_manage(rule, hashes)),
        )  # fmt: skip
        done = []
        for what, wanted, step in parts:
            try:
                if wanted and await step():
                    done.append(what)
            except QbtBridgeError as err:
                _LOGGER.warning(
                    "%s: rule on add for %r: %s failed: %s", self.link.instance_id, name, what, err
                )
        if done:
            _LOGGER.info("%s: rule on add for %r: %s", self.link.instance_id, name, ", ".join(done))

    def _cannot(self, what: str) -> bool:
        """False (left out), said once per instance."""
        if what not in self._said:
            self._said.add(what)
            _LOGGER.warning(
                "%s: rules on add: %s cannot %s; that part of the rules is left out",
                self.link.instance_id, self.link.client.product, what,
            )  # fmt: skip
        return False

    async def _share_limits(
        self, client: QBittorrentClient | None, rule: AddRule, hashes: list[str]
    ) -> bool:
        if client is None:
            return self._cannot("set share limits")
        keep = -2  # qBittorrent's "as globally set"
        await client.torrents_set_share_limits(
            hashes,
            ratio_limit=keep if rule.ratio_limit is None else rule.ratio_limit,
            seeding_time_limit=keep if rule.seeding_time_limit is None else rule.seeding_time_limit,
            inactive_seeding_time_limit=(
                keep if rule.inactive_seeding_time_limit is None
                else rule.inactive_seeding_time_limit
            ),
        )  # fmt: skip
        return True

    async def _speed_limits(self, rule: AddRule, hashes: list[str]) -> bool:
        if Capability.TORRENT_LIMITS not in self.link.capabilities:
            return self._cannot("set per-torrent speed limits")
        if rule.download_limit is not None:
            await self.link.client.torrents_set_download_limit(hashes, rule.download_limit)
        if rule.upload_limit is not None:
            await self.link.client.torrents_set_upload_limit(hashes, rule.upload_limit)
        return True

    async def _tags(self, rule: AddRule, hashes: list[str]) -> bool:
        if Capability.TAGS not in self.link.capabilities:
            return self._cannot("use tags")
        await self.link.client.torrents_add_tags(hashes, sorted(rule.tags))
        return True

    async def _auto(
        self, client: QBittorrentClient | None, rule: AddRule, hashes: list[str]
    ) -> bool:
        if client is None:
            return self._cannot("manage torrents automatically")
        await client.torrents_set_auto_management(hashes, bool(rule.auto_management))
        return True

    async def _sequential(
        self, client: QBittorrentClient | None, rule: AddRule, hashes: list[str]
    ) -> bool:
        if client is None:
            return self._cannot("download sequentially")
        # qBittorrent only toggles it: toggled where it is not what the rule says.
        store = self.link.store
        other = [h for h in hashes if bool(store.raw(h).get("seq_dl")) is not rule.sequential]
        if other:
            await client.torrents_toggle_sequential_download(other)
        return True

    async def _qbit_manage(self, rule: AddRule, hashes: list[str]) -> bool:
        await self._manage.run(list(rule.manage), hashes)
        return True
