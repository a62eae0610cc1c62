"""The pages the bench measures, and who looks at each: a visitor, a member or a coordinator,
as people use them. The first eight are issue 10's main pages; the rest are every other page
the bench has visited. Add a page here when a feature lands, and every measurement takes it.

Paths may name a landmark in braces (`{busy_thread}`), filled from bench.data.landmarks().
"""

from __future__ import annotations

from dataclasses import dataclass

from network.demo import DEMO_PASSWORD

HEALTHZ = "/healthz"  # the yardstick every page is measured against
# What a browser asks for: the cost of compressing (brotli, as the app prefers it) is part of
# serving a page, so every timed request carries this header.
ACCEPT_ENCODING = "gzip, deflate, br"

# Who logs in as each role (None: a visitor). Pat is a member and a contact of the
# Riverside Tenants' Federation.
LOGINS = {"visitor": None, "member": "pat@example.org", "coordinator": "coordinator@example.org"}
PASSWORD = DEMO_PASSWORD


@dataclass(frozen=True)
class Page:
    name: str
    role: str  # a key of LOGINS
    template: str  # the path, perhaps naming a landmark
    main: bool = False  # one of the main pages

    def path(self, landmarks: dict[str, str]) -> str:
        return self.template.format(**landmarks)


PAGES = [
    Page("home", "visitor", "/", main=True),
    Page("directory", "visitor", "/organisations", main=True),
    Page("organisation", "member", "{organisation}", main=True),
    Page("forum index", "member", "/forum", main=True),
    Page("category", "member", "{category}", main=True),
    Page("thread, 20 posts", "member", "{busy_thread}", main=True),
    Page("notifications", "member", "/notifications", main=True),
    Page("dashboard", "member", "/dashboard", main=True),
    # (The bench used to ask for page 2, which is empty at 1x: a cheaper page than at 100x.)
    Page("directory, filtered", "visitor", "/organisations?kind=community_group"),
    Page("organisation (visitor)", "visitor", "{organisation}"),
    Page("memorandum", "visitor", "/memorandum"),
    Page("join", "visitor", "/join"),
    Page("login", "visitor", "/login"),
    Page("org people", "member", "{people}"),
    Page("account", "member", "/account"),
    Page("thread, demo", "member", "{demo_thread}"),
    Page("coordinate", "coordinator", "/coordinate"),
    Page("applications", "coordinator", "/coordinate/applications"),
    Page("people", "coordinator", "/coordinate/people"),
    Page("audit log", "coordinator", "/coordinate/audit"),
    Page("areas", "coordinator", "/coordinate/areas"),
    Page("directory (coord.)", "coordinator", "/organisations"),
    Page("moderation", "coordinator", "/forum/moderation"),
    Page("category p3 (coord.)", "coordinator", "{category}?page=3"),
    Page("calendar", "member", "/calendar"),
    Page("calendar (visitor)", "visitor", "/calendar"),
    Page("calendar, month", "member", "/calendar/month"),
    Page("calendar, week", "member", "/calendar/week"),
    Page("calendar, filtered", "member", "/calendar?kind=meeting&mine=y"),
    Page("event", "member", "{event}"),
    Page("public feed (.ics)", "visitor", "/calendar/public.ics"),
    Page("sharing board", "member", "/board"),
    Page("sharing board, filtered", "member", "/board?kind=offer&category=rooms"),
    Page("listing", "member", "{listing}"),
    Page("conversation", "member", "{conversation}"),
    Page("a resource's bookings", "member", "{bookings}"),
    Page("a booking", "member", "{booking}"),
    Page("our bookings", "member", "/board/bookings"),
    Page("my representatives", "member", "/representatives"),
    Page("a body and its seats", "visitor", "{body}"),
    Page("a report back", "member", "{report}"),
    Page("a seat, items raised", "member", "{seat}"),
    Page("a body's record", "visitor", "{body_record}"),
    Page("new listing, matches", "member",
         "/board/new?kind=request&category=rooms&title=hall+for+a+meeting"),
    Page("what was shared", "member", "{shared}"),  # Pat is its contact
    Page("what was shared, 10 years", "member", "{shared}?start=2020-01-01"),
    Page("what the network shared", "coordinator", "/shared"),
    Page("what is new (home)", "member", "/"),
    Page("the bulletin", "member", "/bulletin"),
    Page("the bulletin (visitor)", "visitor", "/bulletin"),
    Page("search", "member", "/search?q=hall"),
]
# Issue 23's main pages, measured at the large borough's size beside the demo's (`--large`).
LARGE = ["home", "what is new (home)", "category", "thread, 20 posts", "calendar",
         "calendar, month", "sharing board", "listing", "a resource's bookings",
         "a report back", "a seat, items raised", "a body's record", "my representatives",
         "search"]
THREAD_PAGE = "thread, 20 posts"  # the page held to a quarter of /healthz's requests/s


def chosen(names: str | None) -> list[Page]:
    """All pages; or `main`; or `large` (issue 23's); or those whose names contain one of
    the comma-separated words."""
    if not names:
        return PAGES
    if names == "main":
        return [p for p in PAGES if p.main]
    if names == "large":
        return [p for p in PAGES if p.name in LARGE]
    words = [w.strip().lower() for w in names.split(",") if w.strip()]
    picked = [p for p in PAGES if any(w in p.name.lower() for w in words)]
    if not picked:
        raise SystemExit(f"no page matches {names!r}; pages: "
                         + ", ".join(p.name for p in PAGES))
    return picked
