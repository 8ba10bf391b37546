"""The OpenAI adapter: any server speaking the OpenAI chat API (OpenAI, vLLM, llama.cpp, Ollama).

The client's own bounded retries cover time-outs, dropped connections, 429 and
5xx answers; a reply that does not fit the schema is asked for again once. Any
failure that remains becomes `ServiceUnavailable` (503), before anything is stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
from pydantic import ValidationError

from aksio.core.errors import ServiceUnavailable
from aksio.integrations.llm.models import (
    CardDraft,
    ChatDelta,
    ChatReply,
    ChatRequest,
    DocumentSummary,
    Generated,
    GenerationRequest,
    QuestionDraft,
    Source,
    Usage,
    count_tokens,
)
from aksio.integrations.llm.prompts import (
    GenerationOut,
    QuestionOut,
    chat_messages,
    cited,
    generation_messages,
    summary_messages,
)

UNAVAILABLE = "The language model is unavailable; nothing was stored. Try again later."


class OpenAILanguageModel:
    name = "openai"

    def __init__(
        self,
        *,
        base_url: str | None,
        api_key: str | None,
        model: str,
        timeout_s: float = 60.0,
        max_retries: int = 2,
        schema_attempts: int = 2,
    ) -> None:
        self.client = openai.OpenAI(
            base_url=base_url,
            api_key=api_key or "not-needed",  # local servers take any key
            timeout=timeout_s,
            max_retries=max_retries,
        )
        self.model = model
        self.schema_attempts = schema_attempts

    def _complete(self, **kwargs: Any) -> Any:
        try:
            return self.client.chat.completions.create(model=self.model, **kwargs)
        except openai.APIError as error:
            raise ServiceUnavailable(UNAVAILABLE, {"provider": [type(error).__name__]}) from error

    def generate(self, request: GenerationRequest) -> Generated:
        messages = generation_messages(request)
        schema = {"name": "study_material", "schema": GenerationOut.model_json_schema()}
        usage = Usage()
        for _ in range(self.schema_attempts):
            response = self._complete(
                messages=messages, response_format={"type": "json_schema", "json_schema": schema}
            )
            usage = usage + _usage(response, messages)
            try:
                out = GenerationOut.model_validate_json(_text(response))
            except (ValidationError, ValueError):
                continue
            return _generated(out, request, usage, str(response.model or self.model))
        raise ServiceUnavailable(UNAVAILABLE, {"provider": ["The model's answer was malformed."]})

    def summarize(self, text: str, *, max_words: int) -> DocumentSummary | None:
        """The model's summary of the document's start; `ServiceUnavailable` when it fails."""
        messages = summary_messages(text, max_words)
        schema = {"name": "document_summary", "schema": DocumentSummary.model_json_schema()}
        for _ in range(self.schema_attempts):
            response = self._complete(
                messages=messages, response_format={"type": "json_schema", "json_schema": schema}
            )
            try:
                out = DocumentSummary.model_validate_json(_text(response))
            except (ValidationError, ValueError):
                continue
            return _trimmed(out, max_words)
        raise ServiceUnavailable(UNAVAILABLE, {"provider": ["The model's answer was malformed."]})

    def chat(self, request: ChatRequest) -> ChatReply:
        messages = chat_messages(request)
        response = self._complete(messages=messages, temperature=request.temperature)
        content = _text(response).strip()
        if not content:
            raise ServiceUnavailable(UNAVAILABLE, {"provider": ["The model gave no answer."]})
        return _reply(content, request, _usage(response, messages), response.model)

    def stream_chat(self, request: ChatRequest) -> Iterator[ChatDelta]:
        messages = chat_messages(request)
        stream = self._complete(
            messages=messages,
            temperature=request.temperature,
            stream=True,
            stream_options={"include_usage": True},
        )
        return self._deltas(stream, request, messages)

    def _deltas(
        self, stream: Any, request: ChatRequest, messages: list[dict[str, Any]]
    ) -> Iterator[ChatDelta]:
        parts: list[str] = []
        usage, model = None, self.model
        try:
            for chunk in stream:
                model = chunk.model or model
                usage = chunk.usage or usage
                for choice in chunk.choices or []:
                    if choice.delta and choice.delta.content:
                        parts.append(choice.delta.content)
                        yield ChatDelta(choice.delta.content)
        except openai.APIError as error:
            raise ServiceUnavailable(UNAVAILABLE) from error
        content = "".join(parts).strip()
        if not content:
            raise ServiceUnavailable(UNAVAILABLE, {"provider": ["The model gave no answer."]})
        counted = _counted(usage) or _estimated(messages, content)
        yield ChatDelta("", _reply(content, request, counted, model))


def _text(response: Any) -> str:
    choices = getattr(response, "choices", None) or []
    message = choices[0].message if choices else None
    return str(getattr(message, "content", None) or "")


def _trimmed(out: DocumentSummary, max_words: int) -> DocumentSummary:
    """The summary cut to `max_words`; topics and concepts cleaned, each once, at most 8."""
    words = out.summary.split()
    summary = " ".join(words[:max_words]) + (" …" if len(words) > max_words else "")

    def cleaned(items: list[str]) -> list[str]:
        return list(dict.fromkeys(i.strip() for i in items if i.strip()))[:8]

    return DocumentSummary(
        summary=summary, topics=cleaned(out.topics), key_concepts=cleaned(out.key_concepts)
    )


def _counted(usage: Any) -> Usage | None:
    if usage is None or usage.prompt_tokens is None:
        return None
    return Usage(int(usage.prompt_tokens), int(usage.completion_tokens or 0))


def _estimated(messages: list[dict[str, Any]], content: str) -> Usage:
    return Usage(count_tokens(" ".join(str(m["content"]) for m in messages)), count_tokens(content))


def _usage(response: Any, messages: list[dict[str, Any]]) -> Usage:
    return _counted(getattr(response, "usage", None)) or _estimated(messages, _text(response))


def _reply(content: str, request: ChatRequest, usage: Usage, model: Any) -> ChatReply:
    # An answer that cites no passage by number still drew on all it was given.
    numbers = cited(content, len(request.passages)) or list(range(len(request.passages)))
    return ChatReply(content, numbers, [], usage, str(model or "openai"))


def _source(request: GenerationRequest, number: int) -> Source | None:
    if not 1 <= number <= len(request.passages):
        return None
    passage = request.passages[number - 1]
    return Source.of(passage, " ".join(passage.text.split())[:400])


def _question(item: QuestionOut, source: Source) -> QuestionDraft | None:
    options = [o.strip() for o in item.options if o.strip()]
    if item.question_type == "true_false":
        options = ["True", "False"]
    if item.question_type == "short_answer" and item.correct_answer not in options:
        options.insert(0, item.correct_answer)
    if item.question_type == "multiple_choice" and (
        item.correct_answer not in options or len(set(options)) < 2
    ):
        return None
    fields = item.model_dump(exclude={"passage", "options"})
    return QuestionDraft(**fields, options=options, confidence=0.8, source=source)


def _generated(out: GenerationOut, request: GenerationRequest, usage: Usage, model: str
               ) -> Generated:  # fmt: skip
    """The model's items that cite a real passage and are well-formed, up to the counts asked."""
    cards: list[CardDraft] = []
    for card in out.flashcards[: sum(request.card_mix.values())]:
        source = _source(request, card.passage)
        if source is not None:
            fields = card.model_dump(exclude={"passage"})
            cards.append(CardDraft(**fields, confidence=0.85, source=source))
    questions: list[QuestionDraft] = []
    for item in out.questions[: sum(request.question_mix.values())]:
        source = _source(request, item.passage)
        question = _question(item, source) if source is not None else None
        if question is not None:
            questions.append(question)
    return Generated(cards, questions, out.topics[:8], usage, model)
