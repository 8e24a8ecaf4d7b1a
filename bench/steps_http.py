"""HTTP benchmark (issue 6): the app served by gunicorn, loaded by concurrent clients on 127.0.0.1.

The step starts gunicorn (``config.wsgi`` with the bench settings and the step's database, gthread
workers, a free port on 127.0.0.1), signs in as a province officer through the login form (CSRF
token, then POST), and sends GET requests from N client threads (one keep-alive connection each,
``http.client``) to the household list, a household page, the review progress dashboard (when the
database holds a campaign) and the API's household list. Each run is bounded both in requests and
in seconds. Every answer is checked: status 200 and the real page (not the login page, the API's
JSON has its ``items``); anything else counts as an error. Latency percentiles are over the
answered requests; throughput is answered requests ÷ the run's wall time.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from .steps import _bench_admin, _province_reader, _run_unit, step

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PASSWORD = "bench-http-only-" + "x" * 8
DEFAULT_CLIENTS = (10, 50)
DEFAULT_MAX_REQUESTS = 1000  # per (target, concurrency)
DEFAULT_MAX_SECONDS = 20.0  # per (target, concurrency)
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_LOGIN_MARK = 'name="password"'


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    found = {}
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _eq, rest = value.partition("=")
            found[name.strip()] = rest.split(";", 1)[0]
    return found


def _cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def login(port: int, username: str, password: str) -> dict[str, str]:
    """Sign in through the login form as a browser does; the session and CSRF cookies."""
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    page = response.read().decode()
    cookies = _cookies(response)
    token = _CSRF.search(page)
    if response.status != 200 or token is None:
        raise RuntimeError(f"login page: HTTP {response.status}")
    body = urlencode({"csrfmiddlewaretoken": token.group(1), "username": username, "password": password})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": _cookie_header(cookies),
               "Referer": f"http://{HOST}:{port}/accounts/login/"}  # fmt: skip
    conn.request("POST", "/accounts/login/", body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    cookies.update(_cookies(response))
    conn.close()
    if response.status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"login refused: HTTP {response.status}")
    return cookies


def _check(kind: str, status: int, body: bytes) -> bool:
    if status != 200:
        return False
    if kind == "api":
        try:
            return "items" in json.loads(body)
        except ValueError:
            return False
    text = body.decode("utf-8", "replace")
    return _LOGIN_MARK not in text and "<main" in text


def load(port: int, cookies: dict[str, str], paths: list[str], kind: str, *, clients: int, max_requests: int,
         max_seconds: float) -> dict[str, Any]:  # fmt: skip
    """`clients` threads, each with its own keep-alive connection, cycling through `paths` until
    `max_requests` answers in all or `max_seconds` have passed; latencies in ms."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(max_requests))
    deadline = time.perf_counter() + max_seconds
    headers = {"Cookie": _cookie_header(cookies), "Accept-Encoding": "identity"}

    def client() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        while time.perf_counter() < deadline:
            with lock:
                number = next(counter, None)
            if number is None:
                break
            path = paths[number % len(paths)]
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
                ok = _check(kind, response.status, body)
                detail = f"{path}: HTTP {response.status}"
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
                ok, detail = False, f"{path}: {exc.__class__.__name__}"
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                (latencies.append(elapsed) if ok else errors.append(detail))
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {"clients": clients, "requests": len(latencies), "errors": len(errors), "error_sample": errors[:3],
            "seconds": round(wall, 2), "throughput_rps": round(len(latencies) / wall, 1) if wall else None,
            **_percentiles(latencies)}  # fmt: skip


def _percentiles(values: list[float]) -> dict[str, float | None]:
    if len(values) < 2:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None, "mean_ms": None}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50_ms": round(cuts[49], 1), "p95_ms": round(cuts[94], 1), "p99_ms": round(cuts[98], 1),
            "mean_ms": round(statistics.fmean(values), 1)}  # fmt: skip


def _targets(province) -> dict[str, tuple[str, list[str]]]:
    """name → (kind, paths). The household pages are a seeded sample spread over the province."""
    import random

    from ansinh.registry.models import Household
    from ansinh.reviews.models import Campaign

    ids = list(
        Household.objects.filter(unit_path__startswith=province.path).order_by("pk").values_list("pk", flat=True)
    )
    sample = random.Random(6).sample(ids, min(200, len(ids)))  # noqa: S311 - which pages to ask for
    village = Household.objects.filter(pk=sample[0]).values_list("village_id", flat=True).first()
    targets = {
        "household_list": ("page", ["/households/"]),
        "household_list_village": ("page", [f"/households/?village={village}"]),
        "household_list_search": ("page", ["/households/?q=nguyen+van+an"]),
        "household_page": ("page", [f"/households/{pk}/" for pk in sample]),
        "api_household_list": ("api", ["/api/v1/households/?page=1&page_size=50"]),
    }
    campaign = Campaign.objects.filter(unit=province).order_by("-pk").first()
    if campaign is not None:
        targets["review_dashboard"] = ("page", [f"/reviews/campaigns/{campaign.pk}/progress/"])
    return targets


def _serve(port: int, workers: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"{HOST}:{port}", "--workers",
               str(workers), "--worker-class", "gthread", "--threads", str(threads), "--log-level", "warning",
               "--timeout", "120"]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 - our own app
    deadline = time.monotonic() + 180  # the workers import Django: slow on a loaded machine
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:  # ready when a worker answers, not merely when the socket listens
            conn = http.client.HTTPConnection(HOST, port, timeout=60)
            conn.request("GET", "/accounts/login/")
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return server
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.5)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


@step("http")
def http_load(params: dict[str, Any]) -> dict[str, Any]:
    """gunicorn on the step's database, a province officer signed in through the form, then each
    target at each concurrency (default 10 and 50 clients), bounded in requests and seconds."""
    from django.db import connection

    _bench_admin()
    province = _run_unit({"province": params["province"]})
    reader = _province_reader(province)
    reader.set_password(PASSWORD)
    reader.save(update_fields=["password"])
    targets = _targets(province)
    connection.close()  # the server's workers hold their own connections
    workers, threads = int(params.get("workers", 3)), int(params.get("threads", 4))
    port = _free_port()
    server = _serve(port, workers, threads)
    results: dict[str, Any] = {"workers": workers, "threads": threads, "targets": {}}
    try:
        cookies = login(port, reader.username, PASSWORD)
        for name, (kind, paths) in targets.items():
            load(port, cookies, paths[:5], kind, clients=2, max_requests=10, max_seconds=10)  # warm up
            results["targets"][name] = {"path": paths[0], "runs": [
                load(port, cookies, paths, kind, clients=clients,
                     max_requests=int(params.get("max_requests", DEFAULT_MAX_REQUESTS)),
                     max_seconds=float(params.get("max_seconds", DEFAULT_MAX_SECONDS)))
                for clients in params.get("clients", DEFAULT_CLIENTS)
            ]}  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)
    results["loadavg"] = Path("/proc/loadavg").read_text().split()[:3]
    return results
