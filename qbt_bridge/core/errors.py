"""The one exception tree of qbt-bridge: callers catch these, never aiohttp's."""

from __future__ import annotations


class QbtBridgeError(Exception):
    """Root of every error the library raises."""


class ConnectionFailedError(QbtBridgeError):
    """The server could not be reached or did not answer in time; retrying may help.

    The message is for logs (it names the URL); ``reason`` is the short cause for people,
    without addresses or exception names ("it refused the connection").
    """

    def __init__(self, message: str, reason: str = "it did not answer") -> None:
        super().__init__(message)
        self.reason = reason


class AuthenticationError(QbtBridgeError):
    """The server refused the credentials (or the API key); ask the user for new ones."""


class LoginBannedError(AuthenticationError):
    """The server banned this IP address after too many failed logins."""


class NotFoundError(QbtBridgeError):
    """The torrent, search job or other item named in the request does not exist."""


class InvalidRequestError(QbtBridgeError):
    """The server rejected the request's content (HTTP 400 or 409); tell the user why."""


class InvalidTorrentFileError(InvalidRequestError):
    """The server says the uploaded data is not a valid torrent file (HTTP 415)."""


class AddTorrentError(InvalidRequestError):
    """The server accepted the request but added none of the torrents."""


class APIError(QbtBridgeError):
    """The server answered with something the protocol does not allow (5xx, garbage)."""


class UnsupportedVersionError(QbtBridgeError):
    """The server's version is outside the range this library supports."""


class EndpointNotImplementedError(QbtBridgeError, NotImplementedError):
    """The server's API version does not have this endpoint."""


class NotSupportedError(QbtBridgeError):
    """The torrent client behind this connection cannot do what was asked."""


class AmbiguousTargetError(InvalidRequestError):
    """A hash prefix or name fragment matches more than one torrent."""

    def __init__(self, target: str, candidates: list[tuple[str, str]]) -> None:
        self.target = target
        self.candidates = candidates  # (hash, name) pairs
        listed = "; ".join(f"{name} ({torrent_hash[:8]})" for torrent_hash, name in candidates[:10])
        more = f" and {len(candidates) - 10} more" if len(candidates) > 10 else ""
        super().__init__(f"{target!r} matches {len(candidates)} torrents: {listed}{more}")
