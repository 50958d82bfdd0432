"""The medical part of a dossier: the functional status the arbodienst pushes, never a diagnosis."""
