"""The REST API (FastAPI): routes per context, schemas, dependencies, one error renderer."""
