"""Web budget: page weight, DOMContentLoaded in headless Chromium, and the server-side render of `/`,
with 20 instances, 50 services and 5 waves loaded through the API into a real `jarvis serve`."""

from __future__ import annotations

import os
import re
import statistics
import time
from typing import Any

import httpx
from playwright.sync_api import sync_playwright

from benchmarks.screenshots import loaded_server
from jarvis.web import views
from jarvis.web.templating import base_context, templates

CHROMIUM = os.environ.get("JARVIS_CHROMIUM", "/usr/bin/chromium")
LOADS = 7
RENDERS = 300
GETS = 100


def page_weight(url: str) -> tuple[int, dict[str, int]]:
    html = httpx.get(url + "/").content
    sizes = {"/ (HTML)": len(html)}
    for asset in re.findall(rb'(?:src|href)="(/static/[^"]+\.(?:css|js))"', html):
        path = asset.decode()
        sizes[path] = len(httpx.get(url + path).content)
    return sum(sizes.values()), sizes


def dom_content_loaded(url: str) -> list[float]:
    timings: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        page.goto(url + "/")  # warm the server's and the browser's caches once
        for _ in range(LOADS):
            page.goto(url + "/", wait_until="domcontentloaded")
            value = page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
            timings.append(float(value))
        browser.close()
    return timings


def render_times(url: str) -> list[float]:
    """The template render alone, from the same section data the server has (in this process)."""
    overview: dict[str, Any] = httpx.get(url + "/api/dashboard/overview").json()["data"]
    template = templates.get_template("dashboard/index.html")
    timings: list[float] = []
    for _ in range(RENDERS):
        started = time.perf_counter()
        view = views.dashboard_view(overview)
        template.render(base_context(view=view, version=1, nav="dashboard", page="dashboard", base_url=url))
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def get_times(url: str) -> list[float]:
    timings: list[float] = []
    with httpx.Client() as client:
        for _ in range(GETS):
            started = time.perf_counter()
            client.get(url + "/").raise_for_status()
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    with loaded_server(instances=20, services=50, waves=5, checks=2) as url:
        total, sizes = page_weight(url)
        renders = render_times(url)
        gets = get_times(url)
        dcl = dom_content_loaded(url)
    print("### Web dashboard budget")
    print()
    print("20 instances, 50 services (2 checks each), 5 waves, 7 days of metrics and two financial snapshots, all")
    print("loaded through the HTTP API into `jarvis serve`; loopback; headless Chromium (`/usr/bin/chromium`).")
    print()
    print("| measure | value | budget |")
    print("|---|---|---|")
    print(f"| page weight, HTML + CSS + JS (uncompressed) | {total / 1024:.1f} KB | < 150 KB |")
    for name, size in sizes.items():
        print(f"| &nbsp;&nbsp;{name} | {size / 1024:.1f} KB | |")
    dcl_text = f"{statistics.median(dcl):.0f} ms (max {max(dcl):.0f})"
    print(f"| DOMContentLoaded, median of {LOADS} loads | {dcl_text} | < 200 ms |")
    render_text = f"{p(renders, 50):.2f} ms (p95 {p(renders, 95):.2f})"
    print(f"| server-side render of `/` (template only), p50 of {RENDERS} | {render_text} | < 5 ms |")
    print(
        f"| `GET /` over loopback (sections cached), p50 of {GETS} | {p(gets, 50):.2f} ms (p95 {p(gets, 95):.2f}) | |"
    )


if __name__ == "__main__":
    main()
