"""What was shared, for funders: each organisation's record, and the network's, over a period
(listings matched, bookings and hours, events held and who said they were going, reports on
time, actions done) as a page with a chart and a table, and as CSV. It gathers from the
board, the calendar and representation through their reads; nothing imports it."""
