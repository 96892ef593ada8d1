"""Throwaway local qBittorrent daemons: a fresh profile, a free loopback port, stopped by PID.

``qbt-bridge run --demo`` runs two and a Mosquitto (``showcase.Showcase``), and ``qbt-bridge
status`` one when the user names no server; the tests use them for every release they cover.
This module needs nothing beyond the standard library (the tests of the Home Assistant
integration use it where the daemon's extras are not installed). Three kinds of binary are known:

* ``host``   - the machine's own ``qbittorrent-nox`` (Debian 12: 4.5.2, Debian 13: 5.1.x);
* ``trixie`` - Debian 13's 5.1.x unpacked with debootstrap, started through its own loader;
* ``forky``  - Debian testing's 5.3.x unpacked with debootstrap, started with ``chroot``.

``scripts/provision-qbittorrent`` unpacks the last two into the cache directory.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Self

START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


def cache_dir() -> Path:
    """Where unpacked qBittorrent releases live (outside any repository)."""
    if env := os.environ.get("QBT_BRIDGE_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "qbt-bridge"


def free_port() -> int:
    """Ask the kernel for a free TCP port on loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def password_pbkdf2(password: str) -> str:
    """QBittorrent's ``WebUI\\Password_PBKDF2`` value for a password."""
    salt = secrets.token_bytes(16)
    key = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, 100_000)
    return f"@ByteArray({base64.b64encode(salt).decode()}:{base64.b64encode(key).decode()})"


@dataclass(frozen=True, slots=True)
class Release:
    """How to start one kind of qbittorrent-nox binary."""

    name: str
    root: Path | None = None  # the unpacked system, for the debootstrap kinds
    chroot: bool = False

    @classmethod
    def named(cls, name: str) -> Self:
        """Look up ``host``, ``trixie`` or ``forky``."""
        if name == "host":
            return cls("host")
        if name == "trixie":
            return cls("trixie", cache_dir() / "trixie")
        if name == "forky":
            return cls("forky", cache_dir() / "forky", chroot=True)
        raise ValueError(f"unknown qBittorrent release kind {name!r}")

    @property
    def available(self) -> bool:
        """Whether the binary is on this machine."""
        if self.root is None:
            return shutil.which("qbittorrent-nox") is not None
        return (self.root / "usr/bin/qbittorrent-nox").exists()

    def workspace(self) -> Path:
        """A new empty directory the daemon can see (inside the chroot for ``forky``)."""
        base = self.root / "tmp" if self.chroot and self.root else None
        if base is not None:
            base.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="qbt-", dir=base))

    def inside(self, path: Path) -> Path:
        """The path the daemon sees for a host path in its workspace."""
        if self.chroot and self.root is not None:
            return Path("/") / path.relative_to(self.root)
        return path

    def command(self, profile: Path, port: int) -> tuple[list[str], dict[str, str]]:
        """The argv and environment that start the daemon with a profile and WebUI port."""
        args = [f"--profile={self.inside(profile)}", f"--webui-port={port}"]
        if self.root is None:
            env = {**os.environ, "HOME": str(profile)}
            return ["qbittorrent-nox", *args], env
        if self.chroot:
            env_args = ["env", "-i", "PATH=/usr/bin:/bin", "HOME=/root", "LANG=C.UTF-8"]
            argv = ["chroot", str(self.root), *env_args, "qbittorrent-nox"]
            return [*argv, *args, "--confirm-legal-notice"], {}
        root = self.root
        libs = ":".join(
            str(root / sub)
            for sub in (
                "usr/lib/x86_64-linux-gnu",
                "lib/x86_64-linux-gnu",
                "usr/lib/x86_64-linux-gnu/libproxy",
            )
        )
        env = {
            **os.environ,
            "HOME": str(profile),
            "QT_PLUGIN_PATH": str(root / "usr/lib/x86_64-linux-gnu/qt6/plugins"),
        }
        loader = str(root / "usr/lib64/ld-linux-x86-64.so.2")
        argv = [loader, "--library-path", libs, str(root / "usr/bin/qbittorrent-nox")]
        return [*argv, *args, "--confirm-legal-notice"], env


