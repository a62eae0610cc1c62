"""A person's own data: the archive of everything held about them, closing an account, how
long the network keeps what it needs, and the privacy page that says so."""
