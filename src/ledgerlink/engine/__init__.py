"""The engine: durable jobs, retries, links, cursors and problems. It knows nothing of records."""
