"""The judge's verdict marker: one strict format, parsed without guessing.

The judge ends its reply with exactly one of ``[[A]]``, ``[[B]]``, ``[[tie]]`` or
``[[both_unsafe]]`` ("A" is the answer shown first). The parser looks at the *last* ``[[…]]``
in the reply: if it is on the menu, that is the verdict; if it is off the menu (``[[C]]``,
``[[平局]]``, ``[[ A ]]``) or shares its line with another marker (the judge echoing the menu),
or there is no marker at all, the reply is *unparsed* — stored raw, never turned into a tie.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from judging.types import Side, Verdict

__all__ = ["VERDICT_MARKERS", "ParsedVerdict", "Unparsed", "format_marker", "parse_verdict", "to_canonical"]

VERDICT_MARKERS: Mapping[Verdict, str] = MappingProxyType({v: f"[[{v.value}]]" for v in Verdict})
_BY_TOKEN = {v.value: v for v in Verdict}
# Anything in double square brackets on one line counts as an attempted marker, so that an
# off-menu last marker is reported instead of silently falling back to an earlier one.
_MARKER = re.compile(r"\[\[([^\[\]\n]{1,40})\]\]")


@dataclass(frozen=True, slots=True)
class ParsedVerdict:
    """A verdict in the order the answers were *shown* (A = shown first)."""

    verdict: Verdict
    marker: str


@dataclass(frozen=True, slots=True)
class Unparsed:
    """A reply without a usable verdict, kept whole so it can be stored and inspected."""

    raw: str
    reason: str


def format_marker(verdict: Verdict) -> str:
    return VERDICT_MARKERS[Verdict(verdict)]


def parse_verdict(text: str) -> ParsedVerdict | Unparsed:
    """Parse the last ``[[…]]`` marker of a judge reply."""
    matches = list(_MARKER.finditer(text))
    if not matches:
        return Unparsed(text, "no [[…]] verdict marker")
    last = matches[-1]
    token = last.group(1)
    verdict = _BY_TOKEN.get(token)
    if verdict is None:
        return Unparsed(
            text, f"last marker {last.group(0)!r} is not one of {', '.join(VERDICT_MARKERS.values())}"
        )
    line_start = text.rfind("\n", 0, last.start()) + 1
    if any(m.start() >= line_start for m in matches[:-1]):
        return Unparsed(text, "several markers on the verdict line (the menu was echoed, not answered)")
    return ParsedVerdict(verdict, last.group(0))


def to_canonical(shown: Verdict, shown_first: Side) -> Verdict:
    """Map a verdict about the shown order back to the battle's canonical sides.

    ``shown_first`` is the canonical side that was shown first (as 回答A). When B was shown
    first, the judge's "A" means canonical B, so the verdict is swapped.
    """
    if Side(shown_first) is Side.A:
        return Verdict(shown)
    return Verdict(shown).swapped()
