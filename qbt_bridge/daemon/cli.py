"""The ``qbt-bridge`` command."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import logging
import os
import secrets
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path

import aiohttp

from qbt_bridge import __version__
from qbt_bridge.clients import open_client
from qbt_bridge.clients.qbittorrent import (
    ENV_API_KEY,
    ENV_DO_NOT_VERIFY,
    ENV_HOST,
    ENV_PASSWORD,
    ENV_USERNAME,
)
from qbt_bridge.core.errors import QbtBridgeError
from qbt_bridge.core.units import format_bytes, format_speed
from qbt_bridge.daemon.config import Config, ConfigError, load_config
from qbt_bridge.daemon.demo import LocalQBittorrent
from qbt_bridge.daemon.homeassistant import LocalHomeAssistant
from qbt_bridge.daemon.process import Daemon, check_health
from qbt_bridge.daemon.showcase import DEMO_NAME, Showcase
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.engine.push import PushReceiver, push_line, send_notify

_LOGGER = logging.getLogger("qbt_bridge")
ENV_CONFIG = "QBT_BRIDGE_CONFIG"  # the config file when --config is not given (containers)
ENV_PUSH_SECRET = "QBT_BRIDGE_PUSH_SECRET"  # noqa: S105 - a variable name


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    commands = {
        "run": _run,
        "check-config": _check_config,
        "status": _status,
        "notify": _notify,
        "push-line": _push_line,
        "health": _health,
    }
    if args.command not in commands:
        parser.print_help()
        return 2
    return commands[args.command](args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qbt-bridge", description="qBittorrent in Home Assistant, MQTT and Telegram."
    )
    parser.add_argument("--version", action="version", version=f"qbt-bridge {__version__}")
    parser.add_argument("--debug", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser(
        "run",
        help="run the daemon (MQTT and Telegram fronts) for the instances in a config file",
        description=(
            "Runs until SIGINT/SIGTERM. With --demo and no config, starts a throwaway "
            "qbittorrent-nox and Mosquitto on loopback and serves them."
        ),
    )
    run.add_argument("--config", type=Path, default=_env_config(), help=CONFIG_HELP)
    run.add_argument(
        "--demo", action="store_true", help="throwaway local qBittorrent and Mosquitto"
    )
    run.add_argument(
        "--home-assistant",
        action="store_true",
        help="with the demo: also a throwaway Home Assistant with the integration and its card "
        "for the demo's qBittorrent (needs Home Assistant in this Python: scripts/run "
        "--home-assistant installs it)",
    )
    check = sub.add_parser("check-config", help="validate a config file and exit")
    _config_argument(check)
    status = sub.add_parser(
        "status",
        help="show a qBittorrent's live status",
        description=(
            "Show version, speeds and torrent counts. The server comes from --host or "
            f"${ENV_HOST}, credentials from --username/--password/--api-key or "
            "QBITTORRENTAPI_USERNAME/PASSWORD/API_KEY (the flags win); with no server, a "
            "throwaway local qbittorrent-nox is started and stopped again."
        ),
    )
    status.add_argument("--host", help="WebUI URL, e.g. http://nas:8080")
    status.add_argument("--username", help="WebUI user")
    status.add_argument(
        "--password",
        help="WebUI password (other users of this machine can read a command line: "
        "QBITTORRENTAPI_PASSWORD is safer)",
    )
    status.add_argument("--api-key", help="API key (qBittorrent >= 5.2), instead of a password")
    status.add_argument("--watch", action="store_true", help="refresh until interrupted")
    status.add_argument("--interval", type=float, default=2.0, help="seconds between refreshes")
    status.add_argument(
        "--insecure", action="store_true", help="do not verify the WebUI's TLS certificate"
    )
    notify = sub.add_parser(
        "notify",
        help="tell a running qbt-bridge about torrents (for qBittorrent's external program)",
        description=(
            "Posts torrent ids to a push endpoint (the daemon's http://HOST:PORT/push/ID, or "
            "Home Assistant's webhook) so they are refreshed at once. In qBittorrent's 'Run "
            f"external program' put: qbt-bridge notify --url URL %K. The secret comes from "
            f"--secret or ${ENV_PUSH_SECRET}."
        ),
    )
    notify.add_argument("--url", required=True, help="the push URL (…/push/ID)")
    notify.add_argument("--secret", help=f"the push secret (default ${ENV_PUSH_SECRET})")
    notify.add_argument("hashes", nargs="*", help="torrent ids (%%K); none: a full refresh")
    line = sub.add_parser(
        "push-line",
        help="print the line for qBittorrent's 'run external program' (secret included)",
    )
    _config_argument(line)
    health = sub.add_parser(
        "health",
        help="exit 0 while a running daemon is healthy (for container health checks)",
        description=(
            "Reads the health file the daemon rewrites every 15 s in its state folder: healthy "
            "while it is fresh (at most 60 s old) and the MQTT broker, if any, is connected. "
            "A qBittorrent that is down is shown, not counted."
        ),
    )
    _config_argument(health)
    return parser


CONFIG_HELP = f"YAML config file (default ${ENV_CONFIG})"


def _env_config() -> Path | None:
    value = os.environ.get(ENV_CONFIG)
    return Path(value) if value else None


def _config_argument(parser: argparse.ArgumentParser) -> None:
    default = _env_config()
    parser.add_argument(
        "--config", type=Path, default=default, required=default is None, help=CONFIG_HELP
    )


def _load(path: Path) -> Config | None:
    """The config, or None after saying on stderr what is wrong with it."""
    try:
        return load_config(path)
    except ConfigError as err:
        print(f"qbt-bridge: {path}: {err}", file=sys.stderr)
        return None


def _health(args: argparse.Namespace) -> int:
    if (config := _load(args.config)) is None:
        return 2
    healthy, text = check_health(config.state_dir)
    print(f"qbt-bridge: {text}", file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


def _check_config(args: argparse.Namespace) -> int:
    if (config := _load(args.config)) is None:
        return 2
    fronts = " and ".join(
        name for name, on in (("MQTT", config.mqtt), ("Telegram", config.telegram)) if on
    )
    print(f"{args.config}: valid ({len(config.instances)} instance(s), {fronts or 'no front'})")
    for instance in config.instances:  # as resolved (!env, !file), secrets masked
        server = instance.server
        login = (
            "api key ****"
            if server.api_key
            else f"user {server.username or '-'}, password {'****' if server.password else '-'}"
        )
        manage = f", qbit_manage {server.manage_url}" if server.manage_url else ""
        print(f"  {instance.id}: {server.url} ({server.kind}; {login}{manage})")
    if config.push is not None:
        secret = "****" if config.push.secret else None
        print(f"push endpoint on {config.push.listen}:{config.push.port}; qBittorrent runs:")
        for instance_id, url in _push_urls(config).items():
            print(f"  {instance_id}: {push_line(url, secret)}")
        if secret:
            print(f"  (`qbt-bridge push-line --config {args.config}` prints it with the secret)")
    return 0


def _push_urls(config: Config) -> dict[str, str]:
    """Each instance's push URL as qBittorrent reaches it."""
    assert config.push is not None  # noqa: S101
    push = config.push
    receiver = PushReceiver({}, push.listen, push.port)
    return {i.id: receiver.url(i.id, push.url) for i in config.instances}


