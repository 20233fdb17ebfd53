"""The TTL cache: expiry, single-flight, stale-on-error, invalidation, honest stats."""

from __future__ import annotations

import asyncio

import pytest

from jarvis.core.cache import TTLCache


class Ticker:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


async def test_hit_within_ttl_and_recompute_after() -> None:
    ticker = Ticker()
    cache = TTLCache(clock=ticker)
    calls = 0

    async def compute() -> int:
        nonlocal calls
        calls += 1
        return calls

    assert (await cache.get_or_compute("k", 2.0, compute)).value == 1
    ticker.t += 1.9
    assert (await cache.get_or_compute("k", 2.0, compute)).value == 1
    ticker.t += 0.2
    assert (await cache.get_or_compute("k", 2.0, compute)).value == 2
    stats = cache.snapshot()
    assert (stats["hits"], stats["misses"], stats["computations"]) == (1, 2, 2)
    assert stats["hit_ratio"] == round(1 / 3, 4)
    assert stats["keys"] == ["k"] and stats["size"] == 1


async def test_concurrent_misses_compute_once() -> None:
    cache = TTLCache()
    calls = 0
    gate = asyncio.Event()

    async def compute() -> str:
        nonlocal calls
        calls += 1
        await gate.wait()
        return "value"

    waiters = [asyncio.create_task(cache.get_or_compute("k", 5, compute)) for _ in range(50)]
    await asyncio.sleep(0)
    gate.set()
    results = await asyncio.gather(*waiters)
    assert calls == 1
    assert {r.value for r in results} == {"value"}


async def test_failed_refresh_serves_last_good_value_marked_stale() -> None:
    ticker = Ticker()
    cache = TTLCache(clock=ticker)
    fail = False

    async def compute() -> str:
        if fail:
            raise RuntimeError("upstream down")
        return "good"

    await cache.get_or_compute("k", 1, compute)
    ticker.t += 5
    fail = True
    lookup = await cache.get_or_compute("k", 1, compute)
    assert lookup.value == "good" and lookup.stale is True
    assert lookup.error is not None and "upstream down" in lookup.error
    assert lookup.age_s == 5
    assert cache.snapshot()["stale_serves"] == 1
    assert cache.snapshot()["errors"] == 1


async def test_failure_with_nothing_cached_raises_to_every_waiter() -> None:
    cache = TTLCache()
    gate = asyncio.Event()

    async def compute() -> str:
        await gate.wait()
        raise ValueError("boom")

    tasks = [asyncio.create_task(cache.get_or_compute("k", 1, compute)) for _ in range(3)]
    await asyncio.sleep(0)
    gate.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, ValueError) for r in results)


async def test_invalidate_during_computation_discards_the_old_result() -> None:
    cache = TTLCache()
    gate = asyncio.Event()

    async def compute() -> str:
        await gate.wait()
        return "old"

    task = asyncio.create_task(cache.get_or_compute("k", 60, compute))
    await asyncio.sleep(0)
    cache.invalidate("k")
    gate.set()
    assert (await task).value == "old"
    assert cache.peek("k") is None  # a write happened meanwhile: the old value is not kept


async def test_a_read_after_a_write_does_not_join_the_older_computation() -> None:
    cache = TTLCache()
    gate = asyncio.Event()
    values = iter(["before the write", "after the write"])

    async def compute() -> str:
        value = next(values)
        if value == "before the write":
            await gate.wait()
        return value

    older = asyncio.create_task(cache.get_or_compute("k", 60, compute))
    await asyncio.sleep(0)
    cache.invalidate("k")  # a write lands while the older computation runs
    fresh = await asyncio.wait_for(cache.get_or_compute("k", 60, compute), 1)  # would wait on the gate
    assert fresh.value == "after the write"
    gate.set()
    assert (await older).value == "before the write"  # its own reader asked before the write
    assert cache.peek("k") == "after the write"  # and the older result does not overwrite the newer


async def test_clear_one_key_or_all() -> None:
    cache = TTLCache()
    cache.set("a", 1, 60)
    cache.set("b", 2, 60)
    assert cache.clear("a") == 1
    assert cache.snapshot()["keys"] == ["b"]
    assert cache.clear() == 1
    assert cache.snapshot()["size"] == 0


@pytest.mark.parametrize("max_keys", [10])
async def test_size_is_bounded(max_keys: int) -> None:
    ticker = Ticker()
    cache = TTLCache(max_keys=max_keys, clock=ticker)
    for index in range(25):
        ticker.t += 1
        cache.set(f"k{index}", index, 600)
    assert cache.snapshot()["size"] == max_keys
    assert cache.peek("k24") == 24 and cache.peek("k0") is None


async def test_an_aged_entry_is_served_while_one_task_rebuilds_it() -> None:
    ticker = Ticker()
    cache = TTLCache(clock=ticker)
    calls = 0
    release = asyncio.Event()

    async def compute() -> int:
        nonlocal calls
        calls += 1
        if calls > 1:
            await release.wait()
        return calls

    assert (await cache.get_or_compute("k", 2.0, compute, refresh_in_background=True)).value == 1
    ticker.t += 2.1  # aged past its TTL: no write asked for a rebuild
    served = [await cache.get_or_compute("k", 2.0, compute, refresh_in_background=True) for _ in range(5)]
    assert [lookup.value for lookup in served] == [1] * 5  # nobody waited
    await asyncio.sleep(0)
    assert calls == 2  # one rebuild for the five readers
    release.set()
    await asyncio.gather(*cache._refreshing)
    assert (await cache.get_or_compute("k", 2.0, compute, refresh_in_background=True)).value == 2


async def test_after_an_invalidation_the_reader_waits_for_the_new_value() -> None:
    cache = TTLCache(clock=Ticker())
    values = iter([1, 2])

    async def compute() -> int:
        return next(values)

    assert (await cache.get_or_compute("k", 2.0, compute, refresh_in_background=True)).value == 1
    cache.invalidate("k")  # a write
    assert (await cache.get_or_compute("k", 2.0, compute, refresh_in_background=True)).value == 2
