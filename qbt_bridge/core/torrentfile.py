"""Reading and making ``.torrent`` files: bencode, the info-hash, and magnet links.

Written here rather than taken from a package: the engine needs only these few functions (check
that uploaded bytes are a torrent, read its hash and name, make tiny torrents for tests and the
benchmark), and the known bencode packages are unmaintained or pull in far more.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

DEFAULT_PIECE_LENGTH = 16 * 1024


class BencodeError(ValueError):
    """The bytes are not valid bencode."""


def bencode(value: Any) -> bytes:
    """Encode ints, bytes/str, lists and dicts (keys sorted, as the format demands)."""
    if isinstance(value, bool):
        raise TypeError("bencode has no booleans")
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, (list, tuple)):
        return b"l" + b"".join(bencode(item) for item in value) + b"e"
    if isinstance(value, dict):
        items = sorted((k.encode() if isinstance(k, str) else k, v) for k, v in value.items())
        return b"d" + b"".join(bencode(k) + bencode(v) for k, v in items) + b"e"
    raise TypeError(f"cannot bencode {type(value).__name__}")


MAX_DEPTH = 64  # real torrents nest a few levels; deeper input is refused, not recursed into


def bdecode(data: bytes) -> Any:
    """Decode one bencoded value that spans all of ``data``."""
    value, end = _decode(data, 0, 0)
    if end != len(data):
        raise BencodeError("trailing data after the bencoded value")
    return value


def _decode(data: bytes, pos: int, depth: int) -> tuple[Any, int]:  # noqa: C901, PLR0912
    if pos >= len(data):
        raise BencodeError("truncated data")
    head = data[pos : pos + 1]
    if head == b"i":
        end = data.find(b"e", pos)
        if end < 0:
            raise BencodeError("unterminated integer")
        digits = data[pos + 1 : end]
        if not re.fullmatch(rb"-?[0-9]{1,40}", digits):
            raise BencodeError("bad integer")
        return int(digits), end + 1
    if head in {b"l", b"d"}:
        if depth >= MAX_DEPTH:
            raise BencodeError("nested too deeply")
        items: list[Any] = []
        pos += 1
        while data[pos : pos + 1] != b"e":
            if pos >= len(data):
                raise BencodeError("unterminated list or dict")
            item, pos = _decode(data, pos, depth + 1)
            items.append(item)
        if head == b"l":
            return items, pos + 1
        if len(items) % 2:
            raise BencodeError("dict with a key but no value")
        keys = items[0::2]
        if not all(isinstance(k, bytes) for k in keys):
            raise BencodeError("dict key that is not a string")
        return dict(zip(keys, items[1::2], strict=True)), pos + 1
    if head.isdigit():
        colon = data.find(b":", pos)
        if colon < 0 or not data[pos:colon].isdigit():
            raise BencodeError("string without a valid length")
        # A length with more digits than the data's own length is truncated whatever its
        # value, and int() of thousands of digits is refused by Python itself.
        if colon - pos > len(str(len(data))):
            raise BencodeError("truncated string")
        length = int(data[pos:colon])
        start = colon + 1
        if start + length > len(data):
            raise BencodeError("truncated string")
        return data[start : start + length], start + length
    raise BencodeError(f"unexpected byte {head!r} at {pos}")


@dataclass(frozen=True, slots=True)
class TorrentMeta:
    """What the engine needs to know about a ``.torrent`` file before sending it."""

    info_hash: str  # v1 SHA-1, hex, lower case
    name: str
    total_size: int
    trackers: tuple[str, ...]
    file_count: int = 1  # files as qBittorrent lists them (BEP 47 padding files left out)


def read_torrent(data: bytes) -> TorrentMeta:
    """Check that ``data`` is a torrent file and read its hash, name and size.

    Raises BencodeError, and only BencodeError, with a reason a user can act on: every
    malformed file is bad input, never an internal error.
    """
    if not data.startswith(b"d"):
        raise BencodeError("not a torrent file (it does not start with a bencoded dictionary)")
    meta, info_bytes = _top_level(data)
    info = meta.get(b"info")
    if not isinstance(info, dict) or not isinstance(info.get(b"name"), bytes):
        raise BencodeError("not a torrent file (no info dictionary with a name)")
    if not isinstance(info.get(b"piece length"), int):
        raise BencodeError("not a torrent file (the info dictionary has no piece length)")
    pieces = info.get(b"pieces")
    if isinstance(pieces, bytes):  # v1 or hybrid: the id is the v1 hash
        if not pieces or len(pieces) % 20:
            raise BencodeError("not a torrent file (its pieces are not SHA-1 hashes)")
        info_hash = hashlib.sha1(info_bytes).hexdigest()  # noqa: S324 - BitTorrent v1 is SHA-1
        size = _total_size(info)
    elif info.get(b"meta version") == 2 and isinstance(info.get(b"file tree"), dict):
        # v2 only: qBittorrent names it by the v2 hash cut to 40 hex digits
        info_hash = hashlib.sha256(info_bytes).hexdigest()[:40]
        size = _tree_size(info[b"file tree"])
    else:
        raise BencodeError("not a torrent file (the info dictionary has no pieces)")
    name = info[b"name"].decode("utf-8", errors="replace")
    return TorrentMeta(info_hash, name, size, _trackers(meta), _file_count(info))


def _file_count(info: dict[bytes, Any]) -> int:
    """How many files a checked info dictionary lists (padding files are not counted)."""
    files = info.get(b"files")
    if isinstance(files, list):
        attrs = [entry.get(b"attr") for entry in files]
        return sum(not (isinstance(attr, bytes) and b"p" in attr) for attr in attrs)
    if b"length" in info:
        return 1
    return _tree_files(info.get(b"file tree") or {})


def _tree_files(tree: dict[bytes, Any]) -> int:
    return sum(1 if key == b"" else _tree_files(node) for key, node in tree.items())


def _tree_size(tree: dict[bytes, Any]) -> int:
    """The sum of the file lengths in a v2 ``file tree`` (a file is a node keyed by b"")."""
    total = 0
    for key, node in tree.items():
        if not isinstance(node, dict):
            raise BencodeError("not a torrent file (a malformed file tree)")
        if key == b"":
            length = node.get(b"length")
            if not isinstance(length, int) or length < 0:
                raise BencodeError("not a torrent file (a file without a size)")
            total += length
        else:
            total += _tree_size(node)
    return total


def _total_size(info: dict[bytes, Any]) -> int:
    """The sum of the file lengths, checking the shape a single- or multi-file torrent has."""
    if b"length" in info:
        length = info[b"length"]
        if not isinstance(length, int) or length < 0:
            raise BencodeError("not a torrent file (its length is not a size)")
        return length
    files = info.get(b"files")
    if not isinstance(files, list) or not files:
        raise BencodeError("not a torrent file (neither a length nor a list of files)")
    total = 0
    for entry in files:
        length = entry.get(b"length") if isinstance(entry, dict) else None
        path = entry.get(b"path") if isinstance(entry, dict) else None
        if not isinstance(length, int) or length < 0:
            raise BencodeError("not a torrent file (a file without a size)")
        if not isinstance(path, list) or not all(isinstance(p, bytes) for p in path):
            raise BencodeError("not a torrent file (a file without a path)")
        total += length
    return total


def _trackers(meta: dict[bytes, Any]) -> tuple[str, ...]:
    """Announce URLs, in order and once each; malformed entries are skipped, not trusted."""
    trackers: list[str] = []
    if isinstance(meta.get(b"announce"), bytes):
        trackers.append(meta[b"announce"].decode(errors="replace"))
    tiers = meta.get(b"announce-list")
    for tier in tiers if isinstance(tiers, list) else ():
        if isinstance(tier, list):
            trackers.extend(t.decode(errors="replace") for t in tier if isinstance(t, bytes))
    return tuple(dict.fromkeys(trackers))


def _top_level(data: bytes) -> tuple[dict[bytes, Any], bytes]:
    """Decode the top dictionary and keep the info dictionary's exact bytes (its hash)."""
    meta: dict[bytes, Any] = {}
    info_bytes = b""
    pos = 1
    while data[pos : pos + 1] != b"e":
        if pos >= len(data):
            raise BencodeError("truncated data")
        key, pos = _decode(data, pos, 1)
        if not isinstance(key, bytes):
            raise BencodeError("dict key that is not a string")
        start = pos
        meta[key], pos = _decode(data, pos, 1)
        if key == b"info":
            info_bytes = data[start:pos]
    if pos + 1 != len(data):
        raise BencodeError("trailing data after the bencoded value")
    return meta, info_bytes


