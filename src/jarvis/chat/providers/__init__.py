"""Chat providers: `builtin` (offline), `openai`, `anthropic`, `jarvis` (the original control plane).

Model SDKs are imported only when their provider is used, so an idle server does not pay for them.
"""

from __future__ import annotations

from jarvis.chat.providers.base import Provider, ProviderError, Token, Turn
from jarvis.chat.tools import ToolStep

NAMES = ("builtin", "openai", "anthropic", "jarvis")


def get_provider(name: str) -> Provider:
    if name == "openai":
        from jarvis.chat.providers.openai import OpenAIProvider

        return OpenAIProvider()
    if name == "anthropic":
        from jarvis.chat.providers.anthropic import AnthropicProvider

        return AnthropicProvider()
    if name == "jarvis":
        from jarvis.chat.providers.jarvis import JarvisProvider

        return JarvisProvider()
    from jarvis.chat.providers.builtin import BuiltinProvider

    return BuiltinProvider()


__all__ = ["NAMES", "Provider", "ProviderError", "Token", "ToolStep", "Turn", "get_provider"]
