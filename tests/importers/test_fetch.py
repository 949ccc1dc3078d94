"""Reading an import source: files and http(s) URLs, bounded in size and time."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from modelcatalog.errors import SourceError, SourceTooLarge, UpstreamUnavailable
from modelcatalog.importers import read_source
from tests.importers.conftest import Upstream


def test_a_file_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "models.json"
    path.write_bytes(b'{"data": []}')
    assert read_source(str(path)) == b'{"data": []}'


def test_a_missing_file_names_itself(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        read_source(str(tmp_path / "absent.json"))


def test_a_directory_is_not_a_source(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="is a directory"):
        read_source(str(tmp_path))


def test_a_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b"x" * 11)
    assert read_source(str(path), max_bytes=11) == b"x" * 11
    with pytest.raises(SourceTooLarge) as caught:
        read_source(str(path), max_bytes=10)
    assert caught.value.limit == 10


def test_a_url_is_fetched(upstream: Upstream) -> None:
    url = upstream.serve("/api/v1/models", b'{"data": []}')
    assert read_source(url) == b'{"data": []}'


def test_a_url_over_the_limit_is_refused(upstream: Upstream) -> None:
    url = upstream.serve("/big", b"x" * 1000)
    with pytest.raises(SourceTooLarge):
        read_source(url, max_bytes=999)


def test_an_http_error_is_upstream_unavailable(upstream: Upstream) -> None:
    url = upstream.serve("/broken", b"{}", status=503)
    with pytest.raises(UpstreamUnavailable, match="HTTP 503"):
        read_source(url)
    with pytest.raises(UpstreamUnavailable, match="HTTP 404"):
        read_source(upstream.url + "/absent")


def test_a_url_that_does_not_answer_in_time_times_out(upstream: Upstream) -> None:
    url = upstream.serve("/slow", b"{}")
    upstream.release.clear()  # the server holds its answer until the test is done
    with pytest.raises(UpstreamUnavailable, match=r"no answer within 0\.2 seconds"):
        read_source(url, timeout=0.2)


def test_an_unreachable_url_is_upstream_unavailable() -> None:
    with socket.socket() as sock:  # a port nobody listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        with pytest.raises(UpstreamUnavailable, match="cannot fetch"):
            read_source(f"http://127.0.0.1:{port}/models")


def test_other_schemes_are_refused() -> None:
    with pytest.raises(SourceError, match="only http and https"):
        read_source("ftp://example.com/models.json")
