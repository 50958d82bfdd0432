"""Candidate proposals: employers a spoor 2 or 3 candidate was put forward to, with the outcome's history."""
