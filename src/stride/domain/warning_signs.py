"""Cardiac warning signs: stop exercising and seek care (``cardiac_warning.toml``, after the ACSM).

A sign is *reported* when the patient or clinician ticks it on an adverse-event form (stored, and it
raises a safety alert), and *mentioned* when the text of an adverse event or a session's notes names
it. A mention only brings the stop-and-seek-care guidance back in front of the patient: matching words
is not a clinical judgement, so it stores and decides nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from stride.data import load_toml
from stride.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class WarningSign:
    code: str
    text: str
    phrases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CardiacWarning:
    title: str
    guidance: str
    source: str
    signs: tuple[WarningSign, ...]

    def sign(self, code: str) -> WarningSign:
        return next(s for s in self.signs if s.code == code)


@cache
def cardiac_warning() -> CardiacWarning:
    data = load_toml("cardiac_warning")
    return CardiacWarning(
        title=data["title"],
        guidance=data["guidance"],
        source=data["source"],
        signs=tuple(
            WarningSign(code=s["code"], text=s["text"], phrases=tuple(s.get("phrases", ())))
            for s in data["symptom"]
        ),
    )


def check_warning_signs(codes: Iterable[str]) -> tuple[str, ...]:
    """The ticked signs, deduplicated in the order of the list; an unknown code is refused."""
    known = [s.code for s in cardiac_warning().signs]
    given = set(codes)
    unknown = sorted(given - set(known))
    if unknown:
        raise InvalidInput(
            f"unknown warning sign {', '.join(map(repr, unknown))}; known: {', '.join(known)}",
            field="warning_signs",
        )
    return tuple(code for code in known if code in given)


@cache
def _pattern(phrase: str) -> re.Pattern[str]:
    # Whole words, any spacing: "chest  pain" and "Chest pain." match, "unfaintly" does not.
    words = (re.escape(w) for w in phrase.lower().split())
    return re.compile(r"(?<![\w'])" + r"\s+".join(words) + r"(?![\w'])")


def signs_mentioned(*texts: str | None) -> tuple[str, ...]:
    """The codes of the signs whose phrases appear in any of ``texts`` (case-insensitive)."""
    joined = " \n ".join(t.lower() for t in texts if t)
    if not joined.strip():
        return ()
    return tuple(
        sign.code for sign in cardiac_warning().signs if any(_pattern(p).search(joined) for p in sign.phrases)
    )
