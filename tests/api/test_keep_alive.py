"""The direct read protocol's keep-alive timer: one per idle stretch, never closing a busy
connection, closing one idle for the whole timeout (in process, on a fake transport)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from uvicorn.config import Config
from uvicorn.server import ServerState

from modelcatalog.api import CatalogApp
from modelcatalog.api.direct import DirectReadProtocol

pytestmark = pytest.mark.anyio

TIMEOUT = 0.2
READ = b"GET /api/v1/models/traits HTTP/1.1\r\nHost: catalog\r\n\r\n"


class Transport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written: list[bytes] = []
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written.append(bytes(data))

    def writelines(self, data: Any) -> None:
        self.written.append(b"".join(data))

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(name)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True


def _connect(app: CatalogApp) -> tuple[DirectReadProtocol, Transport]:
    config = Config(app, http=DirectReadProtocol, lifespan="off")
    config.load()
    state = ServerState()
    state.default_headers = [(b"date", b"Sun, 06 Dec 2026 06:00:00 GMT")]
    protocol = DirectReadProtocol(config, state, {}, asyncio.get_running_loop())
    protocol.timeout_keep_alive = TIMEOUT  # type: ignore[assignment]  # seconds, as a float
    transport = Transport()
    protocol.connection_made(transport)
    return protocol, transport


async def test_one_timer_per_idle_stretch(app: CatalogApp) -> None:
    protocol, transport = _connect(app)
    protocol.data_received(READ)
    timer = protocol.timeout_keep_alive_task
    assert timer is not None and transport.written[-1].startswith(b"HTTP/1.1 200 OK\r\n")
    protocol.data_received(READ)
    assert protocol.timeout_keep_alive_task is timer and len(transport.written) == 2
    protocol.connection_lost(None)
    assert protocol.timeout_keep_alive_task is None and timer.cancelled()


async def test_a_connection_in_use_outlives_the_timeout(app: CatalogApp) -> None:
    protocol, transport = _connect(app)
    for _ in range(6):  # 1.5 timeouts of requests
        protocol.data_received(READ)
        await asyncio.sleep(TIMEOUT / 4)
    assert not transport.closed and len(transport.written) == 6
    await asyncio.sleep(TIMEOUT * 1.5)  # then idle for longer than the timeout
    assert transport.closed


async def test_a_request_being_read_is_never_timed_out(app: CatalogApp) -> None:
    protocol, transport = _connect(app)
    protocol.data_received(READ)
    protocol.data_received(READ[:20])  # the rest of the head never comes
    await asyncio.sleep(TIMEOUT * 1.5)
    assert not transport.closed  # as uvicorn: a head being read has no keep-alive timeout
    protocol.connection_lost(None)
