"""Every parser of outside input, fuzzed: it answers or refuses with the engine's own error.

Pure functions, so each runs thousands of generated inputs in seconds: MQTT command payloads
(lone surrogates included), .torrent files, daemon configs, the legacy clients' list parsers
and the chat's command arguments.
"""

# ruff: noqa: PT017 - each example may answer or refuse; the refusal's text is checked

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qbt_bridge.api.commands import COMMANDS
from qbt_bridge.api.parse import parse_payload
from qbt_bridge.clients.legacy.qbittorrent31 import QBittorrent31Client, parse_torrent
from qbt_bridge.clients.legacy.utorrent import UTorrentClient, parse_row
from qbt_bridge.core.errors import APIError, InvalidRequestError
from qbt_bridge.core.torrentfile import BencodeError, TorrentMeta, bencode, read_torrent
from qbt_bridge.daemon.config import ConfigError, parse_config
from qbt_bridge.telegram.adding import add_arguments
from qbt_bridge.telegram.rss import rule_from_words

pytestmark = pytest.mark.unit  # the fast tier: no daemon

# Any code point, lone surrogates included (JSON can spell them as \ud83d escapes).
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=30)
LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), ANY_TEXT)
JSON = st.recursive(
    LEAF,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
    max_leaves=12,
)
ARGUMENTS = sorted({str(key.schema) for c in COMMANDS.values() for key in c.schema.schema})
PAYLOADS = st.one_of(
    st.binary(max_size=200),
    ANY_TEXT.map(lambda t: t.encode("utf-8", errors="surrogatepass")),
    st.dictionaries(st.sampled_from([*ARGUMENTS, "request_id"]) | ANY_TEXT, JSON, max_size=5).map(
        lambda d: json.dumps(d).encode()  # ASCII: surrogates become \\ud83d escapes
    ),
)


