"""AVG: retention (anonymisation after a term), legal hold, erasure and export of a case's file."""
