"""The deadline scheduler: the passing of time turned into events."""
