"""The home page of what is new for a person who is logged in, and their visits."""
