"""Read an import source: a local file or an http(s) URL, with a timeout and a byte limit.

Both are read to at most ``max_bytes`` (a larger source is refused, not truncated), so a
wrong URL or a runaway upstream cannot fill the memory of the process importing it. Errors
are the typed ones of :mod:`modelcatalog.errors`: :class:`~modelcatalog.errors.SourceError`
for a file that cannot be read, :class:`~modelcatalog.errors.SourceTooLarge` over the limit,
:class:`~modelcatalog.errors.UpstreamUnavailable` for a URL that does not answer in time or
answers with an HTTP error.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from modelcatalog.errors import SourceError, SourceTooLarge, UpstreamUnavailable

__all__ = ["DEFAULT_MAX_BYTES", "DEFAULT_TIMEOUT", "is_url", "read_source"]

#: LiteLLM's whole map is 3.5 MB; thirty times that is still a catalog, not an accident.
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
DEFAULT_TIMEOUT = 30.0
_CHUNK = 64 * 1024


def is_url(source: str) -> bool:
    """Whether ``source`` names an http(s) URL rather than a file."""
    return source.lower().startswith(("http://", "https://"))


def read_source(
    source: str, *, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES
) -> bytes:
    """The bytes of the file or http(s) URL ``source``, refused past ``max_bytes``."""
    if is_url(source):
        return _fetch(source, timeout, max_bytes)
    if "://" in source:
        raise SourceError(f"{source}: only http and https URLs can be imported")
    return _read_file(Path(source), max_bytes)


def _read_file(path: Path, max_bytes: int) -> bytes:
    try:
        with path.open("rb") as file:
            content = file.read(max_bytes + 1)
    except FileNotFoundError as exc:
        raise SourceError(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise SourceError(f"{path}: is a directory, not a file") from exc
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror}") from exc
    if len(content) > max_bytes:
        raise SourceTooLarge(str(path), max_bytes)
    return content


def _fetch(url: str, timeout: float, max_bytes: int) -> bytes:
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=True) as client,
            client.stream("GET", url, headers={"accept": "application/json"}) as response,
        ):
            if response.status_code >= 400:
                raise UpstreamUnavailable(f"{url}: answered HTTP {response.status_code}")
            return _bounded_body(url, response, max_bytes)
    except httpx.TimeoutException as exc:
        raise UpstreamUnavailable(f"{url}: no answer within {timeout:g} seconds") from exc
    except httpx.HTTPError as exc:
        raise UpstreamUnavailable(f"{url}: cannot fetch: {exc}") from exc


def _bounded_body(url: str, response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise SourceTooLarge(url, max_bytes)
    body = bytearray()
    for chunk in response.iter_bytes(_CHUNK):
        body += chunk
        if len(body) > max_bytes:
            raise SourceTooLarge(url, max_bytes)
    return bytes(body)