def _push_line(args: argparse.Namespace) -> int:
    if (config := _load(args.config)) is None:
        return 2
    if config.push is None:
        print(f"qbt-bridge: {args.config}: no push: section", file=sys.stderr)
        return 2
    for instance_id, url in _push_urls(config).items():
        print(f"{instance_id}: {push_line(url, config.push.secret)}")
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.demo or args.config is None:
        if args.config not in (None, _env_config()):
            print("qbt-bridge run: give --config or --demo, not both", file=sys.stderr)
            return 2
        with _demo() as demo, _home_assistant(demo, wanted=args.home_assistant):
            return _serve(demo.config(), debug=args.debug, once_serving=demo.start_transfer)
    if args.home_assistant:
        print("qbt-bridge run: --home-assistant goes with the demo, not --config", file=sys.stderr)
        return 2
    if (config := _load(args.config)) is None:
        return 2
    return _serve(config, debug=args.debug)


def _serve(
    config: Config,
    *,
    debug: bool,
    once_serving: Callable[[], Awaitable[None]] | None = None,
) -> int:
    level = logging.DEBUG if debug else getattr(logging, config.log_level.upper())
    logging.getLogger().setLevel(level)

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        daemon = Daemon(config)
        async with asyncio.TaskGroup() as group:
            group.create_task(daemon.run(stop))
            if once_serving is not None:
                group.create_task(_when_serving(daemon, stop, once_serving))

    asyncio.run(serve())
    return 0


