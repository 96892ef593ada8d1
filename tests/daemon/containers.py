"""Images built and containers run with buildah, as a container engine would run them.

No container engine runs here (``podman run`` is refused by the sandbox, Docker has no daemon),
but ``buildah bud`` builds a Dockerfile and ``buildah run --isolation chroot`` runs a command in
a container of the image, with the image's user, working directory and environment, the
volumes given, and the network of the calling process. ``Container`` starts the image's own
entry point and command that way, like ``docker run``; ``stop()`` sends SIGTERM to the
container's first process, like ``docker stop``. The base image comes from
``scripts/provision-images`` (Debian's packages; no registry is reachable).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Self

import pytest

ROOT = Path(__file__).parents[2]
BASE = "docker.io/library/debian:trixie-slim"  # the Dockerfile's FROM, made by provision-images


def buildah(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["buildah", *args], capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        pytest.fail(f"buildah {' '.join(args[:2])} failed:\n{done.stderr[-4000:]}")
    return done


def build(tag: str, context: Path, dockerfile: Path | None = None) -> Image:
    """Build a Dockerfile with buildah (Docker's format, which keeps HEALTHCHECK)."""
    if buildah(
        "inspect", "--type", "image", "docker.io/library/debian:trixie-slim", check=False
    ).returncode:
        pytest.fail(
            "the base image debian:trixie-slim is missing: run scripts/setup --with-test-releases"
        )
    argv = ["bud", "--isolation", "chroot", "--layers", "--format", "docker", "--pull=never"]
    if dockerfile is not None:
        argv += ["--file", str(dockerfile)]
    buildah(*argv, "--tag", tag, str(context))
    return Image.inspect(tag)


@dataclass(frozen=True)
class Image:
    """What an image declares for running it."""

    tag: str
    entrypoint: list[str]
    cmd: list[str]
    user: str
    healthcheck: list[str]

    @classmethod
    def inspect(cls, tag: str) -> Image:
        config = json.loads(buildah("inspect", "--type", "image", tag).stdout)["Docker"]["config"]
        test = (config.get("Healthcheck") or {}).get("Test") or []
        return cls(
            tag=tag,
            entrypoint=list(config.get("Entrypoint") or []),
            cmd=list(config.get("Cmd") or []),
            user=str(config.get("User") or ""),
            healthcheck=list(test[1:]) if test[:1] == ["CMD"] else [],
        )


class Container:
    """One container of an image running its entry point, with volumes and an environment."""

    def __init__(
        self,
        image: Image,
        log: Path,
        *,
        volumes: Mapping[Path, str] = {},
        environment: Mapping[str, str] = {},
        command: Sequence[str] | None = None,
        enter: Sequence[str] = (),
        hosts: Sequence[str] = (),
    ) -> None:
        self.image = image
        self.log = log
        self.volumes = dict(volumes)
        self.environment = dict(environment)
        self.command = list(command) if command is not None else image.cmd
        self.enter = list(enter)  # a prefix such as ["ip", "netns", "exec", NAME]
        self.hosts = list(hosts)  # names for the container's /etc/hosts, on its loopback
        self.name = f"qbt-bridge-test-{uuid.uuid4().hex[:10]}"
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.stopped = False  # by stop(), not on its own

    def _mounts(self) -> list[str]:
        return [arg for host, inside in self.volumes.items() for arg in ("-v", f"{host}:{inside}")]

    def start(self) -> None:
        names = [arg for host in self.hosts for arg in ("--add-host", f"{host}:127.0.0.1")]
        buildah("from", "--pull=never", *names, "--name", self.name, self.image.tag)
        for key, value in self.environment.items():
            buildah("config", "--env", f"{key}={value}", self.name)
        self._log = self.log.open("ab")
        argv = [*self.enter, "buildah", "run", "--isolation", "chroot", *self._mounts(), self.name]
        self._process = subprocess.Popen(
            [*argv, "--", *self.image.entrypoint, *self.command],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def exec(self, argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
        """Run a command in the running container (``docker exec``)."""
        return subprocess.run(
            [
                *self.enter,
                "buildah",
                "run",
                "--isolation",
                "chroot",
                *self._mounts(),
                self.name,
                "--",
                *argv,
            ],
            capture_output=True,
            text=True,
            check=False,
        )

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def first_process(self) -> int:
        """The PID of the container's first process (under buildah's own helpers)."""
        assert self._process is not None
        pids = [self._process.pid]
        while pids:
            pid = pids.pop(0)
            comm = Path(f"/proc/{pid}/comm").read_text(encoding="utf-8").strip()
            if not comm.startswith(("buildah", "memfd:buildah")):
                return pid
            for task in Path(f"/proc/{pid}/task").iterdir():
                pids += [int(child) for child in (task / "children").read_text().split()]
        raise AssertionError("the container's process is not running")

    def uid(self) -> int:
        """The real user id the container's first process runs as."""
        status = Path(f"/proc/{self.first_process()}/status").read_text(encoding="utf-8")
        return int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])

    def stop(self) -> int:
        """SIGTERM to the first process, as ``docker stop`` does; its exit status."""
        assert self._process is not None
        self.stopped = True
        if self._process.poll() is None:
            with contextlib.suppress(ProcessLookupError, AssertionError, FileNotFoundError):
                os.kill(self.first_process(), signal.SIGTERM)
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()
        return self._process.returncode

    def wait(self, seconds: float = 60) -> int:
        """Wait for the container to end on its own; its exit status."""
        assert self._process is not None
        return self._process.wait(timeout=seconds)

    def remove(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self.stop()
        if self._log is not None:
            self._log.close()
        buildah("rm", self.name, check=False)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


@contextlib.contextmanager
def running(image: Image, log: Path, **kwargs: Any) -> Iterator[Container]:
    """A container for the block; it must still be running at the end."""
    with Container(image, log, **kwargs) as container:
        yield container
        assert container.running or container.stopped, (
            f"the container stopped on its own:\n{container.output()[-3000:]}"
        )


class Network:
    """A network namespace of a stack's own, as compose gives its services one network.

    The services share its loopback and find each other by their names (``hosts``, which each
    container's /etc/hosts maps to that loopback). Nothing of the stack listens on the host's
    own addresses but ``address`` (a loopback address of its own, 127.x.y.z): ``publish(port)``
    relays ``address``:port into the namespace's 127.0.0.1:port, as compose publishes a port
    under the same number (qBittorrent checks that the Host header's port is its own).
    """

    def __init__(self, names: Sequence[str]) -> None:
        token = uuid.uuid4()
        self.name = f"qbtb-{token.hex[:6]}"
        self.address = "127.{}.{}.{}".format(*(1 + b % 254 for b in token.bytes[:3]))
        self.hosts = list(names)
        self.enter = ["ip", "netns", "exec", self.name]
        self._relays: list[_Relay] = []

    def _ip(self, *args: str) -> None:
        done = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.fail(f"ip {' '.join(args)}: {done.stderr.strip()}")

    def publish(self, port: int) -> None:
        """Relay ``address``:``port`` on the host to ``port`` inside the namespace."""
        relay = _Relay(Path("/run/netns") / self.name, self.address, port)
        relay.start()
        self._relays.append(relay)

    def __enter__(self) -> Self:
        self._ip("netns", "add", self.name)
        self._ip("-n", self.name, "link", "set", "lo", "up")
        return self

    def __exit__(self, *exc: object) -> None:
        for relay in self._relays:
            relay.close()
        self._ip("netns", "del", self.name)


class _Relay(threading.Thread):
    """Accept on a host loopback address; connect from inside a network namespace; copy bytes.

    The thread enters the namespace (network namespaces are per thread), so the connections it
    opens are the namespace's while its listening socket, made before, stays the host's.
    """

    def __init__(self, netns: Path, address: str, port: int) -> None:
        super().__init__(daemon=True)
        self.netns, self.target = netns, port
        self.listener = socket.create_server((address, port))

    def run(self) -> None:
        with self.netns.open() as namespace:
            os.setns(namespace.fileno(), os.CLONE_NEWNET)
        while True:
            try:
                outside, _address = self.listener.accept()
            except OSError:  # closed: the stack is gone
                return
            try:
                inside = socket.create_connection(("127.0.0.1", self.target), timeout=5)
            except OSError:
                outside.close()  # nothing listens there yet: the client sees it closed
                continue
            inside.settimeout(None)
            for source, sink in ((outside, inside), (inside, outside)):
                threading.Thread(target=_copy, args=(source, sink), daemon=True).start()

    def close(self) -> None:
        self.listener.close()


def _copy(source: socket.socket, sink: socket.socket) -> None:
    """Copy until either side closes, then close both."""
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    for end in (source, sink):
        with contextlib.suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)
        end.close()
