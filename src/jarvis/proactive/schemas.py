"""Request bodies of the proactive API (validated once at the edge)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from jarvis.core.jsonresp import dumps

FeedbackValue = Literal["positive", "negative", "dismissed", "acted_upon"]


class FeedbackCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    feedback: FeedbackValue


class UserActionCreate(BaseModel):
    """The seed's body: `{actionType, target, context, sessionId}`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    action_type: str = Field(alias="actionType", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    target: str = Field(min_length=1, max_length=200)
    context: dict[str, Any] = Field(default_factory=dict)
    session_id: str | None = Field(None, alias="sessionId", max_length=100)

    @field_validator("context")
    @classmethod
    def _small_context(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(dumps(value)) > 4096:
            raise ValueError("must be at most 4096 bytes of JSON")
        return value
