"""How a message looks on each channel, and how it is sent.

Webhook, Slack and Discord are one JSON POST each through the shared client
(`jarvis.core.http.fetch`: per-attempt timeout, size cap, 5xx retried with back-off by
stamina); e-mail goes through stdlib `smtplib` in a worker thread with its own socket timeout
and the same retry policy; every other service (ntfy, Telegram, Pushover, Gotify, Matrix, Teams…)
goes through Apprise, by the URL its `url_env` holds, in a worker thread with the same retries.
Nothing here raises for a delivery problem: the `Outcome` says it.
"""

from __future__ import annotations

import asyncio
import os
import smtplib
import time
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import httpx
import stamina

from jarvis.core import clock
from jarvis.core.http import fetch
from jarvis.settings import ChannelConfig

DISCORD_LIMIT = 2000
EMOJI = {"critical": "🔴", "high": "🟠", "normal": "🔵", "low": "⚪"}


@dataclass(slots=True)
class Outcome:
    ok: bool
    attempts: int
    elapsed_ms: float
    error: str | None = None
    http_status: int | None = None


def absolute(link: str, base_url: str) -> str:
    if not base_url or link.startswith(("http://", "https://")):
        return link
    return base_url.rstrip("/") + "/" + link.lstrip("/")


def payload_for(channel: ChannelConfig, message: dict[str, Any], base_url: str) -> dict[str, Any]:
    priority = str(message.get("priority", "normal"))
    title = str(message.get("title", ""))
    why = str(message.get("why", ""))
    link = absolute(str(message.get("link") or "/"), base_url)
    if channel.kind == "slack":
        return {"text": f"{EMOJI.get(priority, '')} *[{priority}] {title}*\n{why}\n<{link}|Open in Jarvis>"}
    if channel.kind == "discord":
        content = f"{EMOJI.get(priority, '')} **[{priority}] {title}**\n{why}\n{link}"
        return {"content": content[:DISCORD_LIMIT], "username": "Jarvis"}
    event = message.get("event")
    if event is not None:  # a domain's own message (a service down or up again)
        return {"event": event, "sent_at": clock.iso(clock.now()), event.split(".", 1)[0]: {**message, "link": link}}
    return {
        "event": "suggestion" if message.get("id") is not None else "test",
        "sent_at": clock.iso(clock.now()),
        "suggestion": {**message, "link": link},
    }


def target_url(channel: ChannelConfig) -> str | None:
    return os.environ.get(channel.url_env or "") or None


def scrub(text: str, channel: ChannelConfig) -> str:
    """Errors are shown in the API: never with the secret URL or password in them."""
    for secret in (target_url(channel), os.environ.get(channel.smtp_password_env or "")):
        if secret:
            text = text.replace(secret, f"<${channel.url_env or channel.smtp_password_env}>")
    return text[:500]


async def send(
    client: httpx.AsyncClient, channel: ChannelConfig, message: dict[str, Any], *, base_url: str = ""
) -> Outcome:
    if channel.kind == "smtp":
        return await _send_mail(channel, message, base_url)
    url = target_url(channel)
    if url is None:
        return Outcome(False, 0, 0.0, f"environment variable {channel.url_env} is not set")
    if channel.kind == "apprise":
        return await _send_apprise(channel, url, message, base_url)
    result = await fetch(
        client,
        "POST",
        url,
        json=payload_for(channel, message, base_url),
        timeout_s=channel.timeout_s,
        max_bytes=64 * 1024,
        attempts=channel.attempts,
        base_delay_s=channel.base_delay_s,
    )
    error = result.error
    if error is None and result.status is not None and not 200 <= result.status < 300:
        error = f"HTTP {result.status}"
    return Outcome(
        error is None, result.attempts, round(result.elapsed_ms, 1), error and scrub(error, channel), result.status
    )


def _mail(channel: ChannelConfig, message: dict[str, Any], base_url: str) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = f"[Jarvis {message.get('priority', 'normal')}] {message.get('title', '')}"[:200]
    mail["From"] = channel.mail_from or ""
    mail["To"] = ", ".join(channel.mail_to)
    link = absolute(str(message.get("link") or "/"), base_url)
    mail.set_content(f"{message.get('title', '')}\n\n{message.get('why', '')}\n\n{link}\n")
    return mail


