"""Language models behind one port: the offline extractive model and OpenAI-compatible servers."""

from __future__ import annotations

from aksio.integrations.llm.models import LanguageModel
from aksio.integrations.llm.offline import OfflineLanguageModel

PROVIDERS = ("offline", "openai")


def language_model(
    provider: str, *, base_url: str | None, api_key: str | None, model: str
) -> LanguageModel:
    """The adapter `AKSIO_LLM_PROVIDER` names (`offline` unless `openai`)."""
    if provider == "openai":
        from aksio.integrations.llm.openai_provider import OpenAILanguageModel

        return OpenAILanguageModel(base_url=base_url, api_key=api_key, model=model)
    if provider != "offline":
        raise ValueError(f"AKSIO_LLM_PROVIDER must be one of {', '.join(PROVIDERS)}")
    return OfflineLanguageModel()
