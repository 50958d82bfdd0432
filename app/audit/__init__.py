"""Append-only audit log, read-access log and change feed, written in the request's transaction."""
