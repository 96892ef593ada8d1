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
import subprocess
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
    container's /etc/hosts maps to that loopback); the host reaches their published ports at
    ``address`` through a veth pair. Nothing of the stack listens on the host's own addresses.
    """

    def __init__(self, names: Sequence[str]) -> None:
        self.name = f"qbtb-{uuid.uuid4().hex[:6]}"
        self.host_side, self.address = "10.213.97.1", "10.213.97.2"
        self.hosts = list(names)
        self.enter = ["ip", "netns", "exec", self.name]

    def _ip(self, *args: str) -> None:
        done = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.fail(f"ip {' '.join(args)}: {done.stderr.strip()}")

    def __enter__(self) -> Self:
        outside, inside = f"{self.name}-h", f"{self.name}-n"
        self._ip("netns", "add", self.name)
        self._ip("link", "add", outside, "type", "veth", "peer", "name", inside)
        self._ip("link", "set", inside, "netns", self.name)
        self._ip("addr", "add", f"{self.host_side}/30", "dev", outside)
        self._ip("link", "set", outside, "up")
        self._ip("-n", self.name, "addr", "add", f"{self.address}/30", "dev", inside)
        self._ip("-n", self.name, "link", "set", inside, "up")
        self._ip("-n", self.name, "link", "set", "lo", "up")
        return self

    def __exit__(self, *exc: object) -> None:
        self._ip("netns", "del", self.name)  # takes the veth pair with it
