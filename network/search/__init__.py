"""Search: one box over threads, posts, events, listings, reports, raised items, actions and
organisations. A SearchDocument per object, kept current by a session listener (index.py);
the full-text engine of each database behind engine.py; what a person may see decided by
each feature's scope alone (searching.py)."""
