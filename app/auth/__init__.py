"""API keys and the calling principal."""
