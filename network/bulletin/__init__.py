"""The weekly bulletin: the coming fortnight's events, new offers and requests, reports back
and questions, the busiest threads; emailed to those who chose it, and a page and text."""
