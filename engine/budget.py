"""What one search may cost: caps on a query's parts, and a per-request budget with a deadline.

A query of a thousand characters can ask for a lot of work: dozens of quoted
phrases (each matched position by position), exclusions, unknown words (each
looked up for close spellings), a hundred distinct words.  Two kinds of bound
keep every request cheap:

- caps on the parsed query (applied by query.py): the first MAX_PHRASES quoted
  phrases stay phrases and the rest are searched as plain words; a phrase keeps
  its first MAX_PHRASE_WORDS words; the first MAX_TERMS distinct words are
  searched and the rest dropped.  These simplify rather than refuse: the
  visitor still gets the results the query's first parts ask for.  More than
  MAX_EXCLUSIONS exclusions is refused (QueryError, a 400): dropping one would
  show exactly what the visitor asked not to see, and no one types nine;
- a Budget per request, passed down to spelling, the executor and the result
  page: at most MAX_CORRECTED unknown words are sent to spelling correction
  (later ones are searched as typed), at most MAX_PHRASE_CHECKS distinct
  phrases (the visitor's, two-word compounds, synonyms, exclusions) are
  matched by position (later ones are matched as their words, all required),
  and once the wall-clock deadline has passed the optional work is skipped:
  no more spelling corrections or phrase positions, no snippets.  The answer
  is then the best found so far, never an error.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_PHRASES = 4  # quoted phrases matched as phrases; later ones become plain words
MAX_PHRASE_WORDS = 8  # words of one phrase (or excluded phrase) that are kept
MAX_EXCLUSIONS = 8  # -word or -"phrase"; more is a 400
MAX_TERMS = 64  # distinct plain words kept (search.py matches the first 32 in the text); the rest are dropped
MAX_CORRECTED = 2  # distinct unknown words sent to spelling correction per request
MAX_PHRASE_CHECKS = 6  # distinct phrases matched by position per request
DEFAULT_DEADLINE_MS = 500


@dataclass
class Budget:
    """The work left to one request; the same object travels from the view to every stage."""

    deadline: float | None = None  # on `clock`'s scale; None: no deadline (command line, evaluation runs)
    max_corrected: int = MAX_CORRECTED
    max_phrases: int = MAX_PHRASE_CHECKS
    clock: Callable[[], float] = time.monotonic
    corrected: set[str] = field(default_factory=set)  # words sent to spelling correction so far
    phrases: set[tuple[str, ...]] = field(default_factory=set)  # phrases matched by position so far
    expired_once: bool = False  # the deadline passed: some optional work was skipped

    @classmethod
    def starting_now(cls, deadline_ms: float, clock: Callable[[], float] = time.monotonic) -> Budget:
        """A budget whose deadline is `deadline_ms` from now; 0 or less means none."""
        return cls(clock() + deadline_ms / 1000 if deadline_ms > 0 else None, clock=clock)

    def expired(self) -> bool:
        """Whether the deadline has passed: optional work should be skipped."""
        if self.deadline is not None and self.clock() >= self.deadline:
            self.expired_once = True
        return self.expired_once

    def may_correct(self, word: str) -> bool:
        """Whether `word` may be looked up for spelling corrections; a word already looked up always may."""
        if word in self.corrected:
            return True
        if len(self.corrected) >= self.max_corrected or self.expired():
            return False
        self.corrected.add(word)
        return True

    def may_match_phrase(self, words: tuple[str, ...]) -> bool:
        """Whether a phrase may be matched by position (in any field); one already matched always may."""
        if words in self.phrases:
            return True
        if len(self.phrases) >= self.max_phrases or self.expired():
            return False
        self.phrases.add(words)
        return True
