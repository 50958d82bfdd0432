"""Monthly progress reports (voortgangsrapportages) of the bureau, per track."""
