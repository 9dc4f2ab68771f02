"""Safe HTML building: every value that is not already ``Html`` is escaped, in text and attributes.

This is the one escaping helper of the site generator. Untrusted strings (model keys and display
names, organisations, providers, judge names, question ids, release titles) only ever reach a page
through ``esc`` — directly or through ``tag`` — so a ``<script>`` in a display name is text.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["PALETTE", "Html", "Lang", "esc", "join", "tag"]


class Html(str):
    """Markup that is already safe (built by ``tag``/``esc`` or written here as a constant)."""

    __slots__ = ()


def esc(value: object) -> Html:
    """``value`` as HTML text: unchanged when it is ``Html``, else escaped (quotes included)."""
    if isinstance(value, Html):
        return value
    return Html(html.escape(str(value), quote=True))


Child = object  # Html, a plain value (escaped), None (left out) or an iterable of children


def _children(children: Iterable[Child]) -> Iterable[Html]:
    for child in children:
        if child is None or child is False:
            continue
        if isinstance(child, str | int | float):
            yield esc(child)
        elif isinstance(child, Iterable):
            yield from _children(child)
        else:
            yield esc(child)


def join(*children: Child) -> Html:
    return Html("".join(_children(children)))


_VOID = frozenset({"br", "hr", "img", "input", "link", "meta", "circle", "line", "rect", "path", "polyline"})


def tag(name: str, /, *children: Child, **attrs: object) -> Html:
    """``<name attrs>children</name>``. Attribute names: ``class_`` is ``class``, other ``_``
    become ``-`` (``aria_label`` is ``aria-label``); None or False leaves an attribute out, True
    writes it bare. Elements in ``_VOID`` (HTML void and childless SVG shapes) close themselves."""
    parts = [name]
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        attr = key.rstrip("_").replace("_", "-")
        parts.append(attr if value is True else f'{attr}="{esc(value)}"')
    opening = " ".join(parts)
    if name in _VOID:
        if children:
            raise ValueError(f"tag: <{name}> takes no children")
        return Html(
            f"<{opening}>" if name in ("br", "hr", "img", "input", "link", "meta") else f"<{opening}/>"
        )
    return Html(f"<{opening}>{join(*children)}</{name}>")


@dataclass(frozen=True)
class Lang:
    """One language of the site: ``t(zh, en)`` picks the text, ``suffix`` names its files."""

    code: str  # "zh" or "en"

    @property
    def html_lang(self) -> str:
        return "zh-CN" if self.code == "zh" else "en"

    def t(self, zh: str, en: str) -> str:
        return zh if self.code == "zh" else en

    def page(self, name: str) -> str:
        """The file of page ``name`` in this language: zh is the default (``index.html``)."""
        return f"{name}.html" if self.code == "zh" else f"{name}.en.html"

    @property
    def other(self) -> Lang:
        return Lang("en" if self.code == "zh" else "zh")


# The colours of the site as (foreground, background) pairs that appear together. Each pair has
# a WCAG 2 contrast of at least 4.5:1 (a test computes it); charts draw text in INK or on PAPER.
PALETTE: dict[str, tuple[str, str]] = {
    "text": ("#1b1b1f", "#ffffff"),
    "muted": ("#4d4d57", "#ffffff"),
    "link": ("#0b53b5", "#ffffff"),
    "header": ("#ffffff", "#1f3a5f"),
    "header_link": ("#dbe8ff", "#1f3a5f"),
    "table_head": ("#1b1b1f", "#e8edf4"),
    "note": ("#5c3d00", "#fff4d6"),
    "new": ("#0f5132", "#d1f0dd"),
    "chart_axis": ("#4d4d57", "#ffffff"),
    "chart_point": ("#0b53b5", "#ffffff"),
}
