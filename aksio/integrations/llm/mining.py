"""Reading study material without a model: clean sentences, definitions and key terms.

Only sentences that stand on their own are kept (a capital letter first, a full
stop last, no dangling "This"/"However", no pointers to figures or pages, no
words broken across lines), so anything built from them reads as written.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from aksio.integrations.extraction.analysis import STOPWORDS
from aksio.integrations.llm.models import PassageLike

SPLIT = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])|\n\s*\n")
WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]")


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


BAD_START = word_set(
    "it this these that those they he she we you i its their his her our however therefore "
    "thus hence also and but or so then here there such both for as because another other "
    "which where when while furthermore moreover similarly finally first second third next "
    "in on at by with what who why how one each all some many most if although yet instead "
    "still besides likewise consequently now again let note see figure table"
)
OUTSIDE = re.compile(
    r"\b(?:fig(?:ure)?\.?\s*\d|table\s+\d|see\s+(?:also|section|chapter|page|above|below)|"
    r"as shown|shown (?:above|below)|the following|above|below|previous|e\.g\.|i\.e\.|etc\.|"
    r"https?:|www\.|chapter\s+\d)",
    re.IGNORECASE,
)
BROKEN = re.compile(r"[a-z]- [a-z]|\s[,.;:]|[•▪●◦■]|\.\.\.|…|_{2,}")
TERM_BLOCK = word_set(
    "is are was were be been being has have had can could will would should may might must do "
    "does did which that who whom whose when where while because if not also very this these "
    "it they we he she there here"
)
TERM_END_BLOCK = word_set("of in on for to with by at from and or the a an as")


@dataclass(frozen=True)
class Sentence:
    text: str
    passage: int  # index of the passage it came from
    order: int  # position in the whole material


@dataclass(frozen=True)
class Definition:
    """`term` (as the material writes it) `verb` `predicate`; or, for "called", the reverse."""

    term: str
    article: str  # "the", "a", "an" or ""
    verb: str  # "is", "are", "refers to", "means", "is defined as", "is called"
    predicate: str
    sentence: Sentence

    @property
    def plural(self) -> bool:
        return self.verb.startswith(("are", "refer ")) or self.verb == "are called"


def clean(text: str) -> str:
    return " ".join(text.split())


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if len(w) > 2 and w not in STOPWORDS]


def stem(word: str) -> str:
    """A light stemmer, enough to match "derivatives" with "derivative"."""
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def standalone(text: str) -> bool:
    """Whether a sentence reads correctly on its own, out of its paragraph."""
    tokens = text.split()
    if not 7 <= len(tokens) <= 40 or not text[0].isupper() or not text.endswith("."):
        return False
    if tokens[0].lower().strip(",") in BAD_START or (tokens[0].isupper() and len(tokens[0]) > 1):
        return False
    if OUTSIDE.search(text) or BROKEN.search(text) or "?" in text or "!" in text:
        return False
    if (
        text.count("(") != text.count(")")
        or text.count('"') % 2
        or text.count("“") != text.count("”")
    ):
        return False
    letters = sum(c.isalpha() for c in text)
    lower = sum(1 for t in tokens if t[:1].islower())
    return letters >= 0.75 * len(text.replace(" ", "")) and lower >= len(tokens) * 0.5


def sentences_of(passages: Sequence[PassageLike]) -> list[Sentence]:
    found: list[Sentence] = []
    for index, passage in enumerate(passages):
        for piece in SPLIT.split(passage.text):
            text = clean(piece)
            if text and standalone(text):
                found.append(Sentence(text, index, len(found)))
    return found


_IS = re.compile(
    r"^(?P<det>(?:The|A|An) )?(?P<term>[A-Za-z][\w'-]*(?: [\w'-]+){0,4}?)"
    r"(?: \([^()]{1,20}\))?,? "
    r"(?P<verb>is defined as|are defined as|refers to|refer to|means|is|are) (?P<pred>.+)\.$"
)
_CALLED = re.compile(
    r"^(?P<desc>.{12,160}?) (?P<verb>is called|are called|is known as|are known as|is termed)"
    r" (?P<det>(?:the|a|an) )?(?P<term>[A-Za-z][\w'-]*(?: [\w'-]+){0,3})\.$"
)
_ADJECTIVE_END = ("ly", "ed", "ive", "ous", "ful", "able", "ible", "al", "ic", "ent", "ant")
_NOT_NOUN = word_set(
    "found known used made able often usually also not very more most less important essential "
    "necessary responsible present available similar different located thought considered "
    "required needed both all each called sometimes always never only still just then"
)


def _good_term(term: str) -> bool:
    parts = term.lower().split()
    if not parts or parts[0] in BAD_START or parts[-1] in TERM_END_BLOCK:
        return False
    return not any(p in TERM_BLOCK for p in parts) and not any(c.isdigit() for c in term)


def _good_predicate(verb: str, predicate: str) -> bool:
    first = predicate.split()[0].lower()
    if not 3 <= len(predicate.split()) <= 30:
        return False
    if verb == "is":
        return first in ("a", "an", "the", "one")
    if verb == "are":
        return first == "the" or (first not in _NOT_NOUN and not first.endswith(_ADJECTIVE_END))
    return True


def definition_of(sentence: Sentence) -> Definition | None:
    called = _CALLED.match(sentence.text)
    if called and _good_term(called["term"]):
        verb = "are called" if called["verb"].startswith("are") else "is called"
        article = (called["det"] or "").strip()
        return Definition(called["term"], article, verb, called["desc"], sentence)
    found = _IS.match(sentence.text)
    if not found or not _good_term(found["term"]):
        return None
    if not _good_predicate(found["verb"], found["pred"]):
        return None
    article = (found["det"] or "").strip().lower()
    return Definition(found["term"], article, found["verb"], found["pred"], sentence)


@dataclass(frozen=True)
class Term:
    text: str  # as it should be shown: "chain rule", "ATP", "Newton's first law"
    key: str  # stemmed lowercase words, for matching
    count: int
    defined: bool
    article: str | None = None  # how the material names it: "the", "a", "an", "" or unknown

    @property
    def slug(self) -> str:
        return "_".join(words(self.text))


def term_key(text: str) -> str:
    return " ".join(stem(w) for w in words(text))


def capitalised_inside(sentences: Sequence[Sentence]) -> set[str]:
    """Words written with a capital letter inside sentences: names, which keep it."""
    return {w for s in sentences for w in WORD.findall(s.text)[1:] if w[:1].isupper()}


def display(term: str, names: set[str]) -> str:
    """The term as written mid-sentence: "Ribosomes" -> "ribosomes", "Robert Hooke" stays."""
    first, _, rest = term.partition(" ")
    if first in names or not first[1:].islower() or not first[:1].isupper():
        return term
    return first[0].lower() + first[1:] + (" " + rest if rest else "")


def key_terms(sentences: Sequence[Sentence], definitions: Sequence[Definition]) -> list[Term]:
    """Defined terms, then repeated two- and three-word phrases, then frequent words."""
    names = capitalised_inside(sentences)
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for sentence in sentences:
        run: list[str] = []
        for token in [*WORD.findall(sentence.text), ""]:
            if token and len(token) > 2 and token.lower() not in STOPWORDS:
                run.append(token)
                continue
            for size in (1, 2, 3):
                for start in range(len(run) - size + 1):
                    phrase = " ".join(run[start : start + size])
                    key = term_key(phrase)
                    counts[key] += 1
                    shown.setdefault(key, display(phrase, names))
            run = []
    terms: dict[str, Term] = {}
    for definition in definitions:
        key = term_key(definition.term)
        text = display(definition.term, names)
        terms.setdefault(key, Term(text, key, max(counts[key], 1), True, definition.article))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1] * len(kv[0].split()), kv[0]))
    for key, count in ranked:
        needed = 2 if " " in key else 4
        if count >= needed and key not in terms and _good_term(shown[key]):
            terms[key] = Term(shown[key], key, count, False)
    return list(terms.values())


def mentions(text: str, term: Term) -> re.Match[str] | None:
    """Where `term` occurs in `text` as whole words (plural or singular)."""
    parts = [re.escape(w) for w in term.text.split()]
    parts[-1] += r"(?:es|s)?"
    return re.search(r"\b" + r"\s+".join(parts) + r"\b", text, re.IGNORECASE)
