"""Request and response shapes of the metrics API, and the batch validation that names
each bad field as `points[3].module` (the index a person finds in their own payload)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from jarvis.core import clock
from jarvis.core.errors import TooLarge, ValidationFailed
from jarvis.metrics.modules import KEY_PATTERN, Module

LabelKey = Annotated[str, StringConstraints(min_length=1, max_length=64)]
LabelValue = Annotated[str, StringConstraints(max_length=200)]


class PointIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    module: str = Field(max_length=63)
    key: str = Field(max_length=64, pattern=KEY_PATTERN)
    value: float = Field(strict=True, allow_inf_nan=False)
    timestamp: datetime | None = None
    labels: dict[LabelKey, LabelValue] = Field(default_factory=dict, max_length=16)

    @field_validator("timestamp")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("must carry a time zone (end it with Z for UTC)")
        return value


class PointsIn(BaseModel):
    """The body of `POST /api/metrics`."""

    model_config = ConfigDict(extra="forbid")

    points: list[PointIn] = Field(min_length=1)


def _field_name(loc: tuple[int | str, ...]) -> str:
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "body"


def _problem(error: Any) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind == "missing":
        return "is required"
    if kind == "finite_number":
        return "must be a finite number"
    if kind in ("float_type", "float_parsing"):
        return "must be a number"
    return str(error.get("msg", "is invalid")).removeprefix("Value error, ")


def parse_points(
    raw: bytes, *, modules: dict[str, Module], max_batch: int, max_future_s: float, oldest_days: int
) -> list[PointIn]:
    """Validate a whole batch; any bad point rejects all of them (nothing is stored)."""
    import orjson

    try:
        body = orjson.loads(raw or b"null")
    except orjson.JSONDecodeError as exc:
        problem = f"is not valid JSON ({exc})"[:300]
        raise ValidationFailed(f"The body {problem}.", details=[{"field": "body", "problem": problem}]) from None
    if isinstance(body, dict) and isinstance(body.get("points"), list) and len(body["points"]) > max_batch:
        count = len(body["points"])
        raise TooLarge(
            f"A batch holds at most {max_batch} points; this one has {count}. Split it.",
            details=[{"field": "points", "problem": f"has {count} points, more than {max_batch}"}],
        )
    try:
        batch = PointsIn.model_validate(body)
    except ValidationError as exc:
        details = [{"field": _field_name(tuple(e["loc"])), "problem": _problem(e)} for e in exc.errors()]
        raise _failed(details) from None
    details = []
    now = clock.now()
    latest = now + timedelta(seconds=max_future_s)
    earliest = now - timedelta(days=oldest_days)
    for index, point in enumerate(batch.points):
        if point.module not in modules:
            known = ", ".join(modules)
            details.append({"field": f"points[{index}].module", "problem": f"is not a known module (known: {known})"})
        if point.timestamp is not None and point.timestamp > latest:
            details.append({"field": f"points[{index}].timestamp", "problem": "is in the future"})
        elif point.timestamp is not None and point.timestamp < earliest:
            details.append(
                {"field": f"points[{index}].timestamp", "problem": f"is older than the {oldest_days}-day retention"}
            )
    if details:
        raise _failed(details)
    return batch.points


def _failed(details: list[dict[str, str]]) -> ValidationFailed:
    first = details[0]
    more = f" (and {len(details) - 1} more)" if len(details) > 1 else ""
    return ValidationFailed(f"`{first['field']}` {first['problem']}{more}; no point was stored.", details=details)


# Response models, for /docs (extra keys allowed: these name what a client can rely on).


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class PointsAccepted(BaseModel):
    accepted: int


class ModuleCatalogue(BaseModel):
    modules: list[dict[str, Any]] = Field(description="Each module with its keys and each key's latest value and time")


class Series(_Open):
    module: str
    key: str
    window: str
    step: str
    points: list[dict[str, Any]] = Field(description="avg, min, max, count per bucket; empty ones have count 0")
