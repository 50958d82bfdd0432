"""Compliance: loads a case's facts (or a whole portfolio's), runs the Poortwachter rules, shapes the answer."""
