"""Response models of the notifications API, for /docs (extra keys allowed)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ChannelStatus(_Open):
    name: str
    kind: str
    status: str  # ok | degraded | failing | untested


class ChannelList(BaseModel):
    channels: list[ChannelStatus]


class DeliveryPublic(_Open):
    id: int
    channel: str
    kind: str
    suggestion_id: int | None
    priority: str
    status: str
    attempts: int
    error: str | None
    http_status: int | None
    elapsed_ms: float | None
    created_at: str | None
    finished_at: str | None


class DeliverySent(BaseModel):
    delivery: DeliveryPublic


class DeliveryList(BaseModel):
    deliveries: list[DeliveryPublic]


__all__ = ["ChannelList", "ChannelStatus", "DeliveryList", "DeliveryPublic", "DeliverySent"]
