"""Input bounds: the real server (``stride serve`` on a temporary SQLite data directory, jobs run at
once in the request) receives hostile or huge uploads through the API, and its peak resident set
(``VmHWM`` of the server process) is reported against a 300 MB limit.

Cases, each on a fresh server so that each peak is its own:

* a GPX track of 1,000,000 points (~200 MB): refused, over the cap of 150,000 points per file;
* a GPX track at that cap: imported, one session;
* a TCX activity of as many points (~300 MB), and one at the cap (streamed as GPX is);
* a Fitbit export zip with a 500 MB ``heart_rate`` entry: refused (a Fitbit file is at most 16 MiB);
* an Apple Health ``export.zip`` whose headers declare 1 KB for an entry that inflates to 2 GB:
  refused (inflation stops at the declared size and the CRC check fails);
* the same 2 GB entry with honest headers: refused from the central directory (ratio over 100).

Baseline, in the same run: the server's peak RSS after start-up and one authenticated request
(idle). Before the bounds, the first three took the server to 1.5 GB, 1.27 GB and 2.3 GB.

``python -m benchmarks.input_bounds`` (``STRIDE_BENCH_GPX_POINTS`` to change the long track's size).
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.input_files import write_fitbit_zip, write_gpx, write_lying_bomb_zip, write_tcx
from stride.activity.io.gpx import MAX_POINTS

LIMIT_MB = 300.0
_ROOT = Path(__file__).resolve().parents[1]
_STRIDE = Path(sys.executable).with_name("stride")
_BOUNDARY = "stride-bench-boundary"


@dataclass(frozen=True)
class Server:
    url: str
    pid: int
    token: str
    patient_id: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    """Poll /healthz until the server answers (it migrates and seeds first)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start within 120 s")


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc (Linux only)")


@contextmanager
def _server(data_dir: Path) -> Iterator[Server]:
    env = {
        **os.environ,
        "STRIDE_DATA_DIR": str(data_dir),
        "STRIDE_JOBS": "immediate",
        "STRIDE_ENV": "development",
    }
    env.pop("STRIDE_DATABASE_URL", None)
    data_dir.mkdir(parents=True, exist_ok=True)
    # Seeded (and migrated) by a process of its own, so that the server's peak is the server's.
    for command in (["db", "upgrade"], ["demo", "seed"]):
        subprocess.run([str(_STRIDE), *command], env=env, cwd=data_dir, capture_output=True, check=True)
    port = free_port()
    proc = subprocess.Popen(
        [str(_STRIDE), "serve", "--port", str(port)],
        env=env,
        cwd=data_dir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url, proc)
        made = subprocess.run(
            [str(_STRIDE), "token", "create", "--username", "patient4", "--json"],
            env=env,
            cwd=data_dir,
            capture_output=True,
            text=True,
            check=True,
        )
        token = json.loads(made.stdout)["token"]
        request = urllib.request.Request(f"{url}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            me = json.loads(answer.read())
        yield Server(url=url, pid=proc.pid, token=token, patient_id=int(me["patient_id"]))
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _upload(server: Server, path: Path) -> tuple[int, dict[str, object]]:
    """POST the file as the multipart field ``file``, streamed from disk."""
    head = (
        f'--{_BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{_BOUNDARY}--\r\n".encode()
    conn = http.client.HTTPConnection(server.url.removeprefix("http://"), timeout=1800)
    conn.putrequest("POST", f"/api/v1/patients/{server.patient_id}/imports")
    conn.putheader("Authorization", f"Bearer {server.token}")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={_BOUNDARY}")
    conn.putheader("Content-Length", str(len(head) + path.stat().st_size + len(tail)))
    conn.endheaders()
    conn.send(head)
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            conn.send(chunk)
    conn.send(tail)
    answer = conn.getresponse()
    body: dict[str, object] = json.loads(answer.read() or b"{}")
    conn.close()
    return answer.status, body


def _outcome(status: int, body: dict[str, object]) -> str:
    if body.get("status") == "done":
        return f"HTTP {status}, imported: {body.get('sessions')} session(s)"
    said = body.get("error") or body.get("message")
    return f"HTTP {status}, {body.get('status') or 'refused'}: {str(said)[:110]}"


Case = tuple[str, Callable[[], Path], Callable[[dict[str, object]], bool]]


def _cases(folder: Path) -> list[Case]:
    points = int(os.environ.get("STRIDE_BENCH_GPX_POINTS", "1000000"))

    def gpx() -> Path:
        write_gpx(path := folder / "long.gpx", points=points)
        return path

    def at_cap() -> Path:
        write_gpx(path := folder / "at-cap.gpx", points=MAX_POINTS)
        return path

    def tcx_long() -> Path:
        write_tcx(path := folder / "long.tcx", points=points)
        return path

    def tcx_at_cap() -> Path:
        write_tcx(path := folder / "at-cap.tcx", points=MAX_POINTS)
        return path

    def fitbit() -> Path:
        write_fitbit_zip(path := folder / "fitbit-500MB-entry.zip", entry_mb=500)
        return path

    def lying() -> Path:
        write_lying_bomb_zip(path := folder / "bomb-declares-1KB.zip", inflated_mb=2048)
        return path

    def honest() -> Path:
        write_lying_bomb_zip(path := folder / "bomb-2GB.zip", inflated_mb=2048, declared=2048 << 20)
        return path

    return [
        (f"GPX, {points:,} points", gpx, lambda b: b.get("status") == "failed"),
        (f"GPX at the cap, {MAX_POINTS:,} points", at_cap, lambda b: b.get("sessions") == 1),
        (f"TCX, {points:,} points", tcx_long, lambda b: b.get("status") == "failed"),
        (f"TCX at the cap, {MAX_POINTS:,} points", tcx_at_cap, lambda b: b.get("sessions") == 1),
        ("Fitbit zip, 500 MB entry", fitbit, lambda b: b.get("status") == "failed"),
        ("zip declaring 1 KB, inflating to 2 GB", lying, lambda b: b.get("status") == "failed"),
        ("zip of a 2 GB entry (honest headers)", honest, lambda b: b.get("status") == "failed"),
    ]


def main(argv: list[str] | None = None) -> None:
    del argv
    with tempfile.TemporaryDirectory(prefix="stride-bounds-") as tmp:
        folder = Path(tmp)
        with _server(folder / "idle") as server:
            idle = peak_mb(server.pid)
        print(f"input bounds: peak RSS of the server process (limit {LIMIT_MB:.0f} MB); baseline: idle")
        print(f"  {'server idle (started, one request)':40s} {idle:7.0f} MB")
        failures = 0
        for i, (label, make, expected) in enumerate(_cases(folder)):
            path = make()
            size_mb = path.stat().st_size / 2**20
            with _server(folder / f"case{i}") as server:
                status, body = _upload(server, path)
                peak = peak_mb(server.pid)
            path.unlink()
            ok = peak <= LIMIT_MB and expected(body)
            failures += not ok
            print(
                f"  {label:40s} {peak:7.0f} MB  ({peak / idle:.1f}x idle; upload {size_mb:,.0f} MB)  "
                f"{'PASS' if ok else 'FAIL'}\n      {_outcome(status, body)}"
            )
        print(f"  {'all within bounds' if failures == 0 else f'{failures} case(s) FAILED'}")


if __name__ == "__main__":
    main(sys.argv[1:])
