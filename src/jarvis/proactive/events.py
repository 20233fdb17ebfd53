"""The proactive domain's hub events (see core/events.py): one name, one shape.

`suggestion.created|updated|resolved` carry the suggestion (`store.public`); `suggestion.notified`
says the timing gate released one to the people watching (the bell shows a toast for high and
critical ones; the channels' own deliveries are the notifications domain's `notification.*`)."""

from __future__ import annotations

from typing import Any, TypedDict

from jarvis.core.events import EventType

SuggestionPublic = dict[str, Any]  # `store.public`: see docs/proactive.md for its keys


class SuggestionNotified(TypedDict):
    suggestion_id: int
    title: str
    priority: str
    link: str
    why: str
    channels: list[str]  # the notification channels it was also queued for


SUGGESTION_CREATED = EventType[SuggestionPublic]("suggestion.created")
SUGGESTION_UPDATED = EventType[SuggestionPublic]("suggestion.updated")
SUGGESTION_RESOLVED = EventType[SuggestionPublic]("suggestion.resolved")
SUGGESTION_NOTIFIED = EventType[SuggestionNotified]("suggestion.notified")
