"""A lean HTTP/1.1 client for the load generator: a fixed pool of keep-alive connections on asyncio
streams. A general client (httpx) spends a millisecond or more of CPU per request, on the same two
cores as the server under test; at 200 requests a second that was the generator falling behind its
own schedule, not the server."""

from __future__ import annotations

import asyncio

_HEAD_END = b"\r\n\r\n"


class _Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, request: bytes) -> tuple[int, bytes]:
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(request)
        head = await self.reader.readuntil(_HEAD_END)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip().lower()
        if fields.get("transfer-encoding") == "chunked":
            body = await self._chunks()
        else:
            body = await self.reader.readexactly(int(fields.get("content-length", "0")))
        if fields.get("connection") == "close":
            self.close()
        return status, body

    async def _chunks(self) -> bytes:
        assert self.reader is not None
        parts = []
        while size := int((await self.reader.readline()).split(b";")[0], 16):
            parts.append((await self.reader.readexactly(size + 2))[:-2])
        await self.reader.readline()
        return b"".join(parts)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Pool:
    """``size`` connections to ``host:port``; a request waits for a free one."""

    def __init__(self, host: str, port: int, *, size: int) -> None:
        self.host, self.port = host, port
        self._idle: asyncio.Queue[_Connection] = asyncio.Queue()
        for _ in range(size):
            self._idle.put_nowait(_Connection(host, port))

    def request_bytes(self, path: str, headers: dict[str, str]) -> bytes:
        lines = [f"GET {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Accept: */*"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def get(self, request: bytes) -> tuple[int, bytes]:
        """(status, body); a connection that failed or was cancelled midway is closed, not reused."""
        conn = await self._idle.get()
        done = False
        try:
            answer = await conn.get(request)
            done = True
            return answer
        finally:
            if not done:
                conn.close()
            self._idle.put_nowait(conn)

    async def close(self) -> None:
        while not self._idle.empty():
            self._idle.get_nowait().close()
