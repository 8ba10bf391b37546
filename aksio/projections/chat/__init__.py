"""Read model of the chat context: chats, messages, contexts and tutoring sessions."""
