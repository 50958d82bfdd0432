"""Calendar feeds (iCalendar) of outstanding obligations."""
