"""Writing cards and questions from chosen candidates, in the words of the material.

Every answer is text of the cited sentence: a definition card answers with the
sentence itself, a fill-in-the-blank with the term it blanked. Wrong options
are other key terms of the same material; a false statement swaps the
sentence's key term for another one.
"""

from __future__ import annotations

import hashlib

from aksio.aggregates.flashcards.flashcard import Difficulty
from aksio.integrations.llm.drafting import Candidate, Reading
from aksio.integrations.llm.models import CardDraft, QuestionDraft

CONFIDENCE = {"definition": 0.92, "called": 0.9, "cloze": 0.8}


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _subject(candidate: Candidate) -> str:
    """The defined term with its article, as a question would name it."""
    definition = candidate.definition
    assert definition is not None
    if definition.article == "the":
        return f"the {candidate.shown}"
    if definition.article in ("a", "an"):
        return f"{_article(candidate.shown)} {candidate.shown}"
    return candidate.shown


def _lower_first(text: str) -> str:
    first = text.split()[0]
    return text if first.isupper() or not first[1:].islower() else text[0].lower() + text[1:]


def _asking(candidate: Candidate) -> str | None:
    """A question whose answer is the whole definition sentence."""
    definition = candidate.definition
    if definition is None:
        return None
    subject, verb = _subject(candidate), definition.verb
    if definition.verb.endswith("called"):
        return f"What {verb.split()[0]} {_lower_first(definition.predicate)} called?"
    forms = {
        "is": f"What is {subject}?",
        "are": f"What are {subject}?",
        "refers to": f"What does {subject} refer to?",
        "refer to": f"What do {subject} refer to?",
        "means": f"What does {subject} mean?",
        "is defined as": f"How is {subject} defined?",
        "are defined as": f"How are {subject} defined?",
    }
    return forms.get(verb)


def _naming(candidate: Candidate) -> str:
    """A question whose answer is the term: "Which term refers to ...?"."""
    definition = candidate.definition
    if definition is None or candidate.form == "cloze":
        return f"Fill in the blank: “{candidate.blanked}”"
    predicate = definition.predicate
    if definition.verb.endswith("called"):
        return f"What {definition.verb.split()[0]} {_lower_first(predicate)} called?"
    forms = {
        "is": f"Which term is {predicate}?",
        "are": f"Which term names {predicate}?",
        "refers to": f"Which term refers to {predicate}?",
        "refer to": f"Which term refers to {predicate}?",
        "means": f"Which term means {predicate}?",
        "is defined as": f"Which term is defined as {predicate}?",
        "are defined as": f"Which term is defined as {predicate}?",
    }
    return forms[definition.verb]


def card(reading: Reading, candidate: Candidate, difficulty: Difficulty) -> CardDraft:
    source = reading.source(candidate.sentence)
    asking = _asking(candidate)
    if asking is not None:
        question, answer = asking, candidate.sentence.text
        explanation = f"Source: {source.label()}."
    else:
        question, answer = _naming(candidate), candidate.shown
        explanation = f"From {source.label()}: “{candidate.sentence.text}”"
    return CardDraft(
        question=question,
        answer=answer,
        difficulty_level=difficulty,
        confidence=CONFIDENCE[candidate.form],
        explanation=explanation,
        term=candidate.term.text,
        source=source,
    )


def _shuffled(options: list[str], seed: str) -> list[str]:
    """A fixed order that does not give the answer away by its position."""
    return sorted(options, key=lambda o: hashlib.sha256(f"{seed}|{o}".encode()).hexdigest())


def _draft(candidate: Candidate, reading: Reading, difficulty: Difficulty, **fields: object
           ) -> QuestionDraft:  # fmt: skip
    source = reading.source(candidate.sentence)
    return QuestionDraft.model_validate(
        {
            "difficulty_level": difficulty,
            "confidence": CONFIDENCE[candidate.form],
            "explanation": f"The material says ({source.label()}): “{candidate.sentence.text}”",
            "term": candidate.term.text,
            "source": source,
            **fields,
        }
    )


def multiple_choice(
    reading: Reading, candidate: Candidate, difficulty: Difficulty
) -> QuestionDraft | None:
    wrong = reading.distractors(candidate)
    if len(wrong) < 2:
        return None
    options = _shuffled([candidate.shown, *wrong], candidate.sentence.text)
    return _draft(
        candidate, reading, difficulty, question_text=_naming(candidate),
        question_type="multiple_choice", options=options, correct_answer=candidate.shown,
    )  # fmt: skip


def short_answer(reading: Reading, candidate: Candidate, difficulty: Difficulty) -> QuestionDraft:
    accepted = [candidate.shown]
    if candidate.definition is not None and candidate.definition.article:
        accepted.append(f"{candidate.definition.article} {candidate.shown}")
    return _draft(
        candidate, reading, difficulty, question_text=_naming(candidate),
        question_type="short_answer", options=accepted, correct_answer=candidate.shown,
    )  # fmt: skip


def _fix_article(before: str, word: str) -> str:
    """ "A" or "an" before a swapped-in term, as its first sound needs."""
    head, _, last = before[:-1].rpartition(" ") if before.endswith(" ") else ("", "", "")
    if last.lower() not in ("a", "an"):
        return before
    article = _article(word)
    article = article.capitalize() if last[0].isupper() else article
    return f"{head} {article} " if head else f"{article} "


def true_false(
    reading: Reading, candidate: Candidate, difficulty: Difficulty, truth: bool
) -> QuestionDraft:
    statement = candidate.sentence.text
    preceding = statement[: candidate.span[0]].split()
    last = preceding[-1].lower() if preceding else ""
    article = last if last in ("the", "a", "an") else ""
    wrong = [] if truth else reading.distractors(candidate, wanted=1, article=article)
    if wrong:
        start, end = candidate.span
        swapped = wrong[0] if start else wrong[0][0].upper() + wrong[0][1:]
        before = _fix_article(statement[:start], swapped)
        statement = before + swapped + statement[end:]
    answer = "False" if wrong else "True"
    return _draft(
        candidate, reading, difficulty, question_text=f"True or false: {statement}",
        question_type="true_false", options=["True", "False"], correct_answer=answer,
    )  # fmt: skip
