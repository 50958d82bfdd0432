"""Spoorwijzer: an API for re-integration work under the Wet verbetering poortwachter."""