async def _when_serving(
    daemon: Daemon, stop: asyncio.Event, job: Callable[[], Awaitable[None]]
) -> None:
    """Run ``job`` once every server has been read once (the demo's transfer starts then)."""
    while not stop.is_set() and not all(b.store.initialised for b in daemon.bridges):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.2)
    if not stop.is_set():
        try:
            await job()
        except (QbtBridgeError, TimeoutError) as err:
            _LOGGER.warning("the demo's transfer did not start: %s", err)


@contextlib.contextmanager
def _demo() -> Iterator[Showcase]:
    """Two throwaway qBittorrents (one seeds the other) and a Mosquitto, removed on exit."""
    demo = Showcase()
    try:
        demo.start()
        port, qbt = demo.broker.port, demo.qbt
        pub = f"mosquitto_pub -h 127.0.0.1 -p {port} -t qbt-bridge/demo/cmd"
        print(
            f"Demo: qBittorrent WebUI at {qbt.url} (user {qbt.username}, password "
            f"{qbt.password}), Mosquitto on 127.0.0.1:{port}; all removed on exit.\n"
            f"Watch:  mosquitto_sub -h 127.0.0.1 -p {port} -t 'qbt-bridge/#' -v\n"
            f"In a few seconds {DEMO_NAME}.bin ({demo.size // 2**20} MiB) starts downloading "
            f"from a second throwaway qBittorrent, limited to {demo.rate // 1024} KiB/s (about "
            "a minute): speeds, progress, an 'added' and a 'completed' event.\n"
            f"Pause:  {pub}/pause -m {DEMO_NAME}\n"
            f"Resume: {pub}/resume -m {DEMO_NAME}\n"
            f"Try:    {pub}/alt_speed -m ON\n"
            "Home Assistant on this machine: Settings → Devices & services → Add integration "
            f"→ MQTT, broker 127.0.0.1, port {port} (no user); the device 'qBittorrent demo' "
            "appears with its entities (the broker listens on loopback only).\n"
            "Stop with Ctrl-C.",
            flush=True,
        )
        yield demo
    finally:
        demo.cleanup()


@contextlib.contextmanager
def _home_assistant(demo: Showcase, *, wanted: bool) -> Iterator[None]:
    """A throwaway Home Assistant whose dashboard shows the demo's qBittorrent in the card."""
    if not wanted:
        yield
        return
    if importlib.util.find_spec("homeassistant") is None:
        raise SystemExit(
            "qbt-bridge run: Home Assistant is not installed in this Python: run "
            "scripts/run --home-assistant from a clone (it installs it into .venv)"
        )
    hass = LocalHomeAssistant()
    password = secrets.token_urlsafe(9)
    try:
        print("Home Assistant starting (the first start takes a minute) …", flush=True)
        hass.start()
        path = asyncio.run(_set_up_home_assistant(hass, demo, password))
        print(
            f"Home Assistant at {hass.base}{path} (user demo, password {password}): "
            "the card shows the demo's torrents, live; its log is "
            f"{hass.log}. Removed on exit.",
            flush=True,
        )
        yield
    finally:
        hass.cleanup()


async def _set_up_home_assistant(hass: LocalHomeAssistant, demo: Showcase, password: str) -> str:
    """Onboard, add the demo's qBittorrent (with push), put the card on the dashboard."""
    async with aiohttp.ClientSession() as session:
        await hass.wait_ready(session)
        owner = await hass.onboard(session, "demo", password)
        qbt = demo.qbt
        await hass.add_qbittorrent(
            session, owner, url=qbt.url, username=qbt.username, password=qbt.password
        )
        return await hass.show_card(session, owner, {"type": "custom:qbt-bridge-card"})


