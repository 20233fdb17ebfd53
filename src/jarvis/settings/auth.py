"""Accounts: how long a login lasts, and how hard guessing a password is made."""

from __future__ import annotations

from pydantic import Field

from jarvis.settings.base import Section


class AuthSettings(Section):
    session_days: float = Field(14.0, gt=0, le=365)  # a login lasts this long without use
    session_absolute_days: float = Field(90.0, gt=0, le=3650)  # and never longer than this
    login_attempts: int = Field(5, ge=1, le=1000)  # failed logins per user name or address …
    login_window_minutes: float = Field(15.0, gt=0, le=1440)  # … in this window, before back-off
    min_password_length: int = Field(10, ge=8, le=256)
    secure_cookies: bool | None = None  # None: Secure when the request came over HTTPS
