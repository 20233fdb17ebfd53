"""OTLP/HTTP on the wire: bodies in, answers out (the spec's encodings, compression and errors).

A body is `application/x-protobuf` (the Export*ServiceRequest message) or `application/json` (OTLP/JSON:
the same message in protobuf's JSON mapping, except that trace and span ids are hex, not base64), plain
or `Content-Encoding: gzip`. A gzip body is inflated in steps of at most the size cap, so a small body
that would expand to gigabytes (a zip bomb) is refused with 413 after reading just past the cap.
The answer uses the request's encoding: an Export*ServiceResponse on success (its `partial_success`
says what was refused), and for a body that cannot be decoded a 400 whose body is a `google.rpc.Status`
(code 3, INVALID_ARGUMENT), as the OTLP/HTTP spec says.
"""

from __future__ import annotations

import base64
import re
import zlib
from typing import Any, TypeVar

import orjson
from google.protobuf import json_format
from google.protobuf.message import DecodeError, Message
from starlette.responses import Response

from jarvis.core.errors import AppError, TooLarge

PROTOBUF = "application/x-protobuf"
JSON = "application/json"
ACCEPTED_TYPES = (JSON, PROTOBUF)
INVALID_ARGUMENT = 3  # google.rpc.Code
ID_FIELDS = frozenset({"traceId", "spanId", "trace_id", "span_id", "parentSpanId", "parent_span_id"})
HEX = re.compile(r"^[0-9a-fA-F]*$")

M = TypeVar("M", bound=Message)


class UnsupportedEncoding(AppError):
    status = 415
    code = "unsupported_media_type"


class BadData(Exception):
    """The body is not an OTLP message in the declared encoding: answered 400 with a Status."""


def media_type(content_type: str | None) -> str:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return JSON if media == JSON or media.endswith("+json") else media


def inflate(body: bytes, encoding: str | None, cap: int) -> bytes:
    """The body without its Content-Encoding; a gzip body is cut off (413) as soon as it passes `cap`."""
    name = (encoding or "identity").strip().lower()
    if name in ("", "identity", "none"):
        return body
    if name != "gzip":
        raise UnsupportedEncoding(
            f"Content-Encoding `{name[:40]}` is not supported; send gzip or no encoding.",
            details=[{"field": "Content-Encoding", "problem": "must be gzip or absent"}],
        )
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, cap + 1)
    except zlib.error as exc:
        raise BadData(f"the gzip body cannot be inflated: {exc}") from None
    if len(out) > cap or inflater.unconsumed_tail:
        raise TooLarge(f"The inflated request body is larger than the {cap // 1024} KiB limit.")
    if not inflater.eof:
        raise BadData("the gzip body is truncated")
    return out


def _hex_ids_to_base64(value: Any) -> Any:
    """OTLP/JSON writes ids as hex; protobuf's JSON mapping reads bytes as base64."""
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if key in ID_FIELDS and isinstance(item, str) and HEX.match(item) and len(item) % 2 == 0:
                result[key] = base64.b64encode(bytes.fromhex(item)).decode()
            else:
                result[key] = _hex_ids_to_base64(item)
        return result
    if isinstance(value, list):
        return [_hex_ids_to_base64(item) for item in value]
    return value


def decode(body: bytes, media: str, message: type[M]) -> M:
    """`body` as `message`, or BadData."""
    parsed = message()
    if media == PROTOBUF:
        try:
            parsed.ParseFromString(body)
        except (DecodeError, ValueError, RuntimeError) as exc:
            raise BadData(f"the body is not a protobuf {message.DESCRIPTOR.name}: {exc}") from None
        return parsed
    try:
        raw = orjson.loads(body) if body.strip() else {}
    except orjson.JSONDecodeError:
        raise BadData("the body is not valid JSON") from None
    if not isinstance(raw, dict):
        raise BadData(f"the body must be a JSON object (an OTLP/JSON {message.DESCRIPTOR.name})")
    try:
        json_format.ParseDict(_hex_ids_to_base64(raw), parsed, ignore_unknown_fields=True)
    except (json_format.ParseError, ValueError, TypeError, RecursionError) as exc:
        raise BadData(f"the body is not an OTLP/JSON {message.DESCRIPTOR.name}: {str(exc)[:300]}") from None
    return parsed


def answer(message: Message, media: str, status: int = 200) -> Response:
    if media == PROTOBUF:
        return Response(message.SerializeToString(), status_code=status, media_type=PROTOBUF)
    text = json_format.MessageToJson(message, indent=None, preserving_proto_field_name=False)
    return Response(text.encode(), status_code=status, media_type=JSON)


def _varint(number: int) -> bytes:
    out = bytearray()
    while True:
        byte = number & 0x7F
        number >>= 7
        if number:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def status_body(message: str, media: str) -> Response:
    """A 400 carrying `google.rpc.Status{code: INVALID_ARGUMENT, message}` in the request's encoding
    (written by hand: two fields do not justify the googleapis protos as a dependency)."""
    if media == PROTOBUF:
        text = message.encode()
        body = b"\x08" + _varint(INVALID_ARGUMENT) + b"\x12" + _varint(len(text)) + text
        return Response(body, status_code=400, media_type=PROTOBUF)
    return Response(orjson.dumps({"code": INVALID_ARGUMENT, "message": message}), status_code=400, media_type=JSON)
