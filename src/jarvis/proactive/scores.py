"""Learning from feedback: a Beta posterior per (rule, kind).

Each suggestion starts from Beta(1, 1) (mean 0.5, "no idea"). 👍 adds 1 to alpha and "done"
(acted upon) adds 2; 👎 adds 1 to beta and a dismissal adds 0.5 (it may just mean "not now").
The posterior mean ranks suggestions; once a rule has enough feedback and its mean falls
under the threshold, its suggestions at or below `suppress_up_to` are muted. Critical ones
never are. Resetting a rule puts it back at the prior; its feedback history stays visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.core import clock
from jarvis.core.priority import PRIORITY_RANK
from jarvis.proactive.models import OPEN_STATUSES, Feedback, RuleScore, Suggestion
from jarvis.settings import ProactiveSettings

WEIGHTS: dict[str, tuple[float, float]] = {
    "positive": (1.0, 0.0),
    "acted_upon": (2.0, 0.0),
    "negative": (0.0, 1.0),
    "dismissed": (0.0, 0.5),
}
FEEDBACK_VALUES = tuple(WEIGHTS)
CLOSING = {"negative", "dismissed", "acted_upon"}  # feedback that takes a suggestion off the bell


@dataclass(frozen=True, slots=True)
class Score:
    alpha: float = 1.0
    beta: float = 1.0
    count: int = 0

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    def as_dict(self) -> dict[str, Any]:
        return {"alpha": self.alpha, "beta": self.beta, "feedback": self.count, "score": round(self.mean, 4)}


PRIOR = Score()
ScoreMap = dict[tuple[str, str], Score]


def is_muted(score: Score, priority: str, settings: ProactiveSettings) -> bool:
    """Whether a suggestion of this priority is suppressed by this score (never a critical one)."""
    if priority == "critical" or PRIORITY_RANK[priority] < PRIORITY_RANK[settings.suppress_up_to]:
        return False
    return score.count >= settings.suppress_min_feedback and score.mean < settings.suppress_below_score


async def load(session: AsyncSession) -> ScoreMap:
    rows = (await session.scalars(select(RuleScore))).all()
    return {(row.rule, row.kind): Score(row.alpha, row.beta, row.count) for row in rows}


async def record(session: AsyncSession, *, suggestion: Suggestion, value: str) -> Score:
    """Store one piece of feedback, update the score and close the suggestion if the value says so."""
    now = clock.now()
    session.add(Feedback(suggestion_id=suggestion.id, rule=suggestion.rule, kind=suggestion.kind, value=value, at=now))
    row = await session.get(RuleScore, (suggestion.rule, suggestion.kind))
    if row is None:
        row = RuleScore(rule=suggestion.rule, kind=suggestion.kind, alpha=1.0, beta=1.0, count=0, updated_at=now)
        session.add(row)
    plus_alpha, plus_beta = WEIGHTS[value]
    row.alpha += plus_alpha
    row.beta += plus_beta
    row.count += 1
    row.updated_at = now
    suggestion.feedback = value
    suggestion.updated_at = now
    if value in CLOSING and suggestion.status in OPEN_STATUSES:
        suggestion.status = "dismissed"
        if suggestion.notify == "pending":
            suggestion.notify = "skipped"
    return Score(row.alpha, row.beta, row.count)


async def reset(session: AsyncSession, *, rule: str) -> int:
    """Back to the prior for every kind of this rule; returns how many scores were reset."""
    now = clock.now()
    result = await session.execute(
        update(RuleScore)
        .where(RuleScore.rule == rule)
        .values(alpha=1.0, beta=1.0, count=0, updated_at=now, reset_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def history(session: AsyncSession, *, limit: int = 20) -> dict[str, list[dict[str, Any]]]:
    """The latest feedback per rule, newest first."""
    rows = (await session.scalars(select(Feedback).order_by(Feedback.at.desc(), Feedback.id.desc()).limit(2000))).all()
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        items = by_rule.setdefault(row.rule, [])
        if len(items) < limit:
            items.append({"suggestion_id": row.suggestion_id, "kind": row.kind, "value": row.value, "at": row.at})
    return by_rule
