"""The shared calendar: events, their occurrences, answers and feeds."""
