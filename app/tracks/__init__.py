"""Track assignments: spoor 1 (own employer), spoor 2 (another employer), spoor 3 (after a WIA decision)."""
