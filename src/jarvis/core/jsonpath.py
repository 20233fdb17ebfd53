"""Dotted paths into JSON documents, as written in `jarvis.toml` (`data.items.0.status`)."""

from __future__ import annotations

from typing import Any

MISSING: Any = object()  # absent, as opposed to a JSON null


def lookup(document: Any, path: str) -> Any:
    """Keys, and list items by index; a leading `$.` is allowed. `MISSING` when the path is absent."""
    node = document
    for part in path.removeprefix("$.").split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return MISSING
    return node
