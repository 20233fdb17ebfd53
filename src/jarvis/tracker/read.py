"""Reading the tracker file without letting it hurt the server.

Other tools write the file into a folder we do not control, so anything may stand at its path: a named pipe
(a plain `open` waits for a writer, and the poll thread with it, until restart), a device, a file of
gigabytes, a document nested deep enough to exhaust the JSON parser's recursion. Each is refused here with a
`TrackerFileProblem` whose message says what is wrong and what to do; nothing here blocks, reads more than
the cap, or recurses on the document.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

MAX_DEPTH = 32  # a tracker document needs about five levels (projects → id → tasks → [i] → field)
# O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer (the stat before the open
# cannot rule one out: the name may be swapped in between). O_NOCTTY: a terminal never becomes ours.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
_CHUNK = 1024 * 1024
_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


class TrackerFileProblem(Exception):
    """The file cannot be used as it is; the message is for a person: what is wrong, what to do."""


class TrackerFileMissing(TrackerFileProblem):
    """Nothing at the path (the caller words it: never there, or gone since a good read)."""


def read_document(path: Path, *, max_bytes: int) -> Any:
    """The decoded JSON document at `path`, or `TrackerFileProblem`."""
    return decode(read_bytes(path, max_bytes=max_bytes))


def read_bytes(path: Path, *, max_bytes: int) -> bytes:
    """At most `max_bytes` of a regular file; anything else (pipe, device, directory, too big) is refused."""
    precheck(path, max_bytes=max_bytes)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise TrackerFileMissing("the file is gone") from None
    except OSError as exc:
        raise _unreadable(exc) from None
    try:
        # What we opened, not what the name pointed at a moment ago.
        _require_regular(os.fstat(fd), max_bytes)
        chunks: list[bytes] = []
        remaining = max_bytes + 1  # one byte more tells a file that grew past the cap while we read
        while remaining > 0:
            chunk = os.read(fd, min(remaining, _CHUNK))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as exc:
        raise _unreadable(exc) from None
    finally:
        os.close(fd)
    content = b"".join(chunks)
    if len(content) > max_bytes:
        raise _too_large(max_bytes)
    return content


def precheck(path: Path, *, max_bytes: int) -> None:
    """Refuse by `stat` before opening, so a device is not even opened (opening some has effects)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise TrackerFileMissing("the file is gone") from None
    except OSError as exc:
        raise _unreadable(exc) from None
    _require_regular(info, max_bytes)


def decode(content: bytes) -> Any:
    """Parse JSON, refusing a document nested deeper than `MAX_DEPTH` (before the parser's recursion could
    fail, and without recursing ourselves)."""
    if not content.strip():
        raise TrackerFileProblem(
            "the file is empty (being written?); it is re-read when it changes — if it stays empty, "
            "write the tracker's JSON into it"
        )
    try:
        document = json.loads(content, parse_int=_int)
    except RecursionError:
        raise _too_deep() from None
    except UnicodeDecodeError:
        raise TrackerFileProblem("the file is not UTF-8 text; save it as UTF-8 JSON") from None
    except json.JSONDecodeError as exc:
        raise TrackerFileProblem(
            f"not valid JSON: {exc}; fix the file (a half-written one is re-read when its writer finishes)"
        ) from None
    if _deeper_than(document, MAX_DEPTH):
        raise _too_deep()
    return document


def _int(text: str) -> int | float:
    """An integer as JSON spells it; one of hundreds of digits becomes a float (inf) that the field checks
    refuse, instead of the parser's ValueError (Python's digit limit) refusing the whole file."""
    return int(text) if len(text) <= 100 else float(text)


def _deeper_than(document: Any, limit: int) -> bool:
    """Whether arrays and objects nest more than `limit` levels (an explicit stack: no recursion)."""
    stack: list[tuple[Any, int]] = [(document, 1)] if isinstance(document, dict | list) else []
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _require_regular(info: os.stat_result, max_bytes: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a regular file")
        raise TrackerFileProblem(
            f"the path is {kind}, not a regular file, so it is not read; replace it with a regular JSON file"
        )
    if info.st_size > max_bytes:
        raise _too_large(max_bytes)


def _too_large(max_bytes: int) -> TrackerFileProblem:
    return TrackerFileProblem(
        f"the file is larger than {_size(max_bytes)} (monitoring.tracker_max_bytes), so it is not read; "
        "shrink it (archive old projects) or raise that setting"
    )


def _too_deep() -> TrackerFileProblem:
    return TrackerFileProblem(
        f"the JSON is nested deeper than {MAX_DEPTH} levels, so it is not used; a tracker file needs about "
        "five: replace it with a regular tracker file (metadata, instances, projects, metrics, blockers)"
    )


def _unreadable(exc: OSError) -> TrackerFileProblem:
    reason = exc.strerror or type(exc).__name__
    return TrackerFileProblem(f"the file cannot be read ({reason}); let the server's user read it")


def _size(count: int) -> str:
    if count >= 1024 * 1024 and count % (1024 * 1024) == 0:
        return f"{count // (1024 * 1024)} MiB"
    if count >= 1024 and count % 1024 == 0:
        return f"{count // 1024} KiB"
    return f"{count} bytes"
