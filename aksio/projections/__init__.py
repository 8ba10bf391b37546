"""Read models: tables built from the event log, with the queries that read them."""
