"""Take the screenshots of docs/browser.md with Playwright and Debian's Chromium.

    .venv/bin/python -m tests.browser.screenshots [docs/images]

Serves the bundled catalog from a fresh store with one repricing and one retirement (the
browser tests' service), then captures ``/``, a whole model page, and the top of that page
in dark mode.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.store import Store
from tests.browser.conftest import CHROMIUM
from tests.e2e.conftest import start_server
from tests.web.conftest import REPRICED, reprice, retire

#: File -> (path, colour scheme, whole page).
SHOTS = {
    "catalog.png": ("/?type=text&sort=-created", "light", False),
    "model.png": (f"/models/{REPRICED}?input_tokens=150000&output_tokens=4000", "light", True),
    "model-dark.png": (f"/models/{REPRICED}", "dark", False),
}


def main(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="modelcatalog-shots-") as scratch:
        root = Path(scratch)
        with Store.open(root / "data", seed=BUNDLED_CATALOG) as store:
            store.commit(reprice, author="docs", message="reprice")
            store.commit(retire, author="docs", message="retire")
        server = start_server(root, "--data-dir", str(root / "data"))
        try:
            with sync_playwright() as driver:
                browser = driver.chromium.launch(executable_path=str(CHROMIUM))
                for name, (path, scheme, whole) in SHOTS.items():
                    context = browser.new_context(
                        base_url=server.url,
                        viewport={"width": 1280, "height": 900},
                        color_scheme=scheme,  # type: ignore[arg-type]
                    )
                    page = context.new_page()
                    page.goto(path)
                    page.screenshot(path=str(target / name), full_page=whole)
                    context.close()
                    print(f"wrote {target / name}")
                browser.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/images"))
