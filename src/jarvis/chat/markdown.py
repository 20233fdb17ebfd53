"""Markdown to safe HTML, on the server: the browser only ever inserts what this returns.

markdown-it-py's commonmark preset passes raw HTML through, so everything it produces goes
through nh3 (an allow-list sanitiser) afterwards; Pygments colours code blocks with classes,
which is why `class` is allowed on the few tags it uses.

The three libraries are imported on first use: a server nobody chats with does not carry them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "a", "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "span", "div", "table", "thead", "tbody", "tr", "th", "td", "del",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "span": {"class"},
    "code": {"class"},
    "pre": {"class"},
    "div": {"class"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=1)
def _formatter() -> Any:
    from pygments.formatters import HtmlFormatter  # type: ignore[import-untyped]

    return HtmlFormatter(nowrap=True)


def _highlight(code: str, lang: str, _attrs: str) -> str:
    from pygments import highlight  # type: ignore[import-untyped]
    from pygments.lexers import get_lexer_by_name  # type: ignore[import-untyped]
    from pygments.util import ClassNotFound  # type: ignore[import-untyped]

    if not lang:
        return ""  # markdown-it escapes it itself
    try:
        lexer = get_lexer_by_name(lang.split()[0], stripall=False)
    except ClassNotFound:
        return ""
    return str(highlight(code, lexer, _formatter()))


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"highlight": _highlight}).enable("table").enable("strikethrough")


def render(text: str) -> str:
    """Sanitised HTML for `text` (a user's message or a model's answer)."""
    import nh3

    raw = _parser().render(text)
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