def _notify(args: argparse.Namespace) -> int:
    secret = args.secret or os.environ.get(ENV_PUSH_SECRET) or None
    try:
        asyncio.run(send_notify(args.url, args.hashes, secret))
    except (OSError, RuntimeError, aiohttp.ClientError) as err:
        print(f"qbt-bridge notify: {args.url}: {err}", file=sys.stderr)
        return 1
    return 0


def _status(args: argparse.Namespace) -> int:
    with _server(args.host) as (url, username, password):
        try:
            return asyncio.run(_show_status(url, username, password, args))
        except KeyboardInterrupt:
            return 0


@contextlib.contextmanager
def _server(host: str | None) -> Iterator[tuple[str | None, str | None, str | None]]:
    if host or os.environ.get(ENV_HOST):
        yield host, None, None
        return
    local = LocalQBittorrent()
    print(f"No {ENV_HOST} set: starting a throwaway qbittorrent-nox ...", flush=True)
    try:
        local.start()
        print(f"WebUI at {local.url} (user {local.username}); it is removed on exit.", flush=True)
        yield local.url, local.username, local.password
    finally:
        local.cleanup()


async def _show_status(
    url: str | None, username: str | None, password: str | None, args: argparse.Namespace
) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    env = os.environ
    if args.password:
        print(
            "qbt-bridge: a password on the command line can be read by other users of this "
            "machine; prefer QBITTORRENTAPI_PASSWORD",
            file=sys.stderr,
            flush=True,
        )
    try:
        client = await open_client(
            url or env.get(ENV_HOST) or "localhost:8080",
            _first(args.username, username, env.get(ENV_USERNAME)),
            _first(args.password, password, env.get(ENV_PASSWORD)),
            api_key=_first(args.api_key, env.get(ENV_API_KEY)) or None,
            verify_certificate=not (args.insecure or env.get(ENV_DO_NOT_VERIFY)),
        )
    except QbtBridgeError as err:
        print(f"{url}: {err}", file=sys.stderr, flush=True)
        return 1
    bridge = Bridge(client, "status")
    try:
        while True:
            try:
                print(await _status_text(bridge), flush=True)
            except QbtBridgeError as err:
                print(f"{client.product} at {client.base_url}: {err}", file=sys.stderr, flush=True)
                if not args.watch:
                    return 1
            if not args.watch:
                return 0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), args.interval)
            if stop.is_set():
                return 0
    finally:
        await bridge.close()


def _first(*values: str | None) -> str | None:
    """The first value given (a flag before the throwaway server's, before the environment)."""
    return next((v for v in values if v is not None), None)


async def _status_text(bridge: Bridge) -> str:
    """One snapshot read through the engine: the figures of the chat's /status and the sensors."""
    await bridge.refresh(full=True)
    client = bridge.client
    webapi = await client.webapi_version()
    release = f" (WebAPI {webapi})" if webapi is not None else ""
    supported = "" if await client.is_version_supported() else " (not a tested release)"
    server = bridge.store.server()
    counts = bridge.store.counts()
    total = counts.pop("total")
    listed = ", ".join(f"{n} {group}" for group, n in counts.items() if n)
    return "\n".join(
        [
            f"{client.product}{release}{supported} at {client.base_url}",
            f"  connection  {server.connection_status}, {server.dht_nodes} DHT nodes",
            _transfer_line(
                "download", server.download_speed, server.download_limit, server.downloaded_session
            ),
            _transfer_line(
                "upload", server.upload_speed, server.upload_limit, server.uploaded_session
            ),
            f"  alt speed   {'on' if server.alt_speed_enabled else 'off'}",
            f"  torrents    {total} total" + (f": {listed}" if listed else ""),
        ]
    )


def _transfer_line(label: str, speed: int, limit: int, session_total: int) -> str:
    cap = format_speed(limit) if limit > 0 else "none"
    return (
        f"  {label:<11} {format_speed(speed)} (limit {cap}), "
        f"{format_bytes(session_total)} this session"
    )


if __name__ == "__main__":
    sys.exit(main())
