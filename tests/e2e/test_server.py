"""``modelcatalog serve`` as a process: the README command, real-HTTP headers, refusals, exit."""

from __future__ import annotations

import gzip
import http.client
import signal
import time
from pathlib import Path

import brotli  # type: ignore[import-untyped]
import httpx
import jsonschema
import pytest
import yaml

from modelcatalog.api.server import REUSE_PORT_WORKS
from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.spec.record import MODEL_TYPES
from tests.api.catalogs import REMOVES, RETIRING, write_catalog
from tests.conftest import SPEC
from tests.e2e.conftest import Server, ServerFactory, run_serve

pytestmark = pytest.mark.e2e


def raw_get(server: Server, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """One request over a plain socket: the bytes exactly as sent, headers lower-cased."""
    host, port = server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_readme_command_serves_the_bundled_catalog_strictly_valid(
    serve: ServerFactory, tmp_path: Path
) -> None:
    server = serve(env={"MODELCATALOG_DATA_DIR": str(tmp_path / "data")})
    validator = jsonschema.Draft4Validator(
        yaml.safe_load(SPEC.read_text())["components"]["schemas"]["ModelResponse"]
    )
    bundled = {p.stem for p in BUNDLED_CATALOG.rglob("*.yaml") if p.parent.name != "aliases"}
    seen: set[str] = set()
    for selection in (*MODEL_TYPES, "all", "code"):
        body = httpx.get(f"{server.url}/api/v1/models", params={"type": selection}).json()
        assert body["type"] == selection
        for model in body["data"]:
            assert [e.message for e in validator.iter_errors(model)] == [], model["id"]
            if model["type"] == "text":
                assert model["context_length"] == model["model_spec"]["availableContextTokens"]
            seen.add(model["id"].rsplit("/", 1)[-1])
    assert seen and seen <= bundled


def test_headers_compression_and_revalidation_over_http(test_catalog_server: Server) -> None:
    path = "/api/v1/models?type=all"
    status, plain_headers, plain = raw_get(test_catalog_server, path)
    assert status == 200 and "content-encoding" not in plain_headers
    assert int(plain_headers["content-length"]) == len(plain)
    assert plain_headers["vary"].startswith("Accept-Encoding")
    assert plain_headers["cache-control"] == "public, max-age=60"
    assert plain_headers["x-catalog-version"]
    _, gz_headers, gz = raw_get(test_catalog_server, path, **{"Accept-Encoding": "gzip"})
    assert gz_headers["content-encoding"] == "gzip" and gzip.decompress(gz) == plain
    _, br_headers, br = raw_get(test_catalog_server, path, **{"Accept-Encoding": "br, gzip"})
    assert br_headers["content-encoding"] == "br" and brotli.decompress(br) == plain
    for headers, body in ((plain_headers, b""), (gz_headers, b"gzip")):
        coding = {"Accept-Encoding": body.decode()} if body else {}
        status, again, content = raw_get(
            test_catalog_server, path, **{"If-None-Match": headers["etag"], **coding}
        )
        assert status == 304 and content == b"" and again["etag"] == headers["etag"]


def test_deprecation_headers_over_http(test_catalog_server: Server) -> None:
    status, headers, _ = raw_get(test_catalog_server, f"/api/v1/models/{RETIRING}")
    assert status == 200
    assert headers["x-venice-model-deprecation-date"] == REMOVES
    assert RETIRING in headers["x-venice-model-deprecation-warning"]


def test_cors_preflight_over_http(test_catalog_server: Server) -> None:
    response = httpx.options(
        f"{test_catalog_server.url}/api/v1/models",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"


def test_sigterm_shuts_down_gracefully(serve: ServerFactory, tmp_path: Path) -> None:
    server = serve("--catalog", str(write_catalog(tmp_path)))
    assert httpx.get(f"{server.url}/healthz").status_code == 200
    # uvicorn finishes in-flight requests and the lifespan, then re-raises the signal so the
    # exit status says what ended the process (what systemd and docker expect).
    assert server.stop() in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in server.log.read_text()


def test_several_workers_serve_one_port(serve: ServerFactory, tmp_path: Path) -> None:
    server = serve(
        "--catalog", str(write_catalog(tmp_path)), "--workers", "2", "--now", "2027-03-01"
    )
    listed = httpx.get(f"{server.url}/api/v1/models").json()["data"]
    assert RETIRING not in [m["id"] for m in listed]
    assert server.stop() in (0, -signal.SIGTERM)


def _listening_sockets(port: int) -> int:
    """How many sockets listen on ``port`` (IPv4, from Linux's /proc/net/tcp)."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        count += state == "0A" and int(local.rsplit(":", 1)[1], 16) == port
    return count


@pytest.mark.skipif(not REUSE_PORT_WORKS, reason="SO_REUSEPORT spreads connections on Linux")
@pytest.mark.parametrize(("reuse_port", "listening"), [("true", 2), ("false", 1)])
def test_several_workers_listen_on_a_socket_each_unless_told_to_share(
    serve: ServerFactory, tmp_path: Path, reuse_port: str, listening: int
) -> None:
    catalog = str(write_catalog(tmp_path))
    env = {"MODELCATALOG_REUSE_PORT": reuse_port}
    server = serve("--catalog", catalog, "--workers", "2", "--now", "2027-03-01", env=env)
    port = int(server.url.rsplit(":", 1)[1])
    deadline = time.monotonic() + 60  # the second worker may still be loading the catalog
    while _listening_sockets(port) < listening and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _listening_sockets(port) == listening
    for _ in range(8):  # new connections, wherever the kernel puts them, are answered
        assert httpx.get(f"{server.url}/readyz").status_code == 200
    assert server.stop() in (0, -signal.SIGTERM)
    assert server.log.read_text().count("Application shutdown complete") == 2


def test_an_invalid_catalog_directory_is_refused_with_its_location(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path)
    broken = next((catalog / "text").glob("*.yaml"))
    record = yaml.safe_load(broken.read_text())
    record["context_length"] = record["model_spec"]["availableContextTokens"] + 1
    broken.write_text(yaml.safe_dump(record))
    process = run_serve(tmp_path, "--catalog", str(catalog), "--port", "1")
    assert process.wait(timeout=60) == 1
    log = next(tmp_path.glob("serve-*.log")).read_text()
    assert f"{broken.name}:context_length" in log
    assert "refusing to serve" in log


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--catalog", "/no/such/catalog"], 2, "no such file or directory"),
        (["--workers", "0"], 2, "invalid settings"),
        (["--now", "yesterday"], 2, "Invalid value for '--now'"),
    ],
)
def test_bad_input_exits_2(tmp_path: Path, args: list[str], code: int, message: str) -> None:
    process = run_serve(tmp_path, *args, "--port", "1")
    assert process.wait(timeout=60) == code
    assert message in next(tmp_path.glob("serve-*.log")).read_text()


def test_a_dump_with_unknown_keys_and_types_is_served_with_warnings(
    serve: ServerFactory, captures_dir: Path, tmp_path: Path
) -> None:
    capture = captures_dir / "corre_venice_models_text_2026-03-03.json"
    dump = tmp_path / "dump.json"
    text = capture.read_text().replace('"type": "text"', '"type": "decision"', 1)
    dump.write_text(text)
    server = serve("--catalog", str(dump), "--now", "2026-03-03")
    every = httpx.get(f"{server.url}/api/v1/models?type=all").json()["data"]
    assert "decision" in {m["type"] for m in every}
    assert "unknown key" in server.log.read_text()
