"""Pages that list what grows with the borough read a bounded part of it (issue 23): with many
rows made at once, a page's queries and compressed bytes stay what they are with a few, and
what it leaves out is a page, a link or a choice away."""

from __future__ import annotations

from network.extensions import db
from tests.factories import OrganisationFactory

SLACK = 64  # compressed bytes: the figures that change (a count, a page number) and gzip's


def sent(client, path: str) -> tuple[int, str]:
    response = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200, path
    return len(response.get_data()), response.get_data(as_text=False)


def text_of(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def add_seats(world, n: int, start: int) -> None:
    """Seats on the world's body that speak for the whole network (so for its member), made
    as rows at once."""
    from network.representation.models import Seat

    db.session.add_all(Seat(body_id=world.body.id, title=f"Network seat {i:03}")
                       for i in range(start, start + n))
    db.session.commit()


def add_organisations(n: int) -> None:
    db.session.add_all(OrganisationFactory.build_batch(n))
    db.session.commit()


def test_my_representatives_is_a_page_of_seats_however_many_speak_for_me(
        client, world, login, queries):
    login(world.member)
    add_seats(world, 25, 0)
    with queries() as few:
        few_bytes, _ = sent(client, "/representatives")
    add_seats(world, 75, 25)
    with queries() as many:
        many_bytes, _ = sent(client, "/representatives")
    assert len(many) == len(few) <= 10, "\n".join(many)
    assert many_bytes <= few_bytes + SLACK, (few_bytes, many_bytes)
    first = text_of(client, "/representatives")
    assert "Network seat 000" in first and "Network seat 019" in first
    assert "Network seat 020" not in first and "Page 1 of 6" in first
    assert "Network seat 099" in text_of(client, "/representatives?page=5")
    last = text_of(client, "/representatives?page=6")  # by title: 101 seats in all
    assert "Voluntary sector seat" in last and "Network seat" not in last


def test_the_board_offers_the_organisation_chosen_not_every_one(client, world, login,
                                                                 queries):
    login(world.member)
    with queries() as few:
        few_bytes, _ = sent(client, "/board")
    add_organisations(60)
    with queries() as many:
        many_bytes, _ = sent(client, "/board")
    assert len(many) == len(few) <= 10
    assert many_bytes <= few_bytes + SLACK, (few_bytes, many_bytes)
    assert "Any organisation" not in text_of(client, "/board")  # no choice of them all
    # The organisation's page links to its listings; the filter offers it and filters by it.
    org_page = text_of(client, f"/organisations/{world.org_a.id}-{world.org_a.slug}")
    assert f"/board?organisation={world.org_a.id}" in org_page
    chosen = text_of(client, f"/board?organisation={world.org_a.id}")
    assert f'<option selected value="{world.org_a.id}">Alpha Tenants</option>' in chosen \
        or f'value="{world.org_a.id}" selected' in chosen
    assert "Meeting room to share" in chosen and "Any organisation" in chosen
    assert "Organisation 1" not in chosen  # the one chosen, and any
    other = text_of(client, f"/board?organisation={world.org_b.id}")
    assert "Meeting room to share" not in other


def test_a_bookable_offers_page_reads_no_list_of_organisations(client, world, login, queries):
    """Its settle form only closes it: the organisations it might be matched with are not
    read (they were, every member organisation, and thrown away)."""
    login(world.contact)
    path = f"/board/l/{world.listing.id}-{world.listing.slug}"
    with queries() as few:
        few_bytes, _ = sent(client, path)
    add_organisations(60)
    with queries() as many:
        many_bytes, _ = sent(client, path)
    assert len(many) == len(few)
    assert many_bytes <= few_bytes + SLACK, (few_bytes, many_bytes)
    assert not any("FROM organisation WHERE organisation.status" in s for s in many), many


def add_requests(world, n: int, start: int) -> None:
    """Requests for rooms by Beta on the board (Alpha offers a room: each fits Alpha's
    member), made as rows at once."""
    from datetime import timedelta

    from network.board.models import Category, Listing, ListingKind
    from network.core.time import today

    db.session.add_all(Listing(
        organisation_id=world.org_b.id, created_by_id=world.other_member.id,
        kind=ListingKind.REQUEST, category=Category.ROOMS, title=f"Room wanted {i}",
        keywords="room wanted", expires_on=today() + timedelta(days=30))
        for i in range(start, start + n))
    db.session.commit()


def sqlite_steps(client, path: str) -> int:
    """SQLite's virtual machine steps (in hundreds) to serve the page: the database's work,
    counted, not timed."""
    import sqlalchemy as sa

    steps, used = [0], set()

    def count() -> int:
        steps[0] += 1
        return 0

    def listen(conn, cursor, statement, parameters, context, executemany):
        raw = conn.connection.driver_connection
        if raw not in used:
            used.add(raw)
            raw.set_progress_handler(count, 100)

    sa.event.listen(db.engine, "before_cursor_execute", listen)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listen)
        for raw in used:
            raw.set_progress_handler(None, 100)
    return steps[0]


def test_listings_that_fit_a_members_organisations_are_found_in_one_pass(client, world, login,
                                                                         queries):
    """Whether a listing answers one of the person's was asked of every listing on the board
    for each listing on the board: the database's work grew with the square of the board."""
    counted = db.engine.dialect.name == "sqlite"  # the steps are SQLite's
    login(world.member)
    add_requests(world, 20, 0)
    few = sqlite_steps(client, "/") if counted else 0
    add_requests(world, 100, 20)  # six times the listings
    many = sqlite_steps(client, "/") if counted else 0
    assert many <= few * 8, (few, many)  # linear at worst (square: 36 times)
    page = text_of(client, "/")
    assert "Room wanted 119" in page and "115 more" in page
