"""The load scenario of issue 11: 200 clients, 40 % writes and 60 % reads, on SQLite and PostgreSQL.

Ten kinds of request, 20 clients each (4 write kinds = 40 % of the clients). The closed-loop run is one
wrk process per kind (`load.lua`), all at once on the load core, so each kind has its own latency
histogram and the total is the sum of their rates. Python could not drive that rate from one core; at
2 s think time (≈100 req/s) it can, and an asyncio generator starts its clients at random moments of
the first 2 s, where wrk would send all 200 first requests at once. Every write carries a unique
`tid n`; after each run the server is stopped and the database read back, so a write that was
acknowledged (2xx) but not stored would show.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from benchmarks import common
from benchmarks.common import ROOT, Server
from jarvis.instances.models import Instance, InstanceEvent
from jarvis.metrics.models import MetricPoint

WRITES = ["heartbeat", "hook", "event", "metrics"]
READS = ["overview", "section", "page", "instance", "chat", "metrics_read"]
PER_KIND, SECONDS, THINK_S = 20, int(os.environ.get("BENCH_LOAD_SECONDS", "30")), 2.0
HOOK_CLIENTS, HOOK_SECONDS = 10, 10
LUA = ROOT / "benchmarks" / "load.lua"
HOOKS = ROOT / "tests" / "instances" / "claude-code-hooks.jsonl"
HOOK_LINES = HOOKS.read_text().splitlines()
SECTIONS = ["instances", "health", "business", "financial", "waves"]
TARGET_RPS = {"SQLite": 1500, "PostgreSQL": 1000}
HEADERS = {"Host": "127.0.0.1"}


@dataclass
class Kind:
    requests: int
    rps: float
    p50: float
    p99: float
    errors: int


@dataclass
class Run:
    kinds: dict[str, Kind] = field(default_factory=dict)
    acked: dict[str, list[str]] = field(default_factory=dict)  # write kind → the `tid n` of each 2xx
    bad: list[str] = field(default_factory=list)  # the first non-2xx answers, "kind status body"
    lost: dict[str, tuple[int, int]] = field(default_factory=dict)  # write kind → (acknowledged, stored)


def build(kind: str, tid: int, n: int) -> tuple[str, str, dict[str, object] | None]:
    """The Python twin of `request()` in load.lua (method, path, JSON body)."""
    sent = f"{tid} {n}"
    if kind == "heartbeat":
        body = {"status": "active", "name": f"Load agent {tid}", "current_task": f"load hb {sent}"}
        return "POST", f"/api/instances/load-hb-{tid:02d}/heartbeat", body
    if kind == "hook":
        payload = json.loads(HOOK_LINES[(n - 1) % len(HOOK_LINES)])
        return "POST", "/api/hooks/claude-code", {**payload, "session_id": f"load-session-{tid:02d}",
                                                   "bench_seq": f"load hook {sent}"}  # fmt: skip
    if kind == "event":
        return "POST", f"/api/instances/load-ev-{tid:02d}/events", {"kind": "log", "message": f"load ev {sent}"}
    if kind == "metrics":
        points = [{"module": "engagement", "key": f"load_{i}", "value": n % 100, "labels": {"seq": f"load m {sent}"}}
                  for i in range(1, 11)]  # fmt: skip
        return "POST", "/api/metrics", {"points": points}
    agent = f"agent-{(n - 1) % 20:02d}"
    path = {
        "overview": "/api/dashboard/overview",
        "section": f"/api/dashboard/{SECTIONS[(n - 1) % len(SECTIONS)]}",
        "page": "/",
        "instance": f"/instances/{agent}" if n % 2 == 0 else f"/api/instances/{agent}",
        "chat": "/api/chat",
        "metrics_read": "/api/metrics",
    }[kind]
    return "GET", path, None


def prepare(url: str) -> None:
    """Seed a fleet, create the instances the events go to, and check every kind answers 2xx with its payload."""
    common.seed(url, services=10, waves=5)
    with httpx.Client(base_url=url, headers=HEADERS, timeout=10) as http:
        for tid in range(PER_KIND + 1):
            http.post(f"/api/instances/load-ev-{tid:02d}/heartbeat", json={"status": "active"}).raise_for_status()
        for kind in WRITES + READS:
            for n in range(1, 6):
                method, path, body = build(kind, 0, n)
                response = http.request(method, path, json=body)
                if not response.is_success:
                    raise RuntimeError(f"{kind} {method} {path}: {response.status_code} {response.text[:300]}")


def closed_loop(url: str, kinds: list[str], clients: int, seconds: int) -> Run:
    """One wrk per kind at once; write kinds one connection per thread, so each ack is tied to its id."""
    processes = {
        kind: subprocess.Popen(
            common.wrk_command(
                url,
                connections=clients,
                seconds=seconds,
                threads=clients if kind in WRITES else 2,
                script=LUA,
                args=(kind, str(HOOKS)),
                timeout_s=10,
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for kind in kinds
    }
    run = Run()
    for kind, process in processes.items():
        output, errors = process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"wrk {kind} exited {process.returncode}: {errors[-500:]}")
        result = common.parse_wrk(output)
        lines = output.splitlines()
        non2xx = sum(int(line.split()[1]) for line in lines if line.startswith("NON2XX "))
        counted = re.search(r"Non-2xx or 3xx responses: (\d+)", output)  # wrk counts only >= 400 there
        socket = result.errors - (int(counted.group(1)) if counted else 0)
        run.kinds[kind] = Kind(result.requests, result.requests_per_s, result.p50_ms, result.p99_ms, non2xx + socket)
        run.bad += [f"{kind} {line[4:]}" for line in lines if line.startswith("BAD ")][:3]
        if kind in WRITES:
            run.acked[kind] = [i for line in lines if line.startswith("ACK ") for i in line[4:].split(",") if i]
    return run


async def think_time(url: str) -> Run:
    """200 clients, each waiting THINK_S between an answer and its next request; latency per kind."""
    run = Run(acked={kind: [] for kind in WRITES})
    samples: dict[str, list[float]] = {kind: [] for kind in WRITES + READS}
    errors: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    async with httpx.AsyncClient(base_url=url, headers=HEADERS, timeout=10, limits=limits) as http:
        deadline = time.monotonic() + SECONDS

        async def client(kind: str, tid: int) -> None:
            await asyncio.sleep(random.uniform(0, THINK_S))
            n = 0
            while time.monotonic() < deadline:
                n += 1
                method, path, body = build(kind, tid, n)
                started = time.perf_counter()
                try:
                    response = await http.request(method, path, json=body)
                except httpx.HTTPError as error:
                    errors[kind] += 1
                    run.bad.append(f"{kind} {path} {type(error).__name__}")
                else:
                    samples[kind].append((time.perf_counter() - started) * 1000)
                    if response.is_success and kind in WRITES:
                        run.acked[kind].append(f"{tid} {n}")
                    elif not response.is_success:
                        errors[kind] += 1
                        run.bad.append(f"{kind} {path} {response.status_code} {response.text[:300]}")
                await asyncio.sleep(THINK_S)

        await asyncio.gather(*(client(k, t) for k in WRITES + READS for t in range(1, PER_KIND + 1)))
    for kind, values in samples.items():
        cuts = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else [float("nan")] * 99
        run.kinds[kind] = Kind(len(values), len(values) / SECONDS, cuts[49], cuts[98], errors[kind])
    run.bad = run.bad[:3]
    return run


async def check_stored(database_url: str, run: Run) -> None:
    """Read what the stopped server left in its database and count each acknowledged write in it."""
    engine = create_async_engine(database_url)
    async with engine.connect() as db:
        query = select(InstanceEvent.message).where(InstanceEvent.message.like("load ev %"))
        events = {message.removeprefix("load ev ") for (message,) in await db.execute(query)}
        query = select(InstanceEvent.data).where(InstanceEvent.instance_id.like("cc-%"))
        hooks = {str(data["bench_seq"]).removeprefix("load hook ") for (data,) in await db.execute(query)
                 if isinstance(data, dict) and "bench_seq" in data}  # fmt: skip
        query = select(MetricPoint.labels).where(MetricPoint.key.like("load_%"))
        points = Counter(
            str((labels or {}).get("seq")).removeprefix("load m ") for (labels,) in await db.execute(query)
        )
        query = select(Instance.id, Instance.current_task).where(Instance.id.like("load-hb-%"))
        latest = {row_id[len("load-hb-") :].lstrip("0"): task for row_id, task in await db.execute(query)}
    await engine.dispose()

    def heartbeat_kept(sent: str) -> bool:
        """A heartbeat overwrites its agent's state: it is kept when the stored counter is its own or later."""
        tid, n = sent.split()
        stored = (latest.get(tid) or "load hb 0 0").split()
        return stored[2] == tid and int(stored[3]) >= int(n)

    kept = {"event": events.__contains__, "hook": hooks.__contains__, "metrics": lambda s: points[s] == 10,
            "heartbeat": heartbeat_kept}  # fmt: skip
    for kind, acked in run.acked.items():
        run.lost[kind] = (len(acked), sum(1 for sent in acked if kept[kind](sent)))


