"""Email through an outbox: queued in the transaction that causes it, delivered with retries."""
