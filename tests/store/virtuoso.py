"""A private Virtuoso on loopback, as DEPENDENCIES.md describes (tests and bench/remote.py).

Debian's ``virtuoso.ini`` is copied into a temporary directory with the database there,
both ports on 127.0.0.1 (free ones), and that directory allowed; ``virtuoso-t`` runs in
the foreground until :meth:`PrivateVirtuoso.stop`. SPARQL updates and unauthenticated
Graph Store requests are granted to the ``SPARQL`` account, as a lineage server needs.
"""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

import httpx

INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
DEBIAN_DB = "/var/lib/virtuoso-opensource-7/db"
GRANTS = ('GRANT SPARQL_UPDATE TO "SPARQL";',)


def available() -> str | None:
    """Return why a private Virtuoso cannot run here, or None when it can."""
    for exe in ("virtuoso-t", "isql-vt"):
        if shutil.which(exe) is None:
            return f"{exe} is not installed (apt-get install virtuoso-opensource)"
    if not INI.is_file():
        return f"{INI} is missing (apt-get install virtuoso-opensource)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def private_ini(template: str, directory: Path, sql_port: int, http_port: int,
                settings: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """Debian's ini with the database in ``directory`` and both ports on loopback.

    ``settings`` sets further keys by section, e.g. ``{"SPARQL": {"ResultSetMaxRows":
    "1000"}}`` (a key the template lacks is added at the top of its section).
    """
    todo = {section: dict(keys) for section, keys in (settings or {}).items()}
    out, section = [], ""
    for line in template.replace(DEBIAN_DB, str(directory)).splitlines():
        head = re.match(r"\s*\[([^\]]+)\]", line)
        if head:
            section = head.group(1)
            out.append(line)
            out += [f"{k} = {v}" for k, v in todo.get(section, {}).items()]
            todo.pop(section, None)
            continue
        key = line.split("=", 1)[0].strip() if "=" in line and not line.lstrip().startswith(";") \
            else ""
        if key == "ServerPort" and section == "Parameters":
            line = f"ServerPort = 127.0.0.1:{sql_port}"
        elif key == "ServerPort" and section == "HTTPServer":
            line = f"ServerPort = 127.0.0.1:{http_port}"
        elif key == "DirsAllowed":
            line = f"{line.split(';')[0].rstrip()}, {directory}"
        elif key in (settings or {}).get(section, {}):
            line = f";{line}"  # set at the top of the section instead
        out.append(line)
    for missing, keys in todo.items():
        out += [f"[{missing}]", *(f"{k} = {v}" for k, v in keys.items())]
    return "\n".join(out) + "\n"


class PrivateVirtuoso:
    """One ``virtuoso-t`` with its database in ``directory``; a context manager."""

    def __init__(self, directory: Path,
                 settings: Mapping[str, Mapping[str, str]] | None = None):
        self.directory = directory
        self.settings = settings
        self.sql_port = free_port()
        self.http_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def spec(self) -> str:
        """The lineage store spec of this server."""
        return f"sparql+http://127.0.0.1:{self.http_port}/sparql"

    @property
    def log(self) -> Path:
        return self.directory / "virtuoso.out"

    def start(self, timeout: float = 120.0) -> None:
        ini = self.directory / "virtuoso.ini"
        ini.write_text(private_ini(INI.read_text(encoding="utf-8"), self.directory,
                                   self.sql_port, self.http_port, self.settings),
                       encoding="utf-8")
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                ["virtuoso-t", "+foreground", "+configfile", str(ini)], cwd=self.directory,
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                msg = f"virtuoso-t exited {self.process.returncode}: {self._tail()}"
                raise RuntimeError(msg)
            try:
                r = httpx.get(f"{self.base}/sparql", params={"query": "ASK {}"}, timeout=5)
                if r.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                msg = f"virtuoso-t did not answer within {timeout:g} s: {self._tail()}"
                raise RuntimeError(msg)
            time.sleep(0.25)
        for grant in GRANTS:
            self.isql(grant)

    def isql(self, command: str) -> str:
        proc = subprocess.run(["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba",
                               f"exec={command}"], capture_output=True, text=True,
                              timeout=120, check=False)
        if proc.returncode != 0 or "*** Error" in proc.stdout + proc.stderr:
            msg = f"isql {command!r} failed: {proc.stdout[-500:]} {proc.stderr[-500:]}"
            raise RuntimeError(msg)
        return proc.stdout

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)

    def _tail(self) -> str:
        try:
            return " | ".join(self.log.read_text(errors="replace").splitlines()[-5:])
        except OSError:
            return "(no log)"

    def __enter__(self) -> PrivateVirtuoso:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