def _smtp_send(channel: ChannelConfig, mail: EmailMessage) -> None:
    assert channel.smtp_host
    with smtplib.SMTP(channel.smtp_host, channel.smtp_port, timeout=channel.timeout_s) as smtp:
        if channel.smtp_starttls:
            smtp.starttls()
        user = os.environ.get(channel.smtp_user_env or "")
        password = os.environ.get(channel.smtp_password_env or "")
        if user and password:
            smtp.login(user, password)
        smtp.send_message(mail)


async def _send_mail(channel: ChannelConfig, message: dict[str, Any], base_url: str) -> Outcome:
    mail = _mail(channel, message, base_url)
    started = time.perf_counter()
    tries = 0
    try:
        async for attempt in stamina.retry_context(
            on=(smtplib.SMTPException, OSError),
            attempts=channel.attempts,
            timeout=None,
            wait_initial=channel.base_delay_s,
            wait_max=max(channel.base_delay_s * 8, channel.base_delay_s),
            wait_jitter=channel.base_delay_s,
        ):
            with attempt:
                tries += 1
                await asyncio.to_thread(_smtp_send, channel, mail)
    except (smtplib.SMTPException, OSError) as exc:
        error = "timed out" if isinstance(exc, TimeoutError) else f"{type(exc).__name__}: {exc}"
        return Outcome(False, tries, round((time.perf_counter() - started) * 1000, 1), scrub(error, channel))
    return Outcome(True, tries, round((time.perf_counter() - started) * 1000, 1))


class _NotSent(Exception):
    """Apprise reported a failure (its own words, secrets scrubbed); worth another attempt."""


class _Abandoned(Exception):
    """Apprise stopped waiting for a service that is still running: never retried, it may still deliver."""


APPRISE_TYPES = {"critical": "failure", "high": "warning"}


async def _send_apprise(channel: ChannelConfig, url: str, message: dict[str, Any], base_url: str) -> Outcome:
    import apprise  # loaded when a channel uses it: most installs never do

    notifier = apprise.Apprise()
    if not notifier.add(url):
        return Outcome(False, 0, 0.0, f"{channel.url_env} does not hold a URL Apprise knows (see its list of services)")
    priority = str(message.get("priority", "normal"))
    kind = "success" if message.get("event") == "service.up" else APPRISE_TYPES.get(priority, "info")
    title = f"{EMOJI.get(priority, '')} [{priority}] {message.get('title', '')}".strip()
    body = f"{message.get('why', '')}\n\n{absolute(str(message.get('link') or '/'), base_url)}"
    for service in notifier:  # the attempt's limit is the request's own (unless the URL set cto/rto)
        if service.socket_read_timeout == type(service).socket_read_timeout:
            service.socket_connect_timeout = service.socket_read_timeout = channel.timeout_s
    started = time.perf_counter()
    tries = 0
    try:
        async for attempt in stamina.retry_context(
            on=_NotSent,
            attempts=channel.attempts,
            timeout=None,
            wait_initial=channel.base_delay_s,
            wait_max=max(channel.base_delay_s * 8, channel.base_delay_s),
            wait_jitter=channel.base_delay_s,
        ):
            with attempt:
                tries += 1
                result = await asyncio.to_thread(
                    notifier.notify, body=body, title=title, notify_type=kind, timeout=channel.timeout_s * 3
                )
                if result.status == apprise.AppriseResultStatus.TIMEOUT:
                    raise _Abandoned(f"Apprise gave up waiting after {channel.timeout_s * 3:g}s")
                if result.failed_count or not result.success_count:
                    said = "; ".join(entry.message for entry in result.logs() if entry.level in ("WARNING", "ERROR"))
                    raise _NotSent(said or "Apprise could not send it")
    except _Abandoned as exc:  # its request may still arrive: another attempt could send it twice
        return Outcome(False, tries, round((time.perf_counter() - started) * 1000, 1), f"{exc}; not sent again")
    except _NotSent as exc:
        return Outcome(False, tries, round((time.perf_counter() - started) * 1000, 1), scrub(str(exc), channel))
    return Outcome(True, tries, round((time.perf_counter() - started) * 1000, 1))
