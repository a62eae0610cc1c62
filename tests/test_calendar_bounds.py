"""The calendar's views and feeds hold a bound at any size (issue 23): a crowded day shows its
first few and "N more", the list pages by count, a feed holds a window and a count of each;
and what a page reads (queries, Event rows, bytes sent) stays the same when the crowd
doubles. The crowds are inserted in one statement each; the bounds are the app's own."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import event as sa_event
from sqlalchemy import insert, select, update

from network.calendar import services, stretch
from network.calendar.models import Event, EventKind
from network.core.audience import Audience
from network.core.time import borough_zone, now, today
from network.extensions import db
from tests.factories import make_event
from tests.test_page_weight import HTML_BUDGET, fetch, sent_size


def crowd(world, day: date, count: int, title: str = "Crowd") -> None:
    """`count` public one-off events on one day (9:00 to 20:00, an hour each), at once."""
    rows = []
    for n in range(count):
        starts = datetime(day.year, day.month, day.day, 9 + n % 12, n % 60,
                          tzinfo=borough_zone()).astimezone(UTC)
        rows.append({"organisation_id": world.org_a.id, "created_by_id": world.contact.id,
                     "title": f"{title} {day:%d} number {n}", "kind": EventKind.MEETING,
                     "audience": Audience.PUBLIC, "starts_at": starts,
                     "ends_at": starts + timedelta(hours=1), "place": "Hall"})
    db.session.execute(insert(Event), rows)
    db.session.commit()


@contextmanager
def reading(queries):
    """The statements run and the Event rows the ORM built while inside."""
    built = []

    def loaded(target, _context):
        built.append(target)

    sa_event.listen(Event, "load", loaded)
    try:
        with queries() as statements:
            yield statements, built
    finally:
        sa_event.remove(Event, "load", loaded)


def cost(client, queries, path: str) -> tuple[int, int, int, str]:
    """(queries, Event rows built, bytes sent, the page) of one request."""
    with reading(queries) as (statements, built):
        response = fetch(client, path)
    assert response.status_code == 200, path
    return len(statements), len(built), sent_size(response), client.get(path).get_data(
        as_text=True)


def next_monday() -> date:
    return today() + timedelta(days=7 - today().weekday())


def test_a_crowded_week_shows_a_few_a_day_and_costs_the_same_when_the_crowd_doubles(
        app, client, world, login, queries):
    monday = next_monday()
    busy, quiet = monday + timedelta(days=2), monday + timedelta(days=4)
    most = stretch.WEEK_DAY_MOST
    crowd(world, busy, most + 20, "Busy")
    crowd(world, quiet, 5, "Quiet")
    login(world.member)
    path = f"/calendar/week?week={monday.isoformat()}"
    client.get(path)  # templates compiled
    before = cost(client, queries, path)
    page = before[3]
    assert page.count("Busy ") == most and page.count("Quiet ") == 5  # a real day reads whole
    assert re.search(rf'href="/calendar\?start={busy.isoformat()}">20 more</a>', page)
    crowd(world, busy, 60, "Later")
    after = cost(client, queries, path)
    assert after[3].count("Busy ") + after[3].count("Later ") == most
    assert ">80 more</a>" in after[3]
    assert after[:2] == before[:2]  # the same queries and rows read, twice the crowd
    assert before[1] <= 7 * most + 10
    assert after[2] <= before[2] * 1.05 and after[2] <= HTML_BUDGET


def test_a_crowded_month_counts_up_to_its_limit(app, client, world, login, queries):
    day = today().replace(day=1) + timedelta(days=40)
    most = stretch.MONTH_DAY_MOST
    crowd(world, day, most + stretch.MORE_COUNTED + 10, "Fair")
    crowd(world, day + timedelta(days=1), most + 3, "Stall")
    login(world.member)
    path = f"/calendar/month?month={day:%Y-%m}"
    client.get(path)
    statements, built, size, page = cost(client, queries, path)
    assert page.count("Fair ") == most and page.count("Stall ") == most
    # The count stopped there (the world's own series is on that day too).
    assert re.search(rf'href="/calendar\?start={day}">at least {stretch.MORE_COUNTED + 1} '
                     'more</a>', page)
    assert re.search(rf'href="/calendar\?start={day + timedelta(days=1)}">3 more</a>', page)
    assert built <= 2 * most + 10 and statements <= 12 and size <= HTML_BUDGET


def test_the_list_pages_by_count_in_whole_days(app, client, world, login, queries):
    first = today() + timedelta(days=3)
    most = stretch.AGENDA_MOST
    second = first + timedelta(days=1)
    crowd(world, first, most // 2 + 5, "Monday")
    crowd(world, second, most // 2 + 5, "Tuesday")  # it would pass the page's count
    login(world.member)
    statements, built, _size, page = cost(client, queries, f"/calendar?start={first}")
    assert page.count("Monday ") == most // 2 + 5 and "Tuesday " not in page
    assert f'href="/calendar?start={second.isoformat()}" rel="next"' in page
    assert built <= most + 10 and statements <= 12
    # A day alone with more than a page: its first ones, and how many more.
    crowd(world, second, most, "Wednesday")
    cut = cost(client, queries, f"/calendar?start={second}")
    page = cut[3]
    assert cut[0] == statements and cut[1] <= most + 10  # the same queries, cut or not
    assert page.count("Tuesday ") + page.count("Wednesday ") == most
    assert f"On this day, {most // 2 + 5} more: choose a filter" in page
    after = second + timedelta(days=1)
    assert f'href="/calendar?start={after.isoformat()}" rel="next"' in page


def test_earlier_comes_back_to_the_page_later_left(app, client, world, login):
    # Pages go by count: "Earlier" from the second page went 28 days back, not to the first.
    first = today() + timedelta(days=3)
    most = stretch.AGENDA_MOST
    for n in range(4):
        crowd(world, first + timedelta(days=n), most // 3, f"Day{n}")
    for n in (9, 10):  # weeks before, a page's worth
        crowd(world, first - timedelta(days=n), most // 2, "Before")
    login(world.member)
    page = client.get(f"/calendar?start={first}").get_data(as_text=True)
    later = re.search(r'href="(/calendar\?start=[0-9-]+)" rel="next"', page).group(1)
    second = client.get(later).get_data(as_text=True)
    assert "Day0 " not in second and "Day3 " in second
    earlier = re.search(r'href="([^"]+)" rel="prev"', second).group(1).replace("&amp;", "&")
    back = client.get(earlier).get_data(as_text=True)
    shown = sorted(set(re.findall(r"Day[0-9] ", back)))
    assert shown == sorted(set(re.findall(r"Day[0-9] ", page))), (earlier, shown)
    assert "Before " not in back
    # A day alone fuller than a page begins its own page going back too.
    crowd(world, first - timedelta(days=1), most + 5, "Eve")
    eve = client.get(f"/calendar?before={first}").get_data(as_text=True)
    assert eve.count("Eve ") == most and "Day0 " not in eve


def test_a_page_of_one_day_is_headed_by_that_day_alone(app, client, world, login):
    day = today() + timedelta(days=3)
    crowd(world, day, stretch.AGENDA_MOST + 5, "Fair")
    login(world.member)
    page = client.get(f"/calendar?start={day}").get_data(as_text=True)
    heading = re.search(r"<h2 data-announce[^>]*>([^<]*)</h2>", page).group(1)
    assert "–" not in heading and str(day.year) in heading  # not "12 December – 12 December"


def test_a_long_event_begun_weeks_before_is_on_each_of_its_days(app, client, world, login):
    monday = next_monday()
    make_event(world.org_a, world.contact, "Exhibition", audience=Audience.PUBLIC,
               starts_at=datetime.combine(monday - timedelta(days=45), datetime.min.time(),
                                          tzinfo=borough_zone()) + timedelta(hours=10),
               hours=24 * 60)
    login(world.member)
    page = client.get(f"/calendar/week?week={monday.isoformat()}").get_data(as_text=True)
    assert page.count("Exhibition") == 7


def test_series_are_read_up_to_a_count_and_the_page_says_so(app, client, world, login,
                                                            queries, monkeypatch):
    monkeypatch.setattr(stretch, "SERIES_MOST", 2)
    monday = next_monday()
    for n in range(3):
        make_event(world.org_a, world.contact, f"Weekly circle {n}",
                   starts_at=datetime.combine(monday, datetime.min.time(),
                                              tzinfo=borough_zone()) + timedelta(hours=10 + n),
                   repeats=("weekly", None, None), audience=Audience.PUBLIC)
    login(world.member)
    statements, built, _size, page = cost(client, queries,
                                          f"/calendar/week?week={monday.isoformat()}")
    assert len({title for title in re.findall(r"Weekly circle \d", page)}) == 2
    assert "More repeating events are on than this page reads" in page
    assert built <= stretch.SERIES_MOST + 1  # one past the count says there are more


def vevents(response) -> list[tuple[str, datetime]]:
    """(summary, start) of each event (not each changed occurrence) in a feed."""
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.get_data())
    return [(str(c["SUMMARY"]), c["DTSTART"].dt) for c in calendar.walk("VEVENT")
            if "RECURRENCE-ID" not in c]


@pytest.mark.parametrize("which", ["public", "private"])
def test_a_feed_holds_its_window_and_its_counts(app, client, world, monkeypatch, which):
    monkeypatch.setattr(stretch, "FEED_UPCOMING_MOST", 3)
    monkeypatch.setattr(stretch, "FEED_PAST_MOST", 2)
    monkeypatch.setattr(stretch, "FEED_SERIES_MOST", 1)
    soon = today() + timedelta(days=10)
    for n in range(5):  # upcoming: the three soonest are in it
        crowd(world, soon + timedelta(days=n), 1, f"Coming{n}")
    for n in range(4):  # held: the two latest
        crowd(world, today() - timedelta(days=10 + n), 1, f"Held{n}")
    crowd(world, today() + stretch.FEED_AHEAD + timedelta(days=5), 1, "Far ahead")
    crowd(world, today() - stretch.FEED_BACK - timedelta(days=5), 1, "Long ago")
    for n in range(2):
        make_event(world.org_a, world.contact, f"Series{n}", audience=Audience.PUBLIC,
                   starts_at=now() - timedelta(days=30 - n), repeats=("weekly", None, None))
    if which == "public":
        path = "/calendar/public.ics"
    else:
        path = f"/calendar/feed/{world.member.id}/{services.feed_token(world.member)}.ics"
    every = [title.split(" ")[0] for title, _start in vevents(client.get(path))]
    assert len(every) == 3 + 2 + 1 and not {"Far", "Long"} & set(every)
    if which == "public":  # the world's members' events are in the private one
        assert sorted(every) == ["Coming0", "Coming1", "Coming2", "Held0", "Held1", "Series1"]


def test_the_filter_offers_the_organisation_chosen_not_every_one(app, client, world, login,
                                                                queries):
    """As the board's: the organisation filter is there when one is chosen (an organisation's
    page links to its events), offering it and "any"; many organisations cost nothing."""
    from tests.test_bounds import SLACK, add_organisations

    login(world.member)
    paths = ["/calendar", "/calendar/week", "/calendar/month"]
    for path in paths:
        client.get(path)  # templates compiled
    few = [cost(client, queries, path) for path in paths]
    add_organisations(60)
    many = [cost(client, queries, path) for path in paths]
    for path, before, after in zip(paths, few, many, strict=True):
        assert after[0] == before[0], path  # the same queries
        assert after[2] <= before[2] + SLACK, (path, before[2], after[2])
        assert "Any organisation" not in after[3] and "Organisation 1" not in after[3]
    org = world.org_a
    assert f"/calendar?organisation={org.id}" in client.get(
        f"/organisations/{org.id}-{org.slug}").get_data(as_text=True)
    for path in paths:
        chosen = client.get(f"{path}?organisation={org.id}").get_data(as_text=True)
        assert re.search(rf'<option selected value="{org.id}">Alpha Tenants</option>|'
                         rf'value="{org.id}" selected', chosen), path
        assert "Any organisation" in chosen and "Organisation 1" not in chosen
    for owner, title in ((world.org_a, "Alpha fair"), (world.org_b, "Beta fair")):
        make_event(owner, world.contact, title, starts_at=now() + timedelta(days=2))
    chosen = client.get(f"/calendar?organisation={org.id}").get_data(as_text=True)
    assert "Alpha fair" in chosen and "Beta fair" not in chosen  # it filters


# --- the feeds built, kept by what they are made of ------------------------------------------

def test_a_feed_asked_again_is_not_built_again_and_never_stale(app, client, world, login,
                                                             monkeypatch):
    """The built feed is kept by the digest of every row it is made of (its ETag): asked
    again, it is not built again; a title changed with its time and version as they were (as
    a database wiped and filled again with other events under the same ids and times), or
    the same events under another feed's name, is another feed."""
    from network.calendar import feeds

    event = make_event(world.org_a, world.contact, "Summer fair", audience=Audience.PUBLIC,
                       starts_at=now() + timedelta(days=3))
    built = []
    monkeypatch.setattr(feeds, "built", feeds.Built(most=4, most_bytes=1_000_000))
    real = feeds.feed
    monkeypatch.setattr(feeds, "feed", lambda *args: built.append(args[1]) or real(*args))
    first = client.get("/calendar/public.ics")
    again = client.get("/calendar/public.ics")
    assert again.get_data() == first.get_data() and len(built) == 1
    assert again.headers["ETag"] == first.headers["ETag"]

    row = db.session.execute(select(Event.updated_at, Event.version)
                             .where(Event.id == event.id)).one()
    db.session.execute(update(Event.__table__).where(Event.id == event.id).values(
        title="Winter fair", updated_at=row.updated_at, version=row.version))
    db.session.commit()
    changed = client.get("/calendar/public.ics")
    assert "SUMMARY:Winter fair" in changed.get_data(as_text=True)
    assert "Summer fair" not in changed.get_data(as_text=True)
    assert changed.headers["ETag"] != first.headers["ETag"] and len(built) == 2

    # The same events in a person's own feed: its own name, its own body.
    login(world.member)
    address = f"/calendar/feed/{world.member.id}/{services.feed_token(world.member)}.ics"
    own = client.get(address)
    assert own.headers["ETag"] != changed.headers["ETag"] and len(built) == 3
    assert "your calendar" in own.get_data(as_text=True)


def test_the_feeds_kept_are_few_and_small():
    from network.calendar.feeds import Built

    kept = Built(most=2, most_bytes=10)
    assert kept.get("a", lambda: b"aaaa") == b"aaaa"
    assert kept.get("a", lambda: b"never built") == b"aaaa"
    kept.get("b", lambda: b"bbbb")
    kept.get("a", lambda: b"never built")  # a asked for lately: b goes first
    kept.get("c", lambda: b"cccc")  # two at most, and 10 bytes in all
    assert list(kept.kept) == ["a", "c"]
    kept.get("d", lambda: b"dddddddd")  # 8 bytes: a goes to keep it within 10
    assert list(kept.kept) == ["d"]
    assert kept.get("e", lambda: b"e" * 11) == b"e" * 11 and "e" not in kept.kept