class ThrowawayProcess:
    """A server process of our own in a workspace folder: stopped, restarted, cleaned up."""

    workspace: Path
    _process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """PID of the running process."""
        return self._process.pid if self._process and self._process.poll() is None else None

    def start(self) -> None:
        """Start the process (each kind knows how)."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL) and wait for it."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def restart(self) -> None:
        """Stop and start again with the same files and port."""
        self.stop()
        self.start()

    def cleanup(self) -> None:
        """Stop the process and remove its workspace."""
        self.stop()
        with contextlib.suppress(OSError):
            shutil.rmtree(self.workspace)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup()


class LocalQBittorrent(ThrowawayProcess):
    """One throwaway qbittorrent-nox on 127.0.0.1 with its own profile and download folder."""

    def __init__(
        self,
        release: Release | None = None,
        *,
        username: str = "admin",
        password: str | None = None,
        max_auth_failures: int = 0,
        https: tuple[Path, Path] | None = None,
    ) -> None:
        self.release = release or Release.named("host")
        self.username = username
        self.password = password or secrets.token_urlsafe(12)
        self.max_auth_failures = max_auth_failures
        self.https = https
        self.workspace = self.release.workspace()
        self.profile = self.workspace / "profile"
        self.downloads = self.workspace / "downloads"
        self.downloads.mkdir(parents=True)
        self.port = free_port()
        self.bt_port = free_port()
        self._process: subprocess.Popen[bytes] | None = None
        self._log = self.workspace / "stdout.log"
        self._write_profile()

    @property
    def url(self) -> str:
        """Base URL of the WebUI."""
        scheme = "https" if self.https else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    @property
    def downloads_inside(self) -> str:
        """The download folder as the daemon sees it."""
        return str(self.release.inside(self.downloads))

    def inside(self, path: Path) -> str:
        """A host path in the workspace as the daemon sees it."""
        return str(self.release.inside(path))

    def _write_profile(self) -> None:
        config = self.profile / "qBittorrent" / "config"
        config.mkdir(parents=True, exist_ok=True)
        downloads = self.downloads_inside
        lines = [
            "[LegalNotice]",
            "Accepted=true",
            "",
            "[BitTorrent]",
            "Session\\Interface=lo",
            "Session\\InterfaceName=lo",
            "Session\\InterfaceAddress=127.0.0.1",
            f"Session\\Port={self.bt_port}",
            "Session\\DHTEnabled=false",
            "Session\\PeXEnabled=false",
            "Session\\LSDEnabled=false",
            "Session\\QueueingSystemEnabled=false",
            f"Session\\DefaultSavePath={downloads}",
            "Session\\TempPathEnabled=false",
            "",
            "[Network]",
            "PortForwardingEnabled=false",
            "",
            "[RSS]",
            "Session\\EnableProcessing=true",
            "AutoDownloader\\EnableProcessing=true",
            "",
            "[Preferences]",
            "Connection\\UPnP=false",
            "General\\Locale=en",
            f"Downloads\\SavePath={downloads}",
            "WebUI\\Address=127.0.0.1",
            f"WebUI\\Port={self.port}",
            f"WebUI\\Username={self.username}",
            f'WebUI\\Password_PBKDF2="{password_pbkdf2(self.password)}"',
            f"WebUI\\MaxAuthenticationFailCount={self.max_auth_failures}",
            "WebUI\\CSRFProtection=false",
            "WebUI\\HostHeaderValidation=false",
            "WebUI\\LocalHostAuth=true",
        ]
        if self.https:
            cert, key = self.https
            lines += [
                "WebUI\\HTTPS\\Enabled=true",
                f"WebUI\\HTTPS\\CertificatePath={self.inside(cert)}",
                f"WebUI\\HTTPS\\KeyPath={self.inside(key)}",
            ]
        (config / "qBittorrent.conf").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def start(self) -> None:
        """Start the daemon and wait until its WebUI answers."""
        if self.pid is not None:
            return
        argv, env = self.release.command(self.profile, self.port)
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(  # noqa: S603 - argv is built from fixed parts
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env or None,
                start_new_session=True,
            )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                tail = self._log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"qbittorrent-nox ({self.release.name}) exited:\n{tail}")
            if self._answers():
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"qbittorrent-nox ({self.release.name}) did not answer in time")

    def _answers(self) -> bool:
        url = f"{self.url}/api/v2/app/version"
        context = None
        if self.https:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # our own self-signed test certificate
        try:
            with urllib.request.urlopen(url, timeout=1, context=context):  # noqa: S310
                return True
        except urllib.error.HTTPError:
            return True  # any HTTP answer (403 before login) means the WebUI is up
        except OSError:
            return False


def _program(name: str) -> str:
    """A Mosquitto program by name; Debian puts the broker in /usr/sbin, not always on PATH."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin")
    if found is None:
        raise RuntimeError(f"{name} is not installed (apt-get install mosquitto mosquitto-clients)")
    return found


@dataclass(frozen=True, slots=True)
class BrokerTLS:
    """Certificate files for a TLS listener (and, with ``require_certificate``, client auth)."""

    ca_file: Path
    cert_file: Path
    key_file: Path
    require_certificate: bool = False