def make_torrent(
    path: Path, *, piece_length: int = DEFAULT_PIECE_LENGTH, trackers: tuple[str, ...] = ()
) -> bytes:
    """Make a ``.torrent`` for a file or a folder (files in sorted order)."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file())
        entries = [
            {"length": f.stat().st_size, "path": list(f.relative_to(path).parts)} for f in files
        ]
    else:
        files = [path]
        entries = []
    pieces = bytearray()
    buffer = b""
    for file in files:
        with file.open("rb") as handle:
            while chunk := handle.read(piece_length - len(buffer)):
                buffer += chunk
                if len(buffer) == piece_length:
                    pieces += hashlib.sha1(buffer).digest()  # noqa: S324
                    buffer = b""
    if buffer or not pieces:
        pieces += hashlib.sha1(buffer).digest()  # noqa: S324
    info: dict[str, Any] = {
        "name": path.name,
        "piece length": piece_length,
        "pieces": bytes(pieces),
    }
    if entries:
        info["files"] = entries
    else:
        info["length"] = path.stat().st_size
    meta: dict[str, Any] = {"info": info, "created by": "qbt-bridge"}
    if trackers:
        meta["announce"] = trackers[0]
        meta["announce-list"] = [[t] for t in trackers]
    return bencode(meta)


_BTIH_HEX = re.compile(r"^[0-9a-fA-F]{40}$")
_BTIH_BASE32 = re.compile(r"^[A-Za-z2-7]{32}$")
_BTMH = re.compile(r"^1220[0-9a-fA-F]{64}$")
_TORRENT_ID = re.compile(r"^[0-9a-fA-F]{40}$|^[0-9a-fA-F]{64}$")
_ID_SEPARATORS = re.compile(r"[|,\s]+")


def parse_hashes(values: Iterable[str]) -> list[str]:
    """Torrent ids from a push (repeated fields or ``|``/``,``/space separated), lower-cased.

    An empty value or qBittorrent's ``-`` (no such hash) is skipped; no id at all asks for a
    sweep. Raises ValueError naming the first value that is not a torrent id.
    """
    found: list[str] = []
    for value in values:
        for word in _ID_SEPARATORS.split(value.strip()):
            if not word or word == "-":
                continue
            if not _TORRENT_ID.match(word):
                raise ValueError(f"not a torrent id (40 or 64 hex digits): {word[:70]!r}")
            found.append(word.lower())
    return found


def magnet_info_hash(uri: str) -> str:
    """Check a magnet link and return its v1 info-hash (hex) or v2 multihash.

    Raises ValueError that says what is wrong with the link.
    """
    parts = urlsplit(uri.strip())
    if parts.scheme.lower() != "magnet":
        raise ValueError("not a magnet link (it must start with magnet:?)")
    params = parse_qs(parts.query)
    topics = params.get("xt", [])
    if not topics:
        raise ValueError("magnet link without an xt=urn:btih:… parameter")
    for topic in topics:
        lowered = topic.lower()
        if lowered.startswith("urn:btih:"):
            value = topic[9:]
            if _BTIH_HEX.match(value):
                return value.lower()
            if _BTIH_BASE32.match(value):
                return base64.b32decode(value.upper()).hex()
            raise ValueError("magnet link with a malformed info-hash (want 40 hex or 32 base32)")
        if lowered.startswith("urn:btmh:") and _BTMH.match(topic[9:]):
            return topic[9:].lower()
    raise ValueError("magnet link without a BitTorrent info-hash (urn:btih or urn:btmh)")


def torrent_to_magnet(meta: TorrentMeta) -> str:
    """A magnet link for a torrent (hash and name; trackers left out on purpose)."""
    return f"magnet:?xt=urn:btih:{meta.info_hash}&dn={quote(meta.name)}"
