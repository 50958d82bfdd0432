"""Milestones: the dated facts of a dossier that fulfil, waive or move Poortwachter obligations."""
