"""Shared plumbing: settings, database, errors, pagination, idempotency, ETags and OpenAPI shaping."""
