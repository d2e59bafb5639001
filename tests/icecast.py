"""A real Icecast 2 server (Debian's icecast2) on loopback, for the scale-out tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PASSWORD = "bi-mat-nguon"
_CONFIG = """<icecast>
  <limits><sources>10</sources><burst-on-connect>0</burst-on-connect></limits>
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
  <security><chroot>0</chroot>{owner}</security>
</icecast>
"""


@contextmanager
def icecast(workdir: Path) -> Iterator[int]:
    """Yields the port of a fresh Icecast server; skips the test where there is none."""
    binary = shutil.which("icecast2") or shutil.which("icecast")
    if binary is None:
        pytest.skip("Icecast is not installed (Debian package icecast2; .ci/run installs it)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Icecast refuses to run as root and drops to nobody, who cannot reach pytest's
    # private temporary directories: its logs go to a directory of their own.
    logs = Path(tempfile.mkdtemp(prefix="loaxa-icecast-"))
    logs.chmod(0o777)
    owner = (
        "<changeowner><user>nobody</user><group>nogroup</group></changeowner>"
        if os.geteuid() == 0
        else ""
    )
    config = workdir / "icecast.xml"
    config.write_text(_CONFIG.format(password=PASSWORD, port=port, logs=logs, owner=owner))
    server = subprocess.Popen(
        [binary, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, "Icecast exited at start"
                assert time.monotonic() < deadline, "Icecast did not start"
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(logs, ignore_errors=True)
