"""A real Icecast 2 server (Debian's icecast2) on loopback: the fan-out benchmark's
other column, and the scale-out tests' server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PASSWORD = "bi-mat-nguon"
_CONFIG = """<icecast>
  <limits>
    <clients>{clients}</clients><sources>10</sources><burst-on-connect>0</burst-on-connect>
  </limits>
  <authentication>
    <source-password>{password}</source-password>
    <admin-user>admin</admin-user><admin-password>{password}</admin-password>
  </authentication>
  <hostname>127.0.0.1</hostname>
  <listen-socket><port>{port}</port><bind-address>127.0.0.1</bind-address></listen-socket>
  <paths>
    <basedir>/usr/share/icecast2</basedir><logdir>{logs}</logdir>
    <webroot>/usr/share/icecast2/web</webroot><adminroot>/usr/share/icecast2/admin</adminroot>
  </paths>
  <logging><accesslog>access.log</accesslog><errorlog>error.log</errorlog></logging>
  <security><chroot>0</chroot>{owner}</security>{mounts}
</icecast>
"""


@dataclass(frozen=True)
class Icecast:
    port: int
    pid: int

    @property
    def source_url(self) -> str:
        """What `radio worker --icecast` takes to push every zone here."""
        return f"http://source:{PASSWORD}@127.0.0.1:{self.port}"


def binary() -> str | None:
    return shutil.which("icecast2") or shutil.which("icecast")


@contextmanager
def running(workdir: Path, mounts: str = "", clients: int = 100) -> Iterator[Icecast]:
    """A fresh Icecast server until the block ends; `mounts` is XML for its mounts
    (listener authentication, say), `clients` its limit of connections."""
    found = binary()
    if found is None:
        raise FileNotFoundError("Icecast is not installed (Debian package icecast2)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Icecast refuses to run as root and drops to nobody, who cannot reach private
    # temporary directories: its logs go to a directory of their own.
    logs = Path(tempfile.mkdtemp(prefix="loaxa-icecast-"))
    logs.chmod(0o777)
    owner = (
        "<changeowner><user>nobody</user><group>nogroup</group></changeowner>"
        if os.geteuid() == 0
        else ""
    )
    config = workdir / "icecast.xml"
    config.write_text(
        _CONFIG.format(
            password=PASSWORD, port=port, logs=logs, owner=owner, mounts=mounts, clients=clients
        )
    )
    server = subprocess.Popen(
        [found, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait(server, port)
        yield Icecast(port, server.pid)
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(logs, ignore_errors=True)


def _wait(server: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if server.poll() is not None:
                raise RuntimeError("Icecast exited at start") from None
            if time.monotonic() > deadline:
                raise RuntimeError("Icecast did not start") from None
            time.sleep(0.1)
