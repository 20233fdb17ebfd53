"""The proactive engine and the outbound notification channels."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from jarvis.settings.base import NAME_PATTERN, Section


class ProactiveSettings(Section):
    enabled: bool = True
    refresh_interval_s: float = Field(30.0, ge=1)
    max_per_hour: int = Field(5, ge=0)
    max_per_day: int = Field(20, ge=0)
    min_gap_minutes: float = Field(15.0, ge=0)
    quiet_hours: str = Field("", pattern=r"^$|^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
    timezone: str = "UTC"  # the zone quiet hours and usage habits ("at 9:00") are read in
    suppress_below_score: float = Field(0.3, ge=0, le=1)  # Beta posterior mean under which a rule is muted
    suppress_min_feedback: int = Field(3, ge=1)  # feedback needed before a score can mute anything
    suppress_up_to: Literal["low", "normal", "high"] = "low"  # muted priorities; critical never is
    # One table per rule; each rule checks its own (`jarvis.app.check_settings`), naming a typo.
    rules: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Paris)") from None
        return value


class ChannelConfig(Section):
    name: str = Field(pattern=NAME_PATTERN)
    # `apprise`: the variable holds an Apprise URL (ntfy://, tgram://, pover://, gotify://, matrix://, msteams://,
    # mmost://, mailto://, json://, form://… and a hundred more): secrets stay in the environment.
    kind: Literal["webhook", "slack", "discord", "smtp", "apprise"]
    url_env: str | None = None
    min_priority: Literal["critical", "high", "normal", "low"] = "high"
    smtp_host: str | None = None
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_user_env: str | None = None
    smtp_password_env: str | None = None
    smtp_starttls: bool = False
    mail_from: str | None = None
    mail_to: list[str] = Field(default_factory=list)
    timeout_s: float = Field(5.0, gt=0, le=120)  # per attempt
    attempts: int = Field(3, ge=1, le=10)
    base_delay_s: float = Field(1.0, ge=0, le=60)  # back-off between attempts
    failing_after: int = Field(3, ge=1)  # consecutive failed deliveries before the channel shows as failing

    @model_validator(mode="after")
    def _target_present(self) -> ChannelConfig:
        if self.kind == "smtp":
            if not self.smtp_host or not self.mail_from or not self.mail_to:
                raise ValueError("an smtp channel needs `smtp_host`, `mail_from` and `mail_to`")
        elif not self.url_env:
            raise ValueError(f"a {self.kind} channel needs `url_env` (the variable holding its URL)")
        return self


class NotificationsSettings(Section):
    channels: list[ChannelConfig] = Field(default_factory=list)
    queue_size: int = Field(1000, ge=10)  # per channel; beyond it deliveries wait in the database
    base_url: str = Field("", pattern=r"^$|^https?://")  # the dashboard's public URL, to make links absolute

    @field_validator("channels")
    @classmethod
    def _unique_channel_names(cls, value: list[ChannelConfig]) -> list[ChannelConfig]:
        names = [channel.name for channel in value]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"channel names must be unique, repeated: {', '.join(duplicates)}")
        return value
