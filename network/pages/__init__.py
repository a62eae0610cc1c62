"""The public home page, a person's dashboard, the memorandum, and the health check."""
