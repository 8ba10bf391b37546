"""The flashcards read model: cards, reviews and their queries."""
