"""Browser smoke test: serve the app, sign in as a demo commune officer in headless Chromium, see the dashboard.

Uses Debian's Chromium (/usr/bin/chromium) driven by Playwright; only 127.0.0.1 is contacted.
Leaves a screenshot in var/smoke-dashboard.png.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server did not answer at {url}")


def main() -> int:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    (ROOT / "var").mkdir(exist_ok=True)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(f"{base}/accounts/login/")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="vi-VN")
            page.goto(f"{base}/")
            assert "/accounts/login/" in page.url, page.url
            page.fill("input[name=username]", "th.canbo")
            page.fill("input[name=password]", "ansinh-demo-2026")
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            text = page.inner_text("main")
            page.screenshot(path=str(ROOT / "var" / "smoke-dashboard.png"), full_page=True)
            assert page.url.rstrip("/") == base, f"not on the dashboard: {page.url}"
            assert "Tổng quan" in page.title(), page.title()
            assert "Vai trò và địa bàn" in text, text[:500]
            assert "Xã Thọ Xuân" in text, f"the user's commune is not on the dashboard: {text[:500]}"
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print("smoke test passed: th.canbo signed in and saw the dashboard (var/smoke-dashboard.png)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
