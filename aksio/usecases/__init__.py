"""Use cases: what a request does when it needs more than one command (reads, an LLM call,
then a command). Routes call them; they call commands and read models, never the API."""
