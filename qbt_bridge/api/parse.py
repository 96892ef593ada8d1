"""Reading a command from a message into a validated Request.

A payload is a JSON object, plain text or raw .torrent bytes; what cannot be read is an
InvalidRequestError saying why.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import voluptuous as vol

from qbt_bridge.api.answers import error_reply
from qbt_bridge.api.commands import ALL_INSTANCES, COMMANDS, INSTANCES, Command, Name
from qbt_bridge.core.errors import InvalidRequestError, NotFoundError, QbtBridgeError
from qbt_bridge.engine.bridge import Bridge


@dataclass(frozen=True, slots=True)
class Request:
    """A parsed command: what to run, with which arguments, and the caller's request id."""

    command: Command
    args: dict[str, Any]
    request_id: str | int | None = None


def lookup(name: str) -> Command:
    """The command of that name; an unknown name is an InvalidRequestError listing the known."""
    command = COMMANDS.get(name)
    if command is None:
        shown = name if len(name) <= 40 and name.isprintable() else repr(name[:40])
        raise InvalidRequestError(
            f"unknown command {shown!r}; known: {', '.join(sorted(COMMANDS))}"
        )
    return command


def request_id_of(payload: bytes) -> str | int | None:
    """The ``request_id`` of a JSON payload, if one can be read (for answers to bad requests)."""
    try:
        data = json.loads(payload)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    rid = data.get("request_id") if isinstance(data, dict) else None
    return rid if _valid_request_id(rid) else None


def _valid_request_id(rid: Any) -> bool:
    if isinstance(rid, bool):
        return False
    return isinstance(rid, int) or (isinstance(rid, str) and 0 < len(rid) <= 128 and _is_text(rid))


def _is_text(value: Any) -> bool:
    """Whether every string in a decoded JSON value is real Unicode (no lone surrogate).

    JSON may spell a lone UTF-16 surrogate (``"\\ud83d"``); Python decodes it into a string that
    can be neither encoded for an answer nor sent to qBittorrent.
    """
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_payload(name: str, payload: bytes) -> Request:
    """Turn a message payload into a Request, or raise InvalidRequestError saying why.

    A payload is a JSON object of arguments (with an optional ``request_id``), or for simple
    commands a plain text (``ON``, a magnet, a hash …); ``add`` also takes raw .torrent bytes.
    """
    command = lookup(name)
    if len(payload) > command.max_payload:
        raise InvalidRequestError(
            f"payload of {len(payload)} bytes is over the limit of {command.max_payload} bytes"
        )
    try:
        text = payload.decode("utf-8").strip()
    except UnicodeDecodeError:
        if command.name is Name.ADD:
            return Request(command, _validate(command, {"file": payload}))
        raise InvalidRequestError("payload is not UTF-8 text (send JSON or plain text)") from None
    request_id = None
    if text.startswith(("{", "[", '"')):
        args, request_id = _json_args(text)
    elif command.name == "add" and text.startswith("d") and text[1:2].isdigit():
        args = {"file": payload}  # a .torrent that happens to be valid UTF-8
    elif not text:
        args = {}
    elif command.plain is not None:
        args = command.plain(text)
    else:
        raise InvalidRequestError(f"{command.name} takes a JSON object: {_shape(command)}")
    return Request(command, _validate(command, args), request_id)


def _json_args(text: str) -> tuple[dict[str, Any], str | int | None]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise InvalidRequestError(f"payload is not valid JSON: {err}") from None
    if not isinstance(data, dict):
        raise InvalidRequestError('a JSON payload must be an object, e.g. {"torrents": "all"}')
    if not _is_text(data):
        raise InvalidRequestError(
            "payload holds a lone UTF-16 surrogate escape (such as \\ud83d): not valid text"
        )
    request_id = data.pop("request_id", None)
    if request_id is not None and not _valid_request_id(request_id):
        raise InvalidRequestError("request_id must be a string (1-128 chars) or an integer")
    return data, request_id


def _shape(command: Command) -> str:
    keys = []
    for key in command.schema.schema:
        mark = "" if isinstance(key, vol.Required) else "?"
        keys.append(f"{key.schema}{mark}")
    return "{" + ", ".join(keys) + "}"


def _validate(command: Command, args: dict[str, Any]) -> dict[str, Any]:
    try:
        valid: dict[str, Any] = command.schema(args)
    except vol.MultipleInvalid as err:
        raise InvalidRequestError(
            f"{command.name}: " + "; ".join(_invalid(e) for e in err.errors)
        ) from None
    except vol.Invalid as err:
        raise InvalidRequestError(f"{command.name}: {_invalid(err)}") from None
    return valid


def _invalid(err: vol.Invalid) -> str:
    where = ".".join(str(p) for p in err.path) or "payload"
    message = {
        "extra keys not allowed": "unknown argument",
        "required key not provided": "required",
    }
    return f"{where}: {message.get(err.msg, err.msg)}"


def request(name: Name, args: dict[str, Any]) -> Request:
    """A command, named by its typed name, from arguments a front already has as data."""
    command = lookup(name)
    return Request(command, _validate(command, args))


async def execute(bridge: Bridge, request: Request) -> Any:
    """Run a parsed request against a bridge; raises the engine's typed errors.

    A request that names several servers (``instances``) is ``execute_across``'s: refused here.
    """
    if INSTANCES in request.args:
        raise InvalidRequestError(
            "instances: this front acts on one server (the daemon's MQTT and chat take several)"
        )
    return await request.command.run(bridge, request.args)


async def execute_across(
    bridges: Mapping[str, Bridge],
    request: Request,
    run: Callable[[str, Request], Awaitable[Any]],
) -> dict[str, Any]:
    """Run a request on each server its ``instances`` names (``all``: each of ``bridges``).

    All at once; ``run(instance, request)`` carries it out on one (``execute`` on its bridge,
    as the front does it). One answer per server, under ``servers``: ``{"ok": true, "result":
    …}`` or ``{"ok": false, "error": …}``. A name that is not one of ``bridges`` refuses the
    whole request before anything is done.
    """
    named = request.args[INSTANCES]
    chosen = list(bridges) if named == ALL_INSTANCES else list(dict.fromkeys(named))
    unknown = [name for name in chosen if name not in bridges]
    if unknown:
        raise NotFoundError(
            f"instances: no {', '.join(map(repr, unknown))} here (known: {', '.join(bridges)})"
        )
    one = Request(
        request.command,
        {key: value for key, value in request.args.items() if key != INSTANCES},
        request.request_id,
    )
    done = await asyncio.gather(*(run(name, one) for name in chosen), return_exceptions=True)
    servers: dict[str, Any] = {}
    for name, outcome in zip(chosen, done, strict=True):
        if isinstance(outcome, QbtBridgeError):
            servers[name] = {"ok": False, "error": error_reply(outcome)}
        elif isinstance(outcome, BaseException):
            raise outcome
        else:
            servers[name] = {"ok": True, "result": outcome}
    return {"servers": servers}
