"""What commands answer: the JSON shapes of their results, and the stable error codes.

Every front answers from these (no front builds an answer of its own); a front passes its
outgoing text through ``redact_text`` at its one exit.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from qbt_bridge.core.errors import (
    AmbiguousTargetError,
    APIError,
    AuthenticationError,
    ConnectionFailedError,
    EndpointNotImplementedError,
    InvalidRequestError,
    NotFoundError,
    NotSupportedError,
    QbtBridgeError,
    UnsupportedVersionError,
)
from qbt_bridge.core.models import Torrent
from qbt_bridge.core.rss import RssRule
from qbt_bridge.engine.bridge import AddOutcome, CommandResult


def torrent_summary(torrent: Torrent) -> dict[str, Any]:
    """What a list or an event shows of a torrent (no tracker, no magnet)."""
    return {
        "hash": torrent.hash,
        "name": torrent.name,
        "state": torrent.state.word,
        "progress": round(torrent.progress * 100, 2),
        "size": torrent.size,
        "download_speed": torrent.download_speed,
        "upload_speed": torrent.upload_speed,
        "eta": torrent.eta,
        "ratio": torrent.ratio,
        "category": torrent.category,
        "tags": list(torrent.tags),
        "save_path": torrent.save_path,
    }


def command_result(result: CommandResult) -> dict[str, Any]:
    """A torrent command's answer: what it touched, and whether the change showed in time."""
    out: dict[str, Any] = {
        "torrents": [
            {"hash": h, "name": n} for h, n in zip(result.hashes, result.names, strict=False)
        ]
        or [{"hash": h} for h in result.hashes],
        "confirmed": result.confirmed,
    }
    if result.message:
        out["message"] = result.message
    return {**out, **timed(result.until)}


def timed(until: float | None) -> dict[str, Any]:
    """``until`` (ISO 8601, UTC) for a command given for a while; nothing for one that stays."""
    if until is None:
        return {}
    return {"until": datetime.fromtimestamp(until, UTC).isoformat(timespec="seconds")}


def add_outcome(outcome: AddOutcome) -> dict[str, Any]:
    """An add's answer."""
    return {
        "hash": outcome.hash,
        "name": outcome.name,
        "already_present": outcome.already_present,
        "confirmed": outcome.confirmed,
    }


def rss_rule(rule: RssRule) -> dict[str, Any]:
    """An RSS rule in the command API's own names (not qBittorrent's wire keys)."""
    return {
        "name": rule.name,
        "enabled": rule.enabled,
        "must_contain": rule.must_contain,
        "must_not_contain": rule.must_not_contain,
        "use_regex": rule.use_regex,
        "episode_filter": rule.episode_filter,
        "feeds": list(rule.affected_feeds),
        "category": rule.assigned_category,
        "save_path": rule.save_path,
        "last_match": rule.last_match,
    }


_CODES: tuple[tuple[type[QbtBridgeError], str], ...] = (
    (AmbiguousTargetError, "ambiguous"),
    (NotFoundError, "not_found"),
    (NotSupportedError, "not_supported"),
    (UnsupportedVersionError, "not_supported"),
    (EndpointNotImplementedError, "not_supported"),
    (InvalidRequestError, "invalid_request"),
    (AuthenticationError, "authentication_failed"),
    (ConnectionFailedError, "unavailable"),
    (APIError, "server_error"),
)


def error_code(err: BaseException) -> str:
    """A stable, documented code for an error."""
    for kind, code in _CODES:
        if isinstance(err, kind):
            return code
    return "internal_error"


def error_reply(err: BaseException) -> dict[str, Any]:
    """The ``error`` part of an answer: a code, a message, candidates for ambiguous targets."""
    out: dict[str, Any] = {"code": error_code(err), "message": str(err) or type(err).__name__}
    if isinstance(err, AmbiguousTargetError):
        out["candidates"] = [{"hash": h, "name": n} for h, n in err.candidates]
    if error_code(err) == "internal_error":
        out["message"] = "internal error (see the daemon's log)"
    return out
