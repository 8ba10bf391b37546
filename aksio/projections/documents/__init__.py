"""Read model of the documents context: documents, their content and their passages."""
