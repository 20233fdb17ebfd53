"""orjson responses and the success envelope."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=OPTIONS, default=_default)


def encoded_size(value: Any) -> int:
    """The JSON size of a client's value, for size caps; a ValueError (a 400 naming the field) for what JSON
    columns cannot store, such as integers beyond 64 bits."""
    try:
        return len(dumps(value))
    except TypeError:
        raise ValueError("holds a number that cannot be stored (integers must fit in 64 bits)") from None


def _default(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def ok_bytes(data: Any) -> bytes:
    """The success envelope, serialised once."""
    return b'{"success":true,"data":' + dumps(data) + b"}"


class JSONBytes(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        if isinstance(content, bytes):
            return content
        return dumps(content)


def ok(data: Any, status_code: int = 200, *, message: str | None = None) -> JSONBytes:
    """`{"success": true, "data": …}`; with `message`, the seed's confirmation sentence beside it."""
    if message is None:
        return JSONBytes(ok_bytes(data), status_code=status_code)
    return JSONBytes(dumps({"success": True, "message": message, "data": data}), status_code=status_code)
