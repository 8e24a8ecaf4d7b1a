"""Bytes on the wire with and without gzip, and the CPU compressing costs (decision 0038).

Reads pages of the demo database as its accounts (``make setup`` first) in process, through Django's
test client: each page plain and with ``Accept-Encoding: gzip``, and the CPU of compressing its body
(mean of 50 runs at Django's level 6); then the province officer's list at levels 1, 6 and 9.

    PYTHONPATH=. DJANGO_SETTINGS_MODULE=config.settings.local .venv/bin/python -m bench.compression
"""

from __future__ import annotations

import gzip
import time

import django

PAGES = (
    ("th.tinh", "/households/"), ("th.canbo", "/households/"), ("th.canbo", "/households/{household}/"),
    ("th.canbo", "/poverty/households/{household}/"), ("th.tinh", "/reviews/campaigns/{campaign}/cases/"),
    ("th.canbo", "/api/v1/households/"), ("th.canbo", "/"), ("th.canbo", "/households/new/"),
    ("th.canbo", "/audit/"),
)  # fmt: skip
RUNS = 50


def _cpu_ms(work, runs: int) -> float:
    start = time.process_time()
    for _ in range(runs):
        work()
    return (time.process_time() - start) / runs * 1000


def main() -> None:
    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils.text import compress_string

    from ansinh.registry.models import Household
    from ansinh.reviews.models import Campaign

    names = {
        "household": Household.objects.filter(commune__name="Xã Thọ Xuân").order_by("pk").first().pk,
        "campaign": Campaign.objects.filter(unit__name="Tỉnh Thanh Hóa").order_by("pk").first().pk,
    }
    users = get_user_model().objects
    print("| Reader | Page | Plain bytes | gzip bytes | Ratio | Compress CPU (ms) |")
    print("|---|---|---|---|---|---|")
    bodies = {}
    for username, pattern in PAGES:
        url = pattern.format(**names)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(users.get(username=username))
        plain, packed = client.get(url), client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        if plain.status_code != 200 or gzip.decompress(packed.content).count(b"<") != plain.content.count(b"<"):
            raise SystemExit(f"{url}: {plain.status_code}, or the compressed page is not the same page")
        body = bodies[(username, pattern)] = plain.content
        ms = _cpu_ms(lambda body=body: compress_string(body, max_random_bytes=100), RUNS)
        print(f"| {username} | {url} | {len(body):,} | {len(packed.content):,} | "
              f"{len(packed.content) / len(body):.2f} | {ms:.2f} |")  # fmt: skip
    body = bodies[PAGES[0]]
    print("\n| Level (province officer's list) | Bytes | CPU (ms, mean of 100) |\n|---|---|---|")
    for level in (1, 6, 9):
        ms = _cpu_ms(lambda level=level: gzip.compress(body, compresslevel=level, mtime=0), 100)
        print(f"| {level} | {len(gzip.compress(body, compresslevel=level, mtime=0)):,} | {ms:.2f} |")


if __name__ == "__main__":
    main()
