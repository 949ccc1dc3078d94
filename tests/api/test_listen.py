"""The port ``serve`` binds: one socket for one worker, a socket per worker for several."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from multiprocessing.reduction import ForkingPickler

import pytest
from uvicorn.config import STARTUP_FAILURE

from modelcatalog.api.server import REUSE_PORT_WORKS, listen
from modelcatalog.errors import CannotListen
from tests.e2e.conftest import free_port

needs_reuse_port = pytest.mark.skipif(
    not REUSE_PORT_WORKS, reason="SO_REUSEPORT spreads connections on Linux only"
)


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def closing() -> Iterator[list[socket.socket]]:
    opened: list[socket.socket] = []
    yield opened
    for sock in opened:
        sock.close()


def _option(sock: socket.socket, option: int) -> int:
    return sock.getsockopt(socket.SOL_SOCKET, option)


def _in_a_worker(parent: socket.socket) -> socket.socket:
    """What a worker process receives: uvicorn pickles its sockets with this pickler."""
    received = ForkingPickler.loads(ForkingPickler.dumps(parent))
    assert isinstance(received, socket.socket)
    return received


def test_one_worker_binds_a_plain_socket(port: int, closing: list[socket.socket]) -> None:
    sock = listen("127.0.0.1", port)
    closing.append(sock)
    assert type(sock) is socket.socket
    assert sock.getsockname() == ("127.0.0.1", port)
    assert _option(sock, socket.SO_REUSEPORT) == 0


@needs_reuse_port
def test_each_worker_gets_a_listening_socket_of_its_own(
    port: int, closing: list[socket.socket]
) -> None:
    parent = listen("127.0.0.1", port, reuse_port=True)
    closing.append(parent)
    workers = [_in_a_worker(parent), _in_a_worker(parent)]
    closing += workers
    for sock in workers:
        assert sock.getsockname() == ("127.0.0.1", port)
        assert _option(sock, socket.SO_REUSEPORT) == 1
        sock.listen()
    assert len({parent.fileno(), *(w.fileno() for w in workers)}) == 3
    # The parent only holds the port: it never listens, so it is never handed a connection.
    assert _option(parent, socket.SO_ACCEPTCONN) == 0
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass


@needs_reuse_port
def test_a_port_another_process_shares_with_reuse_port_is_refused(
    port: int, closing: list[socket.socket]
) -> None:
    # Another `serve --workers 2` on the same port: joining its group would split its traffic.
    other = socket.socket()
    closing.append(other)
    other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    other.bind(("127.0.0.1", port))
    other.listen()
    with pytest.raises(CannotListen, match="another process listens there"):
        listen("127.0.0.1", port, reuse_port=True)


@needs_reuse_port
def test_a_worker_that_cannot_bind_stops_as_a_startup_failure(
    port: int, closing: list[socket.socket]
) -> None:
    parent = listen("127.0.0.1", port, reuse_port=True)
    pickled = ForkingPickler.dumps(parent)
    parent.close()
    squatter = socket.socket()
    closing.append(squatter)
    squatter.bind(("127.0.0.1", port))
    squatter.listen()
    with pytest.raises(SystemExit) as stopped:
        ForkingPickler.loads(pickled)
    assert stopped.value.code == STARTUP_FAILURE