def _is_text(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@settings(max_examples=10_000, deadline=None, derandomize=True)
@given(name=st.sampled_from(sorted(COMMANDS)), payload=PAYLOADS)
def test_command_payloads_parse_or_are_refused(name: str, payload: bytes) -> None:
    try:
        request = parse_payload(name, payload)
    except InvalidRequestError as err:
        assert str(err)
        return
    assert _is_text({k: v for k, v in request.args.items() if not isinstance(v, bytes)})
    assert request.request_id is None or _is_text(request.request_id)


BENCODABLE = st.recursive(
    st.integers() | st.binary(max_size=20),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(
        st.sampled_from([b"info", b"name", b"length", b"files", b"path", b"pieces",
                         b"piece length", b"announce", b"announce-list", b"meta version",
                         b"file tree", b""]) | st.binary(max_size=6),
        inner,
        max_size=6,
    ),
    max_leaves=20,
)  # fmt: skip


@settings(max_examples=10_000, deadline=None, derandomize=True)
@given(data=st.one_of(BENCODABLE.map(bencode), st.binary(max_size=300)))
def test_torrent_files_read_or_are_refused(data: bytes) -> None:
    try:
        meta = read_torrent(data)
    except BencodeError as err:
        assert str(err)
        return
    assert isinstance(meta, TorrentMeta)
    assert meta.total_size >= 0


# Digits of any length: Python's int() refuses strings of over 4300 digits with a ValueError of
# its own, which a length prefix or an integer of that size must never reach.
DIGITS = st.one_of(
    st.integers(min_value=0).map(str),
    st.tuples(st.integers(min_value=1, max_value=12_000), st.sampled_from("0123456789")).map(
        lambda t: t[1] * t[0]
    ),
    st.text("0123456789", min_size=1, max_size=60),
)
AROUND_DIGITS = st.tuples(
    st.sampled_from(
        [b"", b"d", b"d4:info", b"d4:infod4:name", b"d4:infod4:name3:abc12:piece length"]
    ),
    st.sampled_from([b"", b"i", b"i-"]),
    DIGITS.map(str.encode),
    st.sampled_from([b"", b":", b":abc", b"e", b"ee", b"eee"]),
)


@settings(max_examples=2_000, deadline=None, derandomize=True)
@given(parts=AROUND_DIGITS, encoded=st.booleans())
def test_length_prefixes_and_integers_of_any_length_are_refused_or_read(
    parts: tuple[bytes, bytes, bytes, bytes], encoded: bool
) -> None:
    data = b"".join(parts)
    try:
        meta = read_torrent(data)
    except BencodeError as err:
        assert str(err)
    else:
        assert isinstance(meta, TorrentMeta)
    # The same bytes as an MQTT add payload (raw, or base64 as a JSON file): parsed or refused.
    payload = json.dumps({"file": base64.b64encode(data).decode()}).encode() if encoded else data
    try:
        parse_payload("add", payload)
    except InvalidRequestError as err:
        assert str(err)


def test_the_reported_shape_is_refused_as_a_bad_torrent() -> None:
    with pytest.raises(BencodeError, match="truncated string"):
        read_torrent(b"d4:infod4:name" + b"7" * 5_000 + b":x")


def test_deeply_nested_torrents_are_refused() -> None:
    for depth in (100, 5_000, 100_000):
        for data in (b"d4:info" + b"l" * depth + b"e" * depth + b"e", b"l" * depth):
            try:
                read_torrent(data)
            except BencodeError:
                continue
            raise AssertionError(f"depth {depth} accepted")


CONFIG_KEYS = st.sampled_from(
    [
        "instances",
        "mqtt",
        "telegram",
        "state_dir",
        "id",
        "url",
        "username",
        "password",
        "api_key",
        "port",
        "host",
        "tls",
        "ca_file",
        "token",
        "users",
        "client",
        "prefix",
        "protocol",
    ]
)
CONFIGS = st.recursive(
    LEAF,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(CONFIG_KEYS | ANY_TEXT, inner, max_size=5),
    max_leaves=15,
)  # fmt: skip


@settings(max_examples=3_000, deadline=None, derandomize=True)
@given(data=CONFIGS | st.fixed_dictionaries({"instances": st.lists(CONFIGS, max_size=2)}))
def test_config_values_load_or_are_refused_with_their_path(data: Any) -> None:
    try:
        parse_config(data)
    except ConfigError as err:
        assert str(err)


ROW_VALUE = st.one_of(st.integers(), st.text(max_size=8), st.none(), st.floats(allow_nan=False))


@settings(max_examples=3_000, deadline=None, derandomize=True)
@given(
    rows=st.lists(st.lists(ROW_VALUE, max_size=30) | ROW_VALUE, max_size=3),
    items=st.lists(
        st.dictionaries(
            st.sampled_from(["hash", "name", "size", "progress", "dlspeed", "upspeed", "eta",
                             "ratio", "priority", "num_seeds", "state"]),
            ROW_VALUE,
        ) | ROW_VALUE,
        max_size=3,
    ),
)  # fmt: skip
def test_legacy_list_entries_parse_or_are_the_servers_error(rows: Any, items: Any) -> None:
    for client, parse, entries in (
        (UTorrentClient("http://127.0.0.1:9"), parse_row, rows),
        (QBittorrent31Client("http://127.0.0.1:9"), parse_torrent, items),
    ):
        try:
            parsed = client._read_rows(parse, entries)
        except APIError as err:
            assert client.product in str(err)
            continue
        assert all(isinstance(row["hash"], str) for row in parsed.values())


WORDS = st.lists(
    st.one_of(
        ANY_TEXT,
        st.sampled_from(["paused", "category=tv", "tags=a,b", "tags=", "cat=", "must=x",
                         "regex=yes", "feeds=TV", "feeds=", "episode=1x01-", "save=/x", "=",
                         "magnet:?xt=urn:btih:" + "ab" * 20, "http://127.0.0.1/x.torrent"]),
    ),
    max_size=6,
)  # fmt: skip


@settings(max_examples=5_000, deadline=None, derandomize=True)
@given(words=WORDS)
def test_chat_command_arguments_parse_or_are_refused(words: list[str]) -> None:
    try:
        links, options = add_arguments(words)
    except InvalidRequestError as err:
        assert str(err)
    else:
        assert set(options) <= {"category", "tags", "paused"}
        assert all(link in words for link in links)
    try:
        name, options = rule_from_words(words)
    except InvalidRequestError as err:
        assert str(err)
    else:
        assert name == words[0]
        assert set(options) <= {
            "must_contain",
            "must_not_contain",
            "use_regex",
            "episode_filter",
            "feeds",
            "category",
            "save_path",
        }
