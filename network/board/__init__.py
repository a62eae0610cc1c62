"""The sharing board: listings offered and asked for, conversations about them, and bookings
of what can be booked."""
