"""The baseline of the load benchmark: a bare FastAPI app, one synchronous JSON endpoint (as
Stride's routes are: FastAPI runs them in its thread pool), served by uvicorn with the settings
``stride serve`` uses. ``python -m benchmarks.load_bare PORT``."""

from __future__ import annotations

import sys

import uvicorn
from fastapi import FastAPI

app = FastAPI()


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/ping")
def ping() -> dict[str, str]:
    return {"pong": "ok"}


if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        proxy_headers=False,
        log_level="info",
        server_header=False,
    )
