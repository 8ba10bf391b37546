"""Choosing what to ask about: candidate facts of the material, ranked and spread by difficulty.

A candidate is a clean sentence with the key term it teaches: a definition
("The chain rule is a formula for ..."), a naming ("... is called osmosis") or
any other sentence that uses a key term (asked as fill-in-the-blank). Hardness
grows with the form (definitions are easiest), the term's rarity and the
sentence's length; the requested difficulty mix takes the easiest candidates
for `easy`, the hardest for `hard` and spreads `medium` between them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from aksio.aggregates.flashcards.flashcard import DIFFICULTIES, Difficulty
from aksio.integrations.llm.mining import (
    Definition,
    Sentence,
    Term,
    capitalised_inside,
    content_words,
    definition_of,
    display,
    key_terms,
    mentions,
    sentences_of,
    stem,
    term_key,
)
from aksio.integrations.llm.models import PassageLike, Source

FORM_HARDNESS = {"definition": 0.0, "called": 0.2, "cloze": 0.45}
BLANK = "_____"


@dataclass(frozen=True)
class Candidate:
    form: str  # "definition", "called" or "cloze"
    sentence: Sentence
    term: Term
    shown: str  # the term as the sentence writes it, in mid-sentence case
    span: tuple[int, int]  # where the term stands in the sentence
    definition: Definition | None
    hardness: float
    relevance: float

    @property
    def blanked(self) -> str:
        start, end = self.span
        return self.sentence.text[:start] + BLANK + self.sentence.text[end:]


class Reading:
    """The material of one request: its clean sentences, definitions and key terms."""

    def __init__(self, passages: Sequence[PassageLike], focus: Sequence[str] = ()) -> None:
        self.passages = list(passages)
        self.sentences = sentences_of(self.passages)
        self.definitions = [d for s in self.sentences if (d := definition_of(s)) is not None]
        self.terms = key_terms(self.sentences, self.definitions)
        self.by_key = {t.key: t for t in self.terms}
        self.names = capitalised_inside(self.sentences)
        self.focus = {stem(w) for text in focus for w in content_words(text)}

    def source(self, sentence: Sentence) -> Source:
        return Source.of(self.passages[sentence.passage], sentence.text)

    def relevance(self, sentence: Sentence, term: Term) -> float:
        if not self.focus:
            return 0.0
        overlap = len(self.focus & {stem(w) for w in content_words(sentence.text)})
        return overlap + (2.0 if set(term.key.split()) & self.focus else 0.0)

    def candidates(self) -> list[Candidate]:
        found: list[Candidate] = []
        defined = {id(d.sentence): d for d in self.definitions}
        for sentence in self.sentences:
            definition = defined.get(id(sentence))
            made = self._from_definition(definition) if definition else self._cloze(sentence)
            if made is not None:
                found.append(made)
        return found

    def _make(self, form: str, sentence: Sentence, term: Term, match: re.Match[str],
              definition: Definition | None) -> Candidate:  # fmt: skip
        words = len(sentence.text.split())
        hardness = FORM_HARDNESS[form] + 0.3 * (1 - min(term.count, 6) / 6) + 0.25 * words / 40
        return Candidate(
            form=form,
            sentence=sentence,
            term=term,
            shown=display(match.group(0), self.names),
            span=match.span(),
            definition=definition,
            hardness=round(hardness, 4),
            relevance=self.relevance(sentence, term),
        )

    def _from_definition(self, definition: Definition) -> Candidate | None:
        term = self.by_key.get(term_key(definition.term))
        match = mentions(definition.sentence.text, term) if term else None
        if term is None or match is None:
            return None
        form = "called" if definition.verb.endswith("called") else "definition"
        return self._make(form, definition.sentence, term, match, definition)

    def _cloze(self, sentence: Sentence) -> Candidate | None:
        best: tuple[tuple[int, int, int], Term, re.Match[str]] | None = None
        for term in self.terms:
            match = mentions(sentence.text, term)
            if match is None or len(sentence.text.split()) - len(term.text.split()) < 6:
                continue
            rank = (int(term.defined), len(term.key.split()), -term.count)
            if best is None or rank > best[0]:
                best = (rank, term, match)
        if best is None:
            return None
        return self._make("cloze", sentence, best[1], best[2], None)

    def distractors(
        self, candidate: Candidate, wanted: int = 3, article: str | None = None
    ) -> list[str]:
        """Other key terms of the material that the sentence does not mention.

        With `article`, only terms the material names with that kind of article
        ("the", "a"/"an" or none), so that a swapped-in term still reads right.
        """
        answer = candidate.term
        plural = candidate.shown.lower().endswith("s")
        chosen: list[str] = []
        ranked = sorted(
            (t for t in self.terms if t.key != answer.key),
            key=lambda t: (
                not t.defined,
                t.text.lower().endswith("s") != plural,
                abs(len(t.key.split()) - len(answer.key.split())),
                -t.count,
                t.key,
            ),
        )
        for term in ranked:
            taken = {c.lower() for c in chosen} | {candidate.shown.lower()}
            clash = any(term.text.lower() in t or t in term.text.lower() for t in taken)
            if clash or mentions(candidate.sentence.text, term) is not None:
                continue
            if article is not None and _article_kind(term.article) != _article_kind(article):
                continue
            chosen.append(term.text)
            if len(chosen) == wanted:
                break
        return chosen


def _article_kind(article: str | None) -> str | None:
    return "a" if article in ("a", "an") else article


def spread(items: Sequence[Candidate], count: int) -> list[Candidate]:
    """`count` items evenly spaced over `items` (all of them when there are fewer)."""
    if count >= len(items):
        return list(items)
    if count <= 0:
        return []
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


def shortlist(candidates: Sequence[Candidate], count: int, avoid: set[str]) -> list[Candidate]:
    """Relevant candidates first, then definitions, then the rest spread over the material.

    One candidate per term while terms last; a sentence is never used twice.
    """
    wanted = count * 2 + 2
    relevant = sorted((c for c in candidates if c.relevance > 0), key=lambda c: -c.relevance)
    plain = [c for c in candidates if c.relevance == 0]
    defs = [c for c in plain if c.form != "cloze"]
    cloze = [c for c in plain if c.form == "cloze"]
    ordered = [*relevant, *defs, *spread(cloze, max(wanted, len(cloze) // 2)), *cloze]
    chosen: list[Candidate] = []
    used_sentences: set[str] = set()
    for allow_repeat in (False, True):
        terms = {c.term.key for c in chosen} | (set() if allow_repeat else avoid)
        for candidate in ordered:
            if len(chosen) >= wanted:
                return chosen
            if candidate.sentence.text in used_sentences:
                continue
            if not allow_repeat and candidate.term.key in terms:
                continue
            chosen.append(candidate)
            used_sentences.add(candidate.sentence.text)
            terms.add(candidate.term.key)
    return chosen


def scaled(mix: dict[Difficulty, int], available: int) -> dict[Difficulty, int]:
    """The mix cut down to `available` items, keeping its proportions (largest remainder)."""
    total = sum(mix.values())
    if total <= available:
        return dict(mix)
    exact = {d: mix.get(d, 0) * available / total for d in DIFFICULTIES}
    counts = {d: int(exact[d]) for d in DIFFICULTIES}
    by_remainder = sorted(DIFFICULTIES, key=lambda d: -(exact[d] - counts[d]))
    for d in by_remainder[: available - sum(counts.values())]:
        counts[d] += 1
    return counts


def by_difficulty(
    pool: Sequence[Candidate], mix: dict[Difficulty, int]
) -> list[tuple[Candidate, Difficulty]]:
    """The easiest for `easy`, the hardest for `hard`, `medium` spread between them."""
    ordered = sorted(pool, key=lambda c: (c.hardness, c.sentence.order))
    counts = scaled(mix, len(ordered))
    easy = ordered[: counts["easy"]]
    hard = ordered[len(ordered) - counts["hard"] :] if counts["hard"] else []
    middle = ordered[counts["easy"] : len(ordered) - counts["hard"]]
    picked: list[tuple[Candidate, Difficulty]] = [(c, "easy") for c in easy]
    picked.extend((c, "medium") for c in spread(middle, counts["medium"]))
    picked.extend((c, "hard") for c in hard)
    return sorted(picked, key=lambda item: item[0].sentence.order)
