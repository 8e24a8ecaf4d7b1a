"""Which process runs a job, and whether that process is still alive.

A worker is named by its host, its process id and a start mark (the boot id and the process's
start time in clock ticks, from ``/proc``), so a process id reused after a restart is not taken
for the dead worker. Off Linux the start mark is empty and only the process id is checked.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class WorkerIdentity:
    host: str
    pid: int
    started: str

    @property
    def task_worker_id(self) -> str:
        """The django-tasks worker id (at most 64 characters) that names this process."""
        return f"{self.host[:30]}/{self.pid}/{self.started}"[:64]


def hostname() -> str:
    return socket.gethostname()[:64]


@cache
def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()[:8]
    except OSError:
        return ""


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may contain spaces: split after it.
    return text[text.rindex(")") + 2 :].split()


def start_mark(pid: int) -> str:
    fields = _stat_fields(pid)
    if not fields or len(fields) < 20:
        return ""
    return f"{_boot_id()}-{fields[19]}"[:32]  # field 22 of stat: start time in clock ticks


def this_process() -> WorkerIdentity:
    pid = os.getpid()
    return WorkerIdentity(host=hostname(), pid=pid, started=start_mark(pid))


def parse_task_worker_id(value: str) -> WorkerIdentity | None:
    """The identity in a django-tasks worker id written by `jobs_worker`, else None."""
    parts = (value or "").rsplit("/", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    return WorkerIdentity(host=parts[0], pid=int(parts[1]), started=parts[2])


def process_alive(pid: int | None, started: str = "") -> bool:
    """Whether process `pid` of this host still runs (a zombie does not; nor a newer process that
    reused the id, when the start mark was recorded)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    fields = _stat_fields(pid)
    if fields is None:
        return True  # no /proc: the signal test is all we have
    if fields[0] == "Z":
        return False
    return not started or start_mark(pid) == started
