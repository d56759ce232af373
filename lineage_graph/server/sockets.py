"""Who listens on a local TCP port: read from ``/proc/net/tcp{,6}`` and ``/proc/<pid>/fd``.

The local server proves that the Neo4j answering on its port is the process it started by
finding the listening socket's inode among that process's file descriptors; without it, a
server another user (or another ``LINEAGE_GRAPH_HOME``) started on the port meanwhile would
look like ours refusing our password. Linux only: elsewhere every answer is "unknown" (None).
"""

from __future__ import annotations

import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

_LISTEN = "0A"  # TCP_LISTEN in /proc/net/tcp's ``st`` column
# Local addresses whose listener takes 127.0.0.1:<port> from us.
_COVERING = {"127.0.0.1", "0.0.0.0", "::", "::ffff:127.0.0.1", "::ffff:0.0.0.0"}


@dataclass(frozen=True)
class Listener:
    """A listening socket on a port: its inode, its owner's uid, the pids holding it."""

    port: int
    inode: int
    uid: int
    pids: tuple[int, ...]

    def describe(self) -> str:
        """``pid 123 (java ... CommunityEntryPoint ...)``, or whose it is when pids are hidden."""
        if self.pids:
            return ", ".join(f"pid {pid} ({_command(pid)})" for pid in self.pids)
        if self.uid != os.getuid():
            return f"a process of another user (uid {self.uid})"
        return "a process whose pid cannot be seen"


def _address(hex_addr: str) -> str:
    # /proc prints each 32-bit word of the address in host byte order.
    raw = bytes.fromhex(hex_addr)
    words = [raw[i : i + 4] for i in range(0, len(raw), 4)]
    if sys.byteorder == "little":
        words = [w[::-1] for w in words]
    packed = b"".join(words)
    family = socket.AF_INET if len(packed) == 4 else socket.AF_INET6
    return socket.inet_ntop(family, packed)


def _listening_inodes(port: int) -> list[tuple[int, int]] | None:
    """(inode, uid) of sockets listening on ``port`` on a covering address; None without /proc."""
    found: list[tuple[int, int]] = []
    seen_any = False
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text(encoding="ascii").splitlines()[1:]
        except OSError:
            continue
        seen_any = True
        for line in lines:
            cols = line.split()
            if len(cols) < 10 or cols[3] != _LISTEN:
                continue
            addr, _, hex_port = cols[1].partition(":")
            if int(hex_port, 16) != port or _address(addr) not in _COVERING:
                continue
            found.append((int(cols[9]), int(cols[7])))
    return found if seen_any else None


def _pids_holding(inode: int, candidates: list[int] | None = None) -> tuple[int, ...]:
    target = f"socket:[{inode}]"
    pids = candidates if candidates is not None else [
        int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
    ]  # fmt: skip
    holding = []
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue  # gone, or another user's
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                    holding.append(pid)
                    break
            except OSError:
                continue
    return tuple(holding)


def _command(pid: int, width: int = 120) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    text = " ".join(" ".join(a.decode(errors="replace").split()) for a in argv if a)
    return text if len(text) <= width else text[: width - 3] + "..."


def listeners(port: int) -> list[Listener] | None:
    """Sockets listening on ``port`` where 127.0.0.1 reaches them; None if unknowable here."""
    found = _listening_inodes(port)
    if found is None:
        return None
    return [Listener(port, inode, uid, _pids_holding(inode)) for inode, uid in found]


def held_by(port: int, pid: int) -> bool | None:
    """Is the listener on ``port`` ``pid``'s? None: nothing listens yet, or no /proc.

    Returns:
        True if a listening socket on ``port`` is one of ``pid``'s descriptors, False if one
        listens and it is not, None if nothing listens or the system cannot tell.
    """
    found = _listening_inodes(port)
    if not found:
        return None
    return any(_pids_holding(inode, [pid]) for inode, _ in found)


def describe(port: int) -> str | None:
    """Who listens on ``port`` (``pid 123 (cmdline)``), or None if nobody (or unknowable)."""
    found = listeners(port)
    if not found:
        return None
    return "; ".join(listener.describe() for listener in found)
