"""Text from outside that is shown to a person: no characters that let it pose as something else.

Bidirectional overrides and zero-width characters let a name or a prompt read differently on the page
than it is (an RTL override turns `txt.exe` around; a zero-width space makes two names look equal), and
NUL cannot be stored by PostgreSQL. They are dropped from every name, task and prompt we are sent.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

INVISIBLE = dict.fromkeys([0, *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF])


def visible(value: str) -> str:
    return value.translate(INVISIBLE).strip()


# Combine with the field's own limits: `Annotated[Visible, StringConstraints(max_length=200)]`.
Visible = Annotated[str, AfterValidator(visible)]