class LocalMosquitto(ThrowawayProcess):
    """One throwaway Mosquitto on 127.0.0.1: a free port, optional users and TLS, no persistence.

    ``restart()`` keeps the port, so clients can reconnect to it. Without ``persistence``
    retained messages and sessions are lost on a restart, as on a broker that lost its database;
    with it they survive (saved on SIGTERM).
    """

    def __init__(
        self,
        *,
        users: dict[str, str] | None = None,
        tls: BrokerTLS | None = None,
        persistence: bool = False,
    ) -> None:
        self.users = dict(users or {})
        self.tls = tls
        self.persistence = persistence
        self.port = free_port()
        self.workspace = Path(tempfile.mkdtemp(prefix="qbt-bridge-mosquitto-"))
        self._config = self.workspace / "mosquitto.conf"
        self._log = self.workspace / "mosquitto.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._write_config()

    def _write_config(self) -> None:
        # set_tcp_nodelay: otherwise each forwarded message may wait ~40 ms for a delayed ACK.
        lines = [f"listener {self.port} 127.0.0.1", "log_dest stderr", "set_tcp_nodelay true"]
        if self.persistence:
            lines += ["persistence true", f"persistence_location {self.workspace}/"]
        else:
            lines.append("persistence false")
        if os.geteuid() == 0:
            lines.append("user root")  # otherwise it drops to "mosquitto" and cannot read files
        if self.users:
            passwords = self.workspace / "passwords"
            passwords.touch()
            for user, password in self.users.items():
                subprocess.run(  # noqa: S603 - fixed program, our own arguments
                    [_program("mosquitto_passwd"), "-b", str(passwords), user, password],
                    check=True,
                    capture_output=True,
                )
            lines += ["allow_anonymous false", f"password_file {passwords}"]
        else:
            lines.append("allow_anonymous true")
        if self.tls:
            lines += [
                f"cafile {self.tls.ca_file}",
                f"certfile {self.tls.cert_file}",
                f"keyfile {self.tls.key_file}",
            ]
            if self.tls.require_certificate:
                lines.append("require_certificate true")
        self._config.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def start(self) -> None:
        """Start the broker and wait until it accepts connections."""
        if self.pid is not None:
            return
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(  # noqa: S603 - fixed program, our own config
                [_program("mosquitto"), "-c", str(self._config)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                tail = self._log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"mosquitto exited:\n{tail}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1),
            ):
                return
            time.sleep(0.02)
        self.stop()
        raise RuntimeError("mosquitto did not listen in time")


QBIT_MANAGE_RELEASE = "4.14.0"


def qbit_manage_program() -> Path:
    """Where ``scripts/setup --with-test-releases`` installs qbit_manage (its own venv)."""
    return cache_dir() / "qbit-manage" / "bin" / "qbit-manage"


class LocalQbitManage(ThrowawayProcess):
    """One throwaway qbit_manage web server on 127.0.0.1, managing a LocalQBittorrent.

    Its scheduled run is put off to next New Year, so it only runs what it is asked to.
    qbit_manage ignores SIGTERM for up to ~30 s, so it runs in a process group of its own
    and is killed with it.
    """

    def __init__(self, qbt: LocalQBittorrent) -> None:
        self.qbt = qbt
        self.port = free_port()
        self.workspace = Path(tempfile.mkdtemp(prefix="qbt-bridge-qbit-manage-"))
        self.root = self.workspace / "root"
        self.root.mkdir()
        self._log = self.workspace / "qbit-manage.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL of the web server."""
        return f"http://127.0.0.1:{self.port}"

    def _write_config(self) -> None:
        # qbit_manage rewrites its config with defaults on every run: written fresh each start.
        config = self.workspace / "config"
        config.mkdir(exist_ok=True)
        (config / "config.yml").write_text(
            json.dumps(
                {
                    "qbt": {"host": self.qbt.url.split("://", 1)[1], "user": self.qbt.username,
                            "pass": self.qbt.password},
                    "directory": {"root_dir": str(self.root)},
                    "recyclebin": {"enabled": False},
                    "tracker": {"other": {"tag": "other"}},
                }
            ),  # JSON is YAML
            encoding="utf-8",
        )  # fmt: skip

    def start(self) -> None:
        """Start the web server and wait until its health endpoint answers."""
        program = qbit_manage_program()
        if not program.exists():
            raise RuntimeError(f"{program} is missing: run scripts/setup --with-test-releases")
        self._write_config()
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(  # noqa: S603 - our own program and arguments
                [str(program), "--web-server", "--host", "127.0.0.1", "--port", str(self.port),
                 "--config-dir", str(self.workspace / "config"), "--schedule", "0 0 1 1 *"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, cwd=self.workspace,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                tail = self._log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"qbit_manage exited:\n{tail}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{self.url}/api/health", timeout=2),  # noqa: S310
            ):
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("qbit_manage did not answer in time")

    def stop(self) -> None:
        """Kill the server's whole process group."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
