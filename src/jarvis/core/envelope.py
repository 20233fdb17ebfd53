"""Response models of the envelope, for /docs: `{"success": true, "data": …}` (and the seed's `message`).

Routes that answer bytes serialised once (the hot reads) declare these as `response_model`; FastAPI
documents them and, since the route returns a `Response`, never re-validates the bytes.
"""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class Envelope(BaseModel, Generic[T]):
    success: Literal[True] = True
    data: T


class MessageEnvelope(Envelope[T], Generic[T]):
    """The seed answered some writes with a sentence in `message`; we keep it beside our `data`."""

    message: str = Field(description="The seed's confirmation sentence")


class ErrorEnvelope(BaseModel):
    success: Literal[False] = False
    error: str
    code: str
    details: list[dict[str, str]]
    request_id: str
