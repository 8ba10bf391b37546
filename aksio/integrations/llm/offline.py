"""The offline language model: deterministic, no network, everything from the material itself.

Generation asks about the material's own sentences (see `drafting` and
`writing`); chat answers quote the retrieved sentences that best match the
question and name the documents they come from. Token counts are what a model
given the same prompt would have read and written, by `count_tokens`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence

from aksio.aggregates.flashcards.flashcard import Difficulty
from aksio.integrations.llm.drafting import Candidate, Reading, by_difficulty, shortlist
from aksio.integrations.llm.mining import SPLIT, clean, content_words, stem
from aksio.integrations.llm.models import (
    REFERRING,
    CardDraft,
    ChatDelta,
    ChatReply,
    ChatRequest,
    DocumentSummary,
    Generated,
    GenerationRequest,
    PassageLike,
    QuestionDraft,
    Source,
    Usage,
    count_tokens,
)
from aksio.integrations.llm.writing import card, multiple_choice, short_answer, true_false

MODEL = "aksio-offline"
QUOTES = 3
NOT_FOUND = (
    "I could not find anything about this in the documents available to this chat. "
    "Add a processed document to the chat's context or to its course, then ask again."
)


class OfflineLanguageModel:
    name = MODEL

    def summarize(self, text: str, *, max_words: int) -> DocumentSummary | None:
        """None: the extractive analysis of processing already summarises offline."""
        return None

    def generate(self, request: GenerationRequest) -> Generated:
        focus = [t for t in (request.topic, request.instructions, *request.focus_terms) if t]
        reading = Reading(request.passages, focus)
        candidates = reading.candidates()
        card_picks = by_difficulty(
            shortlist(candidates, sum(request.card_mix.values()), set()), request.card_mix
        )
        cards = [card(reading, c, level) for c, level in card_picks]
        used = {c.term.key for c, _ in card_picks}
        question_pool = shortlist(candidates, sum(request.question_mix.values()), used)
        question_picks = by_difficulty(question_pool, request.question_mix)
        questions = _questions(reading, question_picks)
        picked = [c for c, _ in card_picks] + [c for c, _ in question_picks]
        prompt = "\n".join(p.text for p in request.passages) + " ".join(focus)
        written = " ".join(_text_of(cards, questions))
        return Generated(
            flashcards=cards,
            questions=questions,
            topics=_topics(picked),
            usage=Usage(count_tokens(prompt), count_tokens(written)),
            model=MODEL,
        )

    def chat(self, request: ChatRequest) -> ChatReply:
        quotes = _best_sentences(request)
        content = _answer(request.passages, quotes) if quotes else NOT_FOUND
        cited = sorted({index for index, _ in quotes})
        concepts: list[str] = []
        if quotes:
            reading = Reading([request.passages[i] for i in cited])
            quoted = " ".join(text for _, text in quotes).lower()
            concepts = [t.slug for t in reading.terms if t.text.lower() in quoted][:6]
        return ChatReply(
            content=content,
            cited=cited,
            concepts=concepts,
            usage=Usage(count_tokens(_prompt_text(request)), count_tokens(content)),
            model=MODEL,
            excerpts={i: " ".join(text for j, text in quotes if j == i) for i in cited},
        )

    def stream_chat(self, request: ChatRequest) -> Iterator[ChatDelta]:
        reply = self.chat(request)
        words = reply.content.split(" ")
        for start in range(0, len(words), 8):
            yield ChatDelta(" ".join(words[start : start + 8]) + (" " if start + 8 < len(words)
                                                                    else ""))  # fmt: skip
        yield ChatDelta("", reply)


def _questions(
    reading: Reading, picks: Sequence[tuple[Candidate, Difficulty]]
) -> list[QuestionDraft]:
    """The easiest fifth as true/false, the hardest fifth as short answers, the rest choices."""
    by_hardness = sorted(range(len(picks)), key=lambda i: picks[i][0].hardness)
    share = len(picks) // 5
    kinds = {i: "multiple_choice" for i in by_hardness}
    kinds.update({i: "true_false" for i in by_hardness[:share]})
    kinds.update({i: "short_answer" for i in by_hardness[len(picks) - share :] if share})
    drafts: list[QuestionDraft] = []
    statements = 0
    for index, (candidate, level) in enumerate(picks):
        draft: QuestionDraft | None = None
        if kinds[index] == "true_false":
            draft = true_false(reading, candidate, level, truth=statements % 2 == 1)
            statements += 1
        elif kinds[index] == "multiple_choice":
            draft = multiple_choice(reading, candidate, level)
        drafts.append(draft or short_answer(reading, candidate, level))
    return drafts


def _topics(picked: Sequence[Candidate]) -> list[str]:
    counts = Counter({c.term.slug: c.term.count for c in picked})
    return [slug for slug, _ in counts.most_common(8)]


def _text_of(cards: Sequence[CardDraft], questions: Sequence[QuestionDraft]) -> list[str]:
    texts = [f"{c.question} {c.answer} {c.explanation or ''}" for c in cards]
    texts += [f"{q.question_text} {' '.join(q.options)} {q.explanation or ''}" for q in questions]
    return texts


def _prompt_text(request: ChatRequest) -> str:
    parts = [request.system_prompt or "", *request.notes]
    parts += [turn.content for turn in request.history]
    parts += [p.text for p in request.passages]
    return "\n".join([*parts, request.message])


def _query(request: ChatRequest) -> dict[str, float]:
    """The message's words; a message that points back ("what about its inverse?") also
    takes, at half weight, the words of the question before it."""
    weights = {stem(w): 2.0 for w in content_words(request.message)}
    said = {w.lower().strip("?.,!") for w in request.message.split()}
    if not weights or said & REFERRING:
        earlier = [t.content for t in request.history if t.role == "user"][-1:]
        for word in (w for text in earlier for w in content_words(text)):
            weights.setdefault(stem(word), 1.0)
    return weights


def _best_sentences(request: ChatRequest) -> list[tuple[int, str]]:
    """Up to three sentences that share the most words with the question, best passages first."""
    query = _query(request)
    scored: list[tuple[float, int, int, str]] = []
    for index, passage in enumerate(request.passages):
        for order, piece in enumerate(SPLIT.split(passage.text)):
            text = clean(piece)
            if len(text.split()) < 5:
                continue
            overlap = sum(query.get(w, 0.0) for w in {stem(w) for w in content_words(text)})
            if request.message_type == "example" and "example" in text.lower():
                overlap += 1
            if overlap:
                scored.append((overlap + passage.score, index, order, text))
    best: list[tuple[float, int, int, str]] = []
    for item in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        if len(best) < QUOTES and all(item[3] != kept[3] for kept in best):
            best.append(item)
    return [(index, text) for _, index, _, text in sorted(best, key=lambda s: (s[1], s[2]))]


def _answer(passages: Sequence[PassageLike], quotes: Sequence[tuple[int, str]]) -> str:
    """Quotes grouped by passage, each followed by where it comes from."""
    blocks: list[str] = []
    for index in dict.fromkeys(i for i, _ in quotes):
        said = " ".join(text for i, text in quotes if i == index)
        label = Source.of(passages[index], said).label()
        blocks.append(f"“{said}” ({label})")
    names = list(dict.fromkeys(passages[i].document_name or "your material" for i, _ in quotes))
    intro = "Here is what your materials say about this:"
    return "\n\n".join([intro, *blocks, "Sources: " + "; ".join(names) + "."])
