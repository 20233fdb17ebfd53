"""The dashboard cache hit ratio is low (from `ctx.cache.snapshot()`), once there is traffic."""

from __future__ import annotations

from pydantic import Field

from jarvis.proactive.rules.base import Finding, RuleSettings, RuleSpec, State, fmt, number

NAME = "cache_low"


class Settings(RuleSettings):
    min_ratio: float = Field(0.5, ge=0, le=1)
    min_lookups: int = Field(200, ge=1)  # below this the ratio says nothing


def evaluate(state: State, cfg: Settings) -> list[Finding]:
    ratio = number(state.cache.get("hit_ratio"))
    lookups = (number(state.cache.get("hits")) or 0) + (number(state.cache.get("misses")) or 0)
    if ratio is None or lookups < cfg.min_lookups or ratio >= cfg.min_ratio:
        return []
    return [
        Finding(
            rule=NAME,
            kind="cache_low",
            key=NAME,
            title="Cache hit ratio is low",
            why=f"{fmt(ratio * 100, 0)}% of {int(lookups)} cache lookups were hits (threshold "
            f"{fmt(cfg.min_ratio * 100, 0)}%); TTLs under [cache.ttl] may be shorter than the refresh rate of the "
            "pages, or something clears the cache often.",
            link="/api/cache/stats",
            priority="low",
            figures={"hit_ratio": ratio, "lookups": int(lookups)},
        )
    ]


SPEC = RuleSpec(NAME, "The cache hit ratio is low.", Settings, evaluate)
