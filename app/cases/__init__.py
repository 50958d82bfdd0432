"""Re-integratiedossiers: the sick employee, the absence periods and the parties of a case."""
