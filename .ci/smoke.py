"""Browser smoke test: serve the app, sign in as a demo commune officer in headless Chromium, see the dashboard.

Then walk the pages a demo commune officer and a province officer reach by links, as on a phone
(375 px wide): every page answers without a server error and none is wider than the screen (a wide
table scrolls in its own box; a certificate shown on screen narrows its paper; print views are
left out). One page per URL shape, at most
`PHONE_PAGES` per user.

Uses Debian's Chromium (/usr/bin/chromium) driven by Playwright; only 127.0.0.1 is contacted.
Leaves a screenshot in var/smoke-dashboard.png.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlparse

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"]  # fmt: skip


PHONE_WIDTH = 375
PHONE_PAGES = 80
# Not walked: leaving, files, the API, the admin, and print views (laid out for A4 paper).
NOT_WALKED = re.compile(r"logout|/export|/download|/api/|/admin/|/print|/i18n/|/template|\.(xlsx|csv|docx|pdf)$")


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "ansinh-demo-2026")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def phone_walk(browser, base: str, username: str) -> list[str]:
    """The problems met walking `username`'s pages at phone width (empty: none)."""
    page = browser.new_page(viewport={"width": PHONE_WIDTH, "height": 800}, locale="vi-VN")
    sign_in(page, base, username)
    host = urlparse(base).netloc
    queue, shapes, problems, walked = ["/"], set(), [], 0
    while queue and walked < PHONE_PAGES:
        path = queue.pop(0)
        response = page.goto(base + path)
        walked += 1
        if response is None or response.status >= 500:
            problems.append(f"{username} {path}: HTTP {response.status if response else 'no answer'}")
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE_WIDTH + 2:
            problems.append(f"{username} {path}: {width} px wide at {PHONE_WIDTH} px")
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            url = urlparse(urljoin(base + path, href))
            if url.netloc != host or NOT_WALKED.search(url.path):
                continue
            shape = re.sub(r"\d+", "N", url.path) + ("?" if url.query else "")
            if shape not in shapes:
                shapes.add(shape)
                queue.append(url.path + (f"?{url.query}" if url.query else ""))
    page.close()
    print(f"{username}: {walked} pages walked at {PHONE_WIDTH} px")
    return problems


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
            problems = phone_walk(browser, base, "th.canbo") + phone_walk(browser, base, "th.tinh")
            assert not problems, "\n".join(problems)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(
        "smoke test passed: th.canbo signed in and saw the dashboard (var/smoke-dashboard.png); "
        "the pages of th.canbo and th.tinh fit a phone"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
