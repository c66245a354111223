"""``paperfeed serve``'s gthread workers share a burst of keep-alive connections (server._Worker).

gunicorn lets whichever worker wakes first accept every waiting connection; with keep-alive, a burst
could then stay in one process for its whole life, held to one core by the interpreter lock. Here two
workers of one thread each get two connections opened at once, several times over: each worker must
hold one, found from the kernel's own socket tables (/proc), not from anything the server reports.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _server_side_inode(server_port: int, client_port: int) -> str | None:
    """The inode of the server's end of the connection from ``client_port`` (IPv4 loopback)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, inode = fields[1], fields[2], fields[9]
        if int(local.split(":")[1], 16) == server_port and int(remote.split(":")[1], 16) == client_port:
            return inode
    return None


def _worker_pids(master: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True)
    return [int(pid) for pid in out.stdout.split()]


def _holders(port: int, sockets: list[socket.socket], workers: list[int]) -> list[int]:
    """For each client socket, the worker pid holding the server's end (waits until both ends exist)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        inodes = [_server_side_inode(port, s.getsockname()[1]) for s in sockets]
        held = {pid: _socket_inodes(pid) for pid in workers}
        holders = [next((pid for pid, owned in held.items() if inode in owned), None) for inode in inodes]
        if all(holders):
            return holders
        time.sleep(0.05)
    raise AssertionError(f"connections not accepted: {holders}")


def _ask(sock: socket.socket) -> bytes:
    sock.sendall(b"GET /static/css/paperfeed.css HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(65536)
    return head.split(b"\r\n", 1)[0]


def test_a_burst_of_keep_alive_connections_is_shared_by_the_workers(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERFEED_")}
    env.update({"DJANGO_SETTINGS_MODULE": "paperfeed.settings", "PAPERFEED_DATA_DIR": str(tmp_path),
                "PAPERFEED_WEB_THREADS": "1"})
    code = f"from paperfeed.server import run_server; run_server('127.0.0.1', {port}, workers=2)"
    with (tmp_path / "server.log").open("w") as log:
        proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while (tmp_path / "server.log").read_text().count("warm in") < 2:  # each worker says so when ready
            assert time.monotonic() < deadline and proc.poll() is None, (tmp_path / "server.log").read_text()
            time.sleep(0.3)
        workers = _worker_pids(proc.pid)
        for _ in range(6):
            pair = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(2)]
            try:
                holders = _holders(port, pair, workers)
                assert sorted(holders) == sorted(workers), f"both connections in one worker: {holders}"
                assert [_ask(s) for s in pair] == [b"HTTP/1.1 200 OK"] * 2  # and both are served
            finally:
                for s in pair:
                    s.close()
            time.sleep(0.2)  # the workers see the closed connections and free their threads
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
