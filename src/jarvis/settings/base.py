"""What every settings table shares: unknown keys are errors, and the name patterns."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
METRIC_KEY_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"


class Section(BaseModel):
    """A settings table: unknown keys are errors, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
