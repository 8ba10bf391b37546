"""The offline model on real study notes: counts, faithful answers, plausible wrong options."""

from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import UUID, uuid4

import pytest

from aksio.integrations.llm.models import (
    ChatRequest,
    ChatTurn,
    Difficulty,
    Generated,
    GenerationRequest,
    QuestionDraft,
)
from aksio.integrations.llm.offline import OfflineLanguageModel
from aksio.integrations.llm.planning import mix
from tests.ai.material import ALL_SENTENCES, CHAPTERS

DOC = uuid4()


@dataclass(frozen=True)
class Passage:
    document_id: UUID
    document_name: str | None
    chunk_index: int
    text: str
    page: int | None
    section: str | None
    score: float = 1.0


def passages(chapters: list[list[str]] = CHAPTERS) -> list[Passage]:
    return [
        Passage(DOC, "Biology notes", i, " ".join(c), i + 1, f"Chapter {i + 1}")
        for i, c in enumerate(chapters)
    ]


def generated(
    cards: int, questions: int, level: Difficulty = "medium", given: list[Passage] | None = None
) -> Generated:
    request = GenerationRequest(
        topic=None, instructions=None, passages=given or passages(),
        card_mix=mix(cards, level), question_mix=mix(questions, level),
    )  # fmt: skip
    return OfflineLanguageModel().generate(request)


def normal(text: str) -> str:
    return " ".join(text.lower().split())


def test_makes_exactly_the_counts_asked_without_duplicates() -> None:
    made = generated(20, 15)
    assert len(made.flashcards) == 20 and len(made.questions) == 15
    questions = [c.question for c in made.flashcards]
    assert len(set(questions)) == 20
    assert len({q.question_text for q in made.questions}) == 15


def test_every_answer_is_in_its_cited_passage() -> None:
    made = generated(20, 15)
    by_page = {p.page: normal(p.text) for p in passages()}
    # The checks below sit in loops: without cards and questions they would check nothing.
    assert made.flashcards and made.questions
    assert {q.question_type for q in made.questions} >= {"true_false", "multiple_choice"}
    for card in made.flashcards:
        cited = by_page[card.source.page]
        assert normal(card.source.excerpt) in cited
        assert normal(card.answer) in normal(card.source.excerpt)
        assert card.source.document_id == DOC
    for question in made.questions:
        excerpt = normal(question.source.excerpt)
        assert excerpt in by_page[question.source.page]
        if question.question_type == "true_false":
            statement = normal(question.question_text.removeprefix("True or false: "))
            assert (statement == excerpt) == (question.correct_answer == "True")
        else:
            assert normal(question.correct_answer) in excerpt


def test_wrong_options_are_other_key_terms_of_the_material() -> None:
    made = generated(5, 15)
    material = normal(" ".join(ALL_SENTENCES))
    choices = [q for q in made.questions if q.question_type == "multiple_choice"]
    assert len(choices) >= 5
    for question in choices:
        assert question.correct_answer in question.options
        assert len(question.options) == len(set(question.options)) >= 3
        for option in question.options:
            assert normal(option) in material
            if option != question.correct_answer:  # never also true of the sentence
                assert normal(option) not in normal(question.source.excerpt)


def test_false_statements_swap_a_key_term_and_read_correctly() -> None:
    made = generated(0, 15)
    statements = [q for q in made.questions if q.question_type == "true_false"]
    assert {q.correct_answer for q in statements} == {"True", "False"}
    for question in statements:
        text = question.question_text.removeprefix("True or false: ")
        assert text[0].isupper() and text.endswith(".")
        assert not re.search(r"\b[Aa] [aeiou]", text), text  # "a" before a vowel sound


def test_questions_read_as_whole_sentences() -> None:
    made = generated(20, 15)
    texts = [c.question for c in made.flashcards] + [q.question_text for q in made.questions]
    for text in texts:
        assert text[0].isupper(), text
        assert text.endswith(("?", "”", ".")), text
        assert "  " not in text and " ," not in text
    for card in made.flashcards:
        assert "_____" not in card.answer and card.answer.strip()


def test_difficulty_spread_follows_the_requested_level() -> None:
    levels: list[tuple[Difficulty, tuple[int, int, int]]] = [
        ("easy", (6, 3, 1)), ("medium", (3, 5, 2)), ("hard", (1, 3, 6))
    ]  # fmt: skip
    for level, expected in levels:
        made = generated(10, 0, level)
        counts = [
            sum(1 for c in made.flashcards if c.difficulty_level == d)
            for d in ("easy", "medium", "hard")
        ]
        assert tuple(counts) == expected


def test_too_little_material_makes_fewer() -> None:
    made = generated(20, 15, given=passages([CHAPTERS[0][:3]]))
    assert 0 < len(made.flashcards) < 20
    assert len(made.questions) < 15


def test_sentences_that_do_not_stand_alone_are_never_used() -> None:
    given = passages([[
        "This is the basic unit of life.", "However, the membrane is a barrier.",
        "See Figure 3 for the structure of the cell.",
        "The nucleus is the control centre of the cell and contains the genetic material.",
    ]])  # fmt: skip
    made = generated(5, 0, given=given)
    assert [c.question for c in made.flashcards] == ["What is the nucleus?"]


def test_chat_quotes_the_best_passage_and_cites_it() -> None:
    given = passages()
    reply = OfflineLanguageModel().chat(ChatRequest("What does amylase do?", given))
    assert reply.cited == [2]
    assert "Amylase is an enzyme that breaks down starch into sugars." in reply.content
    assert "Biology notes, page 3" in reply.content
    assert reply.usage.completion_tokens > 0 and reply.usage.prompt_tokens > 0


@pytest.mark.parametrize("follow_up", ["What breaks it down?", "and that one?"])
def test_chat_follow_up_uses_the_earlier_question(follow_up: str) -> None:
    history = [ChatTurn("user", "Tell me about starch"), ChatTurn("assistant", "…")]
    reply = OfflineLanguageModel().chat(ChatRequest(follow_up, passages(), history))
    assert "starch" in reply.content


def test_chat_without_passages_says_so() -> None:
    reply = OfflineLanguageModel().chat(ChatRequest("What is entropy?", []))
    assert reply.cited == [] and "could not find" in reply.content


def _kinds(questions: list[QuestionDraft]) -> set[str]:
    return {q.question_type for q in questions}


def test_quiz_mixes_question_types() -> None:
    made = generated(0, 15)
    assert _kinds(made.questions) == {"multiple_choice", "true_false", "short_answer"}