@contextmanager
def database(name: str) -> Iterator[str | None]:
    """A fresh database's URL for one server (None: the server makes its own SQLite file)."""
    if name == "SQLite":
        yield None
    else:
        with common.fresh_postgres() as url:
            yield url


def measured(name: str, how: str) -> Run:
    """A fresh server and database; the load; the server stopped; the writes counted."""
    with database(name) as url, common.jarvis_server({"JARVIS_DATABASE_URL": url} if url else None) as server:
        prepare(server.url)
        if how == "closed":
            run = closed_loop(server.url, WRITES + READS, PER_KIND, SECONDS)
        elif how == "think":
            run = asyncio.run(think_time(server.url))
        else:
            run = closed_loop(server.url, ["hook"], HOOK_CLIENTS, HOOK_SECONDS)
        stop(server, run)
        asyncio.run(check_stored(url or f"sqlite+aiosqlite:///{server.data_dir / 'jarvis.db'}", run))
    return run


def stop(server: Server, run: Run) -> None:
    server.process.terminate()
    _, stderr = server.process.communicate(timeout=30)
    if run.bad:
        run.bad.append("server stderr tail: " + stderr.decode(errors="replace")[-1500:].replace("\n", " | "))


def table(run: Run, clients: int) -> list[str]:
    lines = ["| kind | clients | requests | req/s | p50 | p99 | errors |", "|---|---|---|---|---|---|---|"]
    for kind, k in run.kinds.items():
        ms = f"{k.p50:.1f} ms | {k.p99:.1f} ms"
        lines.append(f"| {kind} | {clients} | {k.requests:,} | {k.rps:,.0f} | {ms} | {k.errors} |")
    total = sum(k.requests for k in run.kinds.values())
    rps, errors = sum(k.rps for k in run.kinds.values()), sum(k.errors for k in run.kinds.values())
    lines += [f"| **total** | {clients * len(run.kinds)} | {total:,} | **{rps:,.0f}** | | | {errors} |", ""]
    written = sum(k.requests for kind, k in run.kinds.items() if kind in WRITES)
    lines += [f"- writes: {100 * written / max(total, 1):.0f} % of the requests"] if len(run.kinds) > 1 else []
    lines += [f"- acknowledged {a:,}, stored {s:,} ({kind})" for kind, (a, s) in run.lost.items()]
    return lines + [f"- non-2xx / transport error: `{bad}`" for bad in run.bad] + [""]


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def main() -> None:
    if (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(
            0, {int(common.LOAD_CORE)}
        )  # the think-time generator and the checks stay off the server's core
    problem = common.postgres_problem()
    names = ["SQLite"] + (["PostgreSQL"] if problem is None else [])
    out = ["## Load: the issue-11 mix", "", __doc__.split("\n\n", 1)[1].strip().replace("\n", " "), ""]
    out += ["wrk `--timeout 10s`; the server is `jarvis serve` on core 1, fresh database per run, seeded with 20 "
            "agents, 10 services and 5 waves; reads of `instance` alternate `/api/instances/{id}` and "
            "`/instances/{id}`, `section` cycles the five `/api/dashboard/*` sections.", ""]  # fmt: skip
    out += [f"Load average when this run started: {os.getloadavg()[0]:.2f} (other work on the machine shows here)."]
    out += [""]
    if problem:
        out += [f"PostgreSQL skipped: {common.POSTGRES_ADMIN_URL} not reachable ({problem}).", ""]
    targets: list[str] = []
    for name in names:
        closed, think, hook = measured(name, "closed"), measured(name, "think"), measured(name, "hook")
        for title, run, clients in (
            (f"closed loop, {PER_KIND * 10} clients, no think time, {SECONDS} s", closed, PER_KIND),
            (f"{THINK_S:.0f} s think time, {PER_KIND * 10} clients, {SECONDS} s", think, PER_KIND),
            (f"hook ingestion alone, {HOOK_CLIENTS} connections, {HOOK_SECONDS} s", hook, HOOK_CLIENTS),
        ):
            out += [f"### {name}: {title}", "", *table(run, clients)]
        runs = (closed, think, hook)
        errors = sum(k.errors for run in runs for k in run.kinds.values())
        lost = sum(a - s for run in runs for a, s in run.lost.values())
        rps = sum(k.rps for k in closed.kinds.values())
        worst = max(think.kinds.items(), key=lambda item: item[1].p99)
        h = hook.kinds["hook"]
        targets += [
            f"- {name}: 0 errors (all runs: {errors}): {verdict(errors == 0)}",
            f"- {name}: think-time p99 < 100 ms for every kind (worst {worst[0]} {worst[1].p99:.1f} ms): "
            f"{verdict(worst[1].p99 < 100)}",
            f"- {name}: closed loop ≥ {TARGET_RPS[name]:,} req/s ({rps:,.0f}): {verdict(rps >= TARGET_RPS[name])}",
            f"- {name}: hook alone ≥ 2,000 events/s ({h.rps:,.0f}): {verdict(h.rps >= 2000)}; "
            f"p99 < 50 ms ({h.p99:.1f} ms): {verdict(h.p99 < 50)}",
            f"- {name}: 0 acknowledged writes lost ({lost}): {verdict(lost == 0)}",
        ]
    out += ["### Targets", "", *targets, ""]
    out.append(
        "A heartbeat overwrites its agent's state, so it counts as stored when its agent's stored counter is its own "
        "or a later one; events, hook events (their `bench_seq`) and metric batches (10 points each, by label) are "
        "looked up one by one. Requests in flight when a run stops are not counted either way."
    )
    print("\n".join(out))


if __name__ == "__main__":
    main()
