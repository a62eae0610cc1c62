"""Reply by email: a reply to a notification about a thread, a conversation or a report back,
received from the mail server, posted there as if typed on the site."""
