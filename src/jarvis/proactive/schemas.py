"""Request bodies and response models of the proactive API (validated once at the edge).

The seed's clients send `{"feedbackType": …}` and `{actionType, target, context, sessionId}`; ours
send `{"feedback": …}`. Both are accepted."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from jarvis.core.jsonresp import encoded_size

FeedbackValue = Literal["positive", "negative", "dismissed", "acted_upon"]
FEEDBACK_PHRASE = "Invalid feedbackType. Must be one of: positive, negative, dismissed, acted_upon"
USER_ACTION_PHRASE = "actionType and target are required"


class FeedbackCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    feedback: FeedbackValue | None = None
    feedbackType: FeedbackValue | None = Field(None, description="The seed's name for `feedback`")  # noqa: N815

    @model_validator(mode="after")
    def _one_value(self) -> FeedbackCreate:
        if self.feedback is None and self.feedbackType is None:
            raise ValueError("must have `feedbackType` (or `feedback`)")
        if self.feedback is not None and self.feedbackType is not None and self.feedback != self.feedbackType:
            raise ValueError("`feedback` and `feedbackType` disagree; send one")
        return self

    @property
    def value(self) -> FeedbackValue:
        value = self.feedback or self.feedbackType
        assert value is not None  # the validator saw to it
        return value


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
        if encoded_size(value) > 4096:
            raise ValueError("must be at most 4096 bytes of JSON")
        return value


# Response models, for /docs.


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class SuggestedAction(BaseModel):
    type: str
    label: str
    payload: dict[str, Any]


class SuggestionPublic(_Open):
    id: str = Field(description="A string, as the seed's ids were")
    type: str
    priority: str
    title: str
    message: str
    reasoning: str
    confidence: float = Field(ge=0, le=1)
    action: SuggestedAction
    createdAt: str  # noqa: N815
    expiresAt: str | None  # noqa: N815
    dismissed: bool
    actedUpon: bool  # noqa: N815
    rule: str
    kind: str
    why: str
    link: str
    status: str
    feedback: str | None
    score: float
    figures: dict[str, Any]


class EngineStatus(_Open):
    running: bool
    activeSuggestions: int  # noqa: N815
    pendingNotifications: int  # noqa: N815
    context: dict[str, Any]


class SuggestionsList(BaseModel):
    suggestions: list[SuggestionPublic]
    status: EngineStatus


class FeedbackRecorded(BaseModel):
    suggestion: dict[str, Any]
    rule: dict[str, Any]


class ActionRecorded(BaseModel):
    id: int
    recorded_at: str


class RulesList(BaseModel):
    rules: list[dict[str, Any]]
    habits: list[dict[str, Any]]


class RuleReset(BaseModel):
    rule: str
    reset: int
