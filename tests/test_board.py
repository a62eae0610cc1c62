"""The sharing board: listings posted, found while typing, replied to in private, matched,
closed, renewed, left to expire, hidden; on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from network.board import reading, services
from network.board.models import (
    Category,
    Conversation,
    Listing,
    ListingKind,
    ListingStatus,
    Message,
)
from network.board.policies import board_access, listing_access
from network.core.audit import AuditEntry
from network.core.time import today
from network.extensions import db
from network.notify.models import Notification
from tests.factories import make_listing


def body(response) -> str:
    return response.get_data(as_text=True)


def count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def listing_form(world, **changes) -> dict:
    data = {"organisation": str(world.org_b.id), "kind": "request", "category": "rooms",
            "title": "A room for our youth club", "description": "Friday evenings, 20 young "
            "people.", "area": "", "urgency": "soon", "submission": "k" * 20}
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


# --- the board -----------------------------------------------------------------------------------

def test_the_board_shows_open_listings_and_not_the_rest(client, world, login):
    hall = make_listing(world.org_a, world.contact, "Church hall to share")
    gone = make_listing(world.org_a, world.contact, "Old chairs", expires_on=today())
    gone.expires_on = today() - timedelta(days=1)
    settled = make_listing(world.org_a, world.contact, "Projector")
    services.settle(settled, ListingStatus.CLOSED, None, world.contact)
    hidden = make_listing(world.org_b, world.other_member, "Something rude")
    services.hide(hidden, "Not a real offer.", world.coordinator)
    db.session.commit()
    assert "/login" in client.get("/board").headers["Location"]
    login(world.member)
    page = body(client.get("/board"))
    assert hall.title in page
    for title in ("Old chairs", "Projector", "Something rude"):
        assert title not in page
    organisation_page = body(client.get(f"/organisations/{world.org_a.id}-{world.org_a.slug}"))
    assert "Old chairs" in organisation_page and "Projector" in organisation_page


def test_the_board_filters_and_sorts_and_the_address_holds_it(client, world, login):
    make_listing(world.org_a, world.contact, "Hall to share", category=Category.ROOMS,
                 expires_on=today() + timedelta(days=50))
    make_listing(world.org_a, world.contact, "Van to lend", category=Category.TRANSPORT,
                 expires_on=today() + timedelta(days=3))
    make_listing(world.org_b, world.other_member, "Room wanted", kind=ListingKind.REQUEST,
                 category=Category.ROOMS)
    login(world.member)
    rooms = body(client.get("/board?category=rooms"))
    assert "Hall to share" in rooms and "Room wanted" in rooms and "Van to lend" not in rooms
    offers = body(client.get("/board?category=rooms&kind=offer"))
    assert "Hall to share" in offers and "Room wanted" not in offers
    soonest = body(client.get("/board?sort=expiring"))
    assert soonest.index("Van to lend") < soonest.index("Hall to share")
    fragment = client.get("/board?kind=request", headers={"HX-Request": "true",
                                                          "HX-Target": "results"})
    assert "<html" not in body(fragment) and "Room wanted" in body(fragment)
    assert client.get("/board?category=banana").status_code == 422


def test_the_board_offers_posting_to_those_who_act_for_an_organisation(client, world, login):
    """board_access decides the board's links: posting for whoever acts for an organisation
    (coordinators for any), the bookings for them and the coordinators."""
    for person, post in ((world.member, True), (world.other_member, True),
                         (world.coordinator, True), (world.associate, False)):
        access = board_access(person)
        assert (access.post, access.bookings) == (post, post), person.email
        login(person)
        page = body(client.get("/board"))
        assert ("Offer or ask for something" in page) is post
        assert ('href="/board/bookings"' in page) is post
        client.post("/logout")


def test_someone_in_no_organisation_is_told_replies_come_from_organisations(
        client, world, login):
    listing = make_listing(world.org_a, world.contact, "Church hall to share")
    told = "Replies come from member organisations"
    # A coordinator in no organisation reads replies but writes none in a group's name.
    for person, tells in ((world.associate, True), (world.coordinator, True),
                          (world.other_member, False), (world.member, False)):
        assert listing_access(person, listing).reply_through_a_group is tells, person.email
        login(person)
        assert (told in body(client.get(reading.listing_path(listing)))) is tells
        client.post("/logout")
    services.settle(listing, ListingStatus.CLOSED, None, world.contact)
    db.session.commit()
    assert listing_access(world.associate, listing).reply_through_a_group is False


# --- posting, and what is found while typing -----------------------------------------------------

def test_a_request_being_written_shows_matching_offers_with_and_without_javascript(
        client, world, login):
    make_listing(world.org_a, world.contact, "Community hall for meetings",
                 description="Evenings, up to 40 people, kitchen.", category=Category.ROOMS)
    make_listing(world.org_a, world.contact, "Minibus to lend", category=Category.TRANSPORT)
    make_listing(world.org_a, world.contact, "Room wanted too", kind=ListingKind.REQUEST,
                 category=Category.ROOMS)  # a request too: not what a request looks for
    login(world.other_member)
    typed = client.get("/board/new?kind=request&category=rooms&title=hall+for+our+meeting",
                       headers={"HX-Request": "true", "HX-Target": "matches"})
    found = body(typed)
    assert "<html" not in found
    assert "Community hall for meetings" in found
    assert "Minibus to lend" not in found and "Room wanted too" not in found
    before = count(Listing)
    checked = client.post("/board/new", data=listing_form(world, title="Hall for a meeting",
                                                          check="1"))
    assert checked.status_code == 200
    assert "Community hall for meetings" in body(checked)
    assert 'value="Hall for a meeting"' in body(checked)  # what was typed is kept
    assert count(Listing) == before


def test_matches_are_posted_as_typed_so_a_long_description_is_no_address_too_long(
        client, world, login, queries):
    """htmx posts the form's fields (a description of 5,000 characters makes a GET address
    longer than servers take: 414), and gets the #matches block alone, in as many queries
    for a hundred offers in as many areas as for a few."""
    from network.board.models import DESCRIPTION_MAX
    from tests.factories import AreaFactory, OrganisationFactory, PersonFactory

    login(world.other_member)
    form = body(client.get("/board/new"))
    panel = re.search(r'<section id="matches"[^>]*>', form).group(0)
    assert 'hx-post="/board/new"' in panel and "hx-get" not in panel
    assert "check" in panel and "data-failed=" in panel
    description = ("Evenings for a cooking class with a kitchen, " * 200)[:DESCRIPTION_MAX]
    assert len(description) == DESCRIPTION_MAX
    before = count(Listing)

    def look():
        return client.post("/board/new", data=listing_form(
            world, title="A kitchen wanted", description=description, check="1"),
            headers={"HX-Request": "true", "HX-Target": "matches"})

    for number in range(3):
        make_listing(OrganisationFactory(), PersonFactory(), f"Kitchen {number} to share",
                     category=Category.ROOMS, area_id=AreaFactory().id)
    with queries() as few:
        typed = look()
    assert typed.status_code == 200
    assert "<html" not in body(typed) and "Kitchen 2 to share" in body(typed)
    for number in range(100):
        make_listing(OrganisationFactory(), PersonFactory(), f"Kitchen {number} to lend",
                     category=Category.ROOMS, area_id=AreaFactory().id)
    with queries() as many:
        assert look().status_code == 200
    assert len(many) == len(few) <= 10, "\n".join(many)
    assert count(Listing) == before + 103


def test_posting_puts_it_on_the_board_once_with_the_default_expiry(client, world, login):
    login(world.other_member)
    before = count(Listing)
    first = client.post("/board/new", data=listing_form(world))
    again = client.post("/board/new", data=listing_form(world))
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert count(Listing) == before + 1
    listing = db.session.scalar(select(Listing).order_by(Listing.id.desc()))
    assert listing.expires_on == today() + timedelta(days=60)
    assert listing.organisation_id == world.org_b.id
    assert "room" in listing.keywords.split() and "youth" in listing.keywords.split()
    assert "A room for our youth club" in body(client.get("/board"))


def days_on(days: int) -> str:
    """The day that many days from today, as a date picker sends it."""
    return (today() + timedelta(days=days)).isoformat()


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"expires_on": "2020-01-01"}, "expires_on", "Give a day from today, "),
    ({"expires_on": 366}, "expires_on", "a listing stays up to a year"),
    ({"available_from": 40, "available_until": 30}, "available_until",
     "on or after the first"),
    ({"available_from": "1900-01-01"}, "available_from", "Give a day from "),
    ({"available_from": "9999-12-31"}, "available_from", "Give a day from "),
    ({"available_until": -1}, "available_until", "Give a day from today, "),
    ({"available_until": "9999-12-31"}, "available_until", "Give a day from today, "),
    ({"available_from": "2030-02-30"}, "available_from", "Give a real date"),
    ({"category": ""}, "category", "Choose what kind of thing"),
    ({"title": ""}, "title", None),
    ({"kind": "gift"}, "kind", "Choose offer or request"),
    ({"organisation": "1"}, "organisation", "Choose one of your organisations"),
], ids=["expiry-past", "expiry-beyond-a-year", "until-before-from", "from-1900", "from-9999",
        "until-past", "until-9999", "impossible-date", "no-category", "no-title", "odd-kind",
        "someone-elses-organisation"])
def test_bad_listings_are_refused_beside_the_field_and_nothing_saved(
        client, world, login, changes, field, message):
    """Days as numbers are that many days from today."""
    changes = {name: days_on(value) if isinstance(value, int) else value
               for name, value in changes.items()}
    login(world.other_member)  # of org_b; org_a's id is 1
    assert world.org_a.id == 1
    before = count(Listing)
    response = client.post("/board/new", data=listing_form(world, **changes))
    assert response.status_code == 422
    error = re.search(rf'id="{field}-error"[^>]*>(.*?)</', body(response), re.S)
    assert error, body(response)[:300]
    if message:
        assert message in error.group(1)
    assert count(Listing) == before


def test_the_details_say_their_limit_and_longer_is_refused_beside_them_never_cut(
        client, world, login):
    """The box stops at 5,000 characters (a long paste is cut there by the browser): its hint
    says so. Longer, sent where the box's limit does not hold, is told beside it with its
    length, and kept in full to shorten; nothing is saved."""
    from network.board.models import DESCRIPTION_MAX

    chairs = make_listing(world.org_b, world.other_member, "Spare chairs")
    login(world.other_member)
    for form in (body(client.get("/board/new")),
                 body(client.get(f"/board/l/{chairs.id}/edit"))):
        hint = re.search(r'<p class="hint" id="description-hint">([^<]*)</p>', form).group(1)
        assert hint.endswith("Up to 5,000 characters."), hint
        assert re.search(r'<textarea[^>]*maxlength="5000"', form)
    before = count(Listing)
    pasted = "A warm room on Friday evenings. " * 200  # 6,400 characters
    refused = client.post("/board/new", data=listing_form(world, description=pasted))
    assert refused.status_code == 422
    error = re.search(r'id="description-error"[^>]*>([^<]*)<', body(refused)).group(1)
    assert error == "Keep this to 5,000 characters or fewer: it has 6,399."
    kept = re.search(r'<textarea[^>]*id="description"[^>]*>(.*?)</textarea>', body(refused),
                     re.S).group(1)
    assert kept.strip() == pasted.strip()
    assert count(Listing) == before
    # Line breaks count once, as the box counts them, though a browser sends two characters.
    lines = ("x" * 49 + "\r\n") * (DESCRIPTION_MAX // 50)
    assert client.post("/board/new", data=listing_form(
        world, description=lines, submission="m" * 20)).status_code == 303
    posted = db.session.scalar(select(Listing).order_by(Listing.id.desc()))
    assert posted.description == lines.replace("\r\n", "\n").strip()


def test_associates_and_visitors_cannot_post(client, world, login):
    before = count(Listing)
    assert "/login" in client.post("/board/new", data=listing_form(world)).headers["Location"]
    login(world.associate)
    assert client.post("/board/new", data=listing_form(world)).status_code == 403
    assert client.get("/board").status_code == 200  # they read it
    assert count(Listing) == before


# --- matching ------------------------------------------------------------------------------------

def test_matching_ranks_the_same_area_first_then_the_borough_then_other_areas(app, world):
    """A request in the north sees a southern hall a few streets away, below the northern
    ones and those for anywhere in the borough; within each, words in common, then newest,
    and those of the category with no word in common last."""
    north, south = world.north, world.south
    best = make_listing(world.org_a, world.contact, "Big hall with kitchen",
                        description="Meeting hall, chairs and kitchen", area_id=north.id)
    some = make_listing(world.org_a, world.contact, "Small hall", area_id=None)
    elsewhere = make_listing(world.org_a, world.contact, "Hall with kitchen in the south",
                             area_id=south.id)
    shed = make_listing(world.org_a, world.contact, "Garden shed", area_id=north.id)
    found = reading.matching(ListingKind.REQUEST, Category.ROOMS, north.id,
                              "We need a hall with a kitchen for meetings")
    # The shed shares no word: last of the north's. The world's "Meeting room to share" (any
    # area) shares "meeting": after "Small hall", which is newer and shares as many words.
    # The southern hall shares two words, more than either, and comes after them.
    assert [listing.id for listing in found] == [best.id, shed.id, some.id, world.listing.id,
                                                 elsewhere.id]
    in_the_south = reading.matching(ListingKind.REQUEST, Category.ROOMS, south.id,
                                     "hall kitchen")
    assert [listing.id for listing in in_the_south] == [elsewhere.id, some.id,
                                                        world.listing.id, best.id, shed.id]
    anywhere = reading.matching(ListingKind.REQUEST, Category.ROOMS, None, "hall kitchen")
    assert [listing.id for listing in anywhere] == [elsewhere.id, best.id, some.id, shed.id,
                                                    world.listing.id]
    assert reading.matching(ListingKind.REQUEST, Category.ROOMS, None, "hall",
                             organisation_id=world.org_a.id) == []


def test_a_request_for_a_room_sees_the_halls_of_its_category_with_no_word_in_common(
        client, world, login):
    """"Room for the youth forum" in Northbank shares no word with the Northbank "Community
    hall for meetings": it is shown, below what shares a word in the same area, and above
    what shares one elsewhere; nothing of another category or kind is."""
    north, south = world.north, world.south
    hall = make_listing(world.org_a, world.contact,
                        "Community hall for meetings, up to 40 people",
                        description="Weekday evenings, step-free, a kitchen.", area_id=north.id)
    room = make_listing(world.org_a, world.contact, "Back room with a projector",
                        area_id=north.id)
    far = make_listing(world.org_a, world.contact, "Room above the library", area_id=south.id)
    make_listing(world.org_a, world.contact, "Youth forum minibus", category=Category.TRANSPORT,
                 area_id=north.id)
    make_listing(world.org_a, world.contact, "Youth forum room wanted", area_id=north.id,
                 kind=ListingKind.REQUEST)
    found = reading.matching(ListingKind.REQUEST, Category.ROOMS, north.id,
                              "Room for the youth forum")
    # The world's "Meeting room to share" is for anywhere in the borough.
    assert [listing.id for listing in found] == [room.id, hall.id, world.listing.id, far.id]
    login(world.other_member)
    typed = body(client.get(f"/board/new?kind=request&category=rooms&area={north.id}"
                            "&title=Room+for+the+youth+forum",
                            headers={"HX-Request": "true", "HX-Target": "matches"}))
    assert typed.index("Back room with a projector") < typed.index(
        "Community hall for meetings, up to 40 people") < typed.index("Room above the library")
    assert "minibus" not in typed and "room wanted" not in typed


def test_keywords_leave_out_common_words_and_make_plurals_singular():
    assert reading.keywords_of("We need some rooms for the classes", "Rooms!") == \
        "room classe"
    assert reading.keywords_of("a an the") == ""


# --- replies: private conversations --------------------------------------------------------------

def test_a_reply_opens_a_conversation_only_its_two_organisations_read(client, world, login):
    hall = make_listing(world.org_a, world.contact, "Hall to share")
    messages = count(Message)
    login(world.other_member)
    response = client.post(f"/board/l/{hall.id}/reply", data={
        "organisation": str(world.org_b.id), "body": "Could we use it on Fridays?",
        "submission": "r" * 20})
    assert response.status_code == 303
    conversation = db.session.scalar(select(Conversation).where(
        Conversation.listing_id == hall.id))
    assert conversation.organisation_id == world.org_b.id
    assert "Could we use it on Fridays?" in body(client.get(response.headers["Location"]))
    told = db.session.scalars(select(Notification).where(
        Notification.person_id == world.contact.id)).all()
    assert any("Hall to share" in n.subject for n in told)
    address = f"/board/c/{conversation.id}"
    for person, seen in ((world.contact, True), (world.member, True),
                         (world.coordinator, True), (world.associate, False)):
        other = client.application.test_client()
        login(person, c=other)
        response = other.get(address)
        assert (response.status_code == 200) is seen, person.email
        if not seen:
            assert response.status_code == 404 and "Fridays" not in body(response)
    owner = client.application.test_client()
    login(world.contact, c=owner)
    answer = owner.post(address, data={"body": "Yes, from 6pm.", "submission": "a" * 20})
    assert answer.status_code == 303
    assert count(Message) == messages + 2
    assert any("Hall to share" in n.subject for n in db.session.scalars(
        select(Notification).where(Notification.person_id == world.other_member.id)))


def test_replying_to_ones_own_listing_is_refused_with_a_message(client, world, login):
    hall = make_listing(world.org_a, world.contact, "Hall to share")
    login(world.member)  # of org_a
    before = count(Conversation), count(Message)
    response = client.post(f"/board/l/{hall.id}/reply", data={
        "organisation": str(world.org_a.id), "body": "Me again", "submission": "s" * 20})
    assert response.status_code == 422
    assert "your own organisation" in body(response)
    assert (count(Conversation), count(Message)) == before


# --- matched, closed, renewed, expiring ----------------------------------------------------------

def test_marking_it_matched_takes_it_off_the_board_and_counts_as_shared(client, world, login):
    hall = make_listing(world.org_a, world.contact, "Hall to share")
    login(world.contact)
    refused = client.post(f"/board/l/{hall.id}/settle", data={"outcome": "matched"})
    assert refused.status_code == 422 and "which organisation" in body(refused)
    response = client.post(f"/board/l/{hall.id}/settle", data={
        "outcome": "matched", "matched_with": str(world.org_b.id)})
    assert response.status_code == 303
    db.session.refresh(hall)
    assert hall.status == ListingStatus.MATCHED and hall.matched_with_id == world.org_b.id
    board = body(client.get("/board"))
    assert "Hall to share" not in board and "1 thing shared this year" in board
    for org in (world.org_a, world.org_b):
        page = body(client.get(f"/organisations/{org.id}-{org.slug}"))
        assert "1 thing shared this year" in page


def test_renewing_is_for_the_listings_organisation(client, world, login):
    hall = make_listing(world.org_a, world.contact, "Hall to share",
                        expires_on=today() + timedelta(days=3))
    login(world.other_member)
    assert client.post(f"/board/l/{hall.id}/state", data={"action": "renew"}).status_code \
        == 403
    db.session.refresh(hall)
    assert hall.expires_on == today() + timedelta(days=3)
    member = client.application.test_client()
    login(world.member, c=member)
    assert member.post(f"/board/l/{hall.id}/state", data={"action": "renew"}).status_code \
        == 303
    db.session.refresh(hall)
    assert hall.expires_on == today() + timedelta(days=60)


def test_owners_are_told_a_week_before_their_listing_leaves_the_board_once(app, world):
    from click.testing import CliRunner

    from network.cli import board_remind

    soon = make_listing(world.org_a, world.contact, "Hall to share",
                        expires_on=today() + timedelta(days=6))
    make_listing(world.org_a, world.contact, "Chairs", expires_on=today() + timedelta(days=30))
    runner = CliRunner()
    first = runner.invoke(board_remind, obj=None, catch_exceptions=False)
    assert "1 " in first.output
    second = runner.invoke(board_remind, catch_exceptions=False)
    assert "0 " in second.output
    notices = db.session.scalars(select(Notification).where(
        Notification.person_id == world.contact.id)).all()
    assert [n.subject for n in notices if "leaves the board" in n.subject] == [
        f"Your listing “{soon.title}” leaves the board on "
        f"{soon.expires_on.day} {soon.expires_on:%B %Y}: renew it if it is still open"]


# --- hiding --------------------------------------------------------------------------------------

def test_a_coordinator_hides_a_listing_with_a_reason_and_restores_it(client, world, login):
    odd = make_listing(world.org_b, world.other_member, "Cheap loans!!")
    login(world.coordinator)
    refused = client.post(f"/board/l/{odd.id}/hide", data={"reason": ""})
    assert refused.status_code == 422
    assert client.post(f"/board/l/{odd.id}/hide", data={
        "reason": "Not something members share."}).status_code == 303
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "listing.hide"))
    member = client.application.test_client()
    login(world.member, c=member)
    assert member.get(f"/board/l/{odd.id}").status_code == 404
    assert "Cheap loans" not in body(member.get("/board"))
    owner = client.application.test_client()
    login(world.other_member, c=owner)
    page = body(owner.get(f"/board/l/{odd.id}-cheap-loans"))
    assert "Not something members share." in page
    assert any("hidden" in n.subject for n in db.session.scalars(select(Notification).where(
        Notification.person_id == world.other_member.id)))
    assert client.post(f"/board/l/{odd.id}/state", data={"action": "restore"}).status_code \
        == 303
    assert "Cheap loans" in body(member.get("/board"))


def test_a_member_cannot_hide(client, world, login):
    odd = make_listing(world.org_b, world.other_member, "Cheap loans!!")
    login(world.member)
    assert client.post(f"/board/l/{odd.id}/hide", data={"reason": "x"}).status_code == 403
    assert client.post(f"/board/l/{odd.id}/state", data={"action": "restore"}).status_code \
        == 403
    db.session.refresh(odd)
    assert odd.hidden_at is None


def test_a_listing_is_on_the_board_to_the_end_of_its_last_day(app, world):
    last_day = make_listing(world.org_a, world.contact, "Last day", expires_on=today())
    gone = make_listing(world.org_a, world.contact, "Gone", expires_on=today())
    gone.expires_on = today() - timedelta(days=1)
    db.session.commit()
    on = db.session.scalars(select(Listing).where(*reading.on_board())).all()
    assert last_day in on and gone not in on


def test_an_expired_listing_can_be_corrected_without_choosing_a_new_day(client, world, login):
    old = make_listing(world.org_a, world.contact, "Old chairs")
    old.expires_on = today() - timedelta(days=3)
    db.session.commit()
    login(world.contact)
    response = client.post(f"/board/l/{old.id}/edit", data={
        "organisation": str(world.org_a.id), "kind": "offer", "category": "equipment",
        "title": "Old chairs, 20 of them", "urgency": "whenever", "area": "",
        "expires_on": old.expires_on.isoformat(), "version": str(old.version)})
    assert response.status_code == 303
    db.session.refresh(old)
    assert old.title == "Old chairs, 20 of them" and old.expires_on < today()
    moved = client.post(f"/board/l/{old.id}/edit", data={
        "organisation": str(world.org_a.id), "kind": "offer", "category": "equipment",
        "title": "Old chairs", "urgency": "whenever", "area": "", "version": str(old.version),
        "expires_on": (today() - timedelta(days=1)).isoformat()})
    assert moved.status_code == 422 and "Give a day from today, " in body(moved)


def test_a_listing_with_days_from_before_the_ranges_is_changed_and_closed_as_it_is(
        client, world, login):
    """Days a listing had before dates were given a range (from 1 January 1900, on the
    board until 9999) show, are kept when it is changed, and it can be closed; a new day
    out of range is refused beside its field."""
    from datetime import date

    old = make_listing(world.org_a, world.contact, "Old chairs")
    old.available_from, old.available_until = date(1900, 1, 1), date(9999, 12, 31)
    old.expires_on = date(9999, 12, 31)
    db.session.commit()
    login(world.contact)
    page = body(client.get(f"/board/l/{old.id}-old-chairs"))
    assert "from 1 January 1900" in page and "until 31 December 9999" in page
    form = {"organisation": str(world.org_a.id), "kind": "offer", "category": "rooms",
            "title": "Old chairs, 20 of them", "urgency": "whenever", "area": "",
            "available_from": "1900-01-01", "available_until": "9999-12-31",
            "expires_on": "9999-12-31", "version": str(old.version)}
    assert 'value="1900-01-01"' in body(client.get(f"/board/l/{old.id}/edit"))
    assert client.post(f"/board/l/{old.id}/edit", data=form).status_code == 303
    db.session.refresh(old)
    assert (old.title, old.available_from, old.expires_on) == (
        "Old chairs, 20 of them", date(1900, 1, 1), date(9999, 12, 31))
    moved = client.post(f"/board/l/{old.id}/edit", data={
        **form, "available_from": "1900-01-02", "version": str(old.version)})
    assert moved.status_code == 422
    assert re.search(r'id="available_from-error"[^>]*>Give a day from ', body(moved))
    assert client.post(f"/board/l/{old.id}/settle", data={"outcome": "closed"}
                       ).status_code == 303
    db.session.refresh(old)
    assert old.status == ListingStatus.CLOSED


def test_after_a_listing_is_settled_its_conversation_stays_in_reach(client, world, login):
    """The replier keeps the way to what was agreed; the shared-with organisation is told and
    finds what it received on its own page; both organisations' contacts hear of replies."""
    hall = make_listing(world.org_a, world.member, "Hall to share")
    login(world.other_member)
    client.post(f"/board/l/{hall.id}/reply", data={
        "organisation": str(world.org_b.id), "body": "Fridays?", "submission": "f" * 20})
    talk = db.session.scalar(select(Conversation).where(Conversation.listing_id == hall.id))
    # org_a's contact hears of it, though a member of org_a posted the listing.
    assert any("Hall to share" in n.subject for n in db.session.scalars(select(
        Notification).where(Notification.person_id == world.contact.id)))
    owner = client.application.test_client()
    login(world.member, c=owner)
    owner.post(f"/board/l/{hall.id}/settle", data={"outcome": "matched",
                                                   "matched_with": str(world.org_b.id)})
    page = body(client.get(f"/board/l/{hall.id}-hall-to-share"))
    assert f'href="/board/c/{talk.id}"' in page
    assert any("shared with your organisation" in n.subject for n in db.session.scalars(
        select(Notification).where(Notification.person_id == world.other_member.id)))
    received = body(client.get(f"/organisations/{world.org_b.id}-{world.org_b.slug}"))
    assert "Hall to share" in received and world.org_a.name in received


def test_a_coordinator_reads_conversations_but_writes_in_no_groups_name(client, world, login):
    hall = make_listing(world.org_b, world.other_member, "Van to lend")
    login(world.coordinator)
    page = body(client.get(f"/board/l/{hall.id}-van-to-lend"))
    assert 'action="/board/l/' + str(hall.id) + '/reply' not in page
    before = count(Conversation)
    response = client.post(f"/board/l/{hall.id}/reply", data={
        "organisation": str(world.org_a.id), "body": "Hello", "submission": "c" * 20})
    assert response.status_code == 403 and count(Conversation) == before
    assert client.get(f"/board/c/{world.conversation.id}").status_code == 200


def test_a_hidden_listing_offers_its_owner_no_renewal_and_says_it_is_hidden(client, world,
                                                                          login):
    odd = make_listing(world.org_b, world.other_member, "Raffle")
    services.hide(odd, "Not a thing we share.", world.coordinator)
    db.session.commit()
    login(world.other_member)
    page = body(client.get(f"/board/l/{odd.id}-raffle"))
    assert "Renew" not in page and "On the board until" not in page
    org_page = body(client.get(f"/organisations/{world.org_b.id}-{world.org_b.slug}"))
    assert re.search(r"Raffle</a> <span class=\"badge warn\">Hidden", org_page)


def test_offer_or_request_must_be_chosen(client, world, login):
    login(world.other_member)
    before = count(Listing)
    response = client.post("/board/new", data=listing_form(world, kind=""))
    assert response.status_code == 422 and "Choose offer or request." in body(response)
    assert count(Listing) == before


# --- doing it again ------------------------------------------------------------------------------

def traces() -> tuple[int, int, int]:
    """Rows a change leaves: notifications, emails queued, audit entries."""
    from network.core.mail import OutboxEmail

    return count(Notification), count(OutboxEmail), count(AuditEntry)


def flashed(client, response) -> str:
    return body(client.get(response.headers["Location"]))


@pytest.mark.parametrize(("who", "setup", "path", "data", "already"), [
    ("coordinator", None, "hide", {"reason": "Not\r\nsomething we share."},
     "This listing is already hidden."),
    ("coordinator", "hidden", "state", {"action": "restore"}, "This listing is not hidden."),
    ("contact", None, "settle", {"outcome": "matched", "matched_with": "org_b"},
     "It is already marked matched."),
    ("contact", None, "settle", {"outcome": "closed"}, "It is already marked closed."),
    ("contact", None, "state", {"action": "renew"}, "It is already on the board until "),
    ("contact", "closed", "state", {"action": "reopen"}, "It is already open."),
], ids=["hide", "restore", "matched", "closed", "renew", "reopen"])
def test_doing_it_again_changes_nothing_tells_no_one_and_says_so(client, world, login, who,
                                                                 setup, path, data, already):
    hall = make_listing(world.org_a, world.member, "Hall to share",
                        expires_on=today() + timedelta(days=3))
    if setup == "hidden":
        services.hide(hall, "Not ours.", world.coordinator)
    elif setup == "closed":
        services.settle(hall, ListingStatus.CLOSED, None, world.contact)
    db.session.commit()
    data = {name: str(world.org_b.id) if value == "org_b" else value
            for name, value in data.items()}
    login(getattr(world, who))
    first = client.post(f"/board/l/{hall.id}/{path}", data=data)
    assert first.status_code == 303
    done = traces()
    db.session.refresh(hall)
    state = (hall.status, hall.hidden_at, hall.expires_on, hall.settled_at, hall.version)
    again = client.post(f"/board/l/{hall.id}/{path}", data=data)
    assert again.status_code == 303
    assert traces() == done
    db.session.refresh(hall)
    assert (hall.status, hall.hidden_at, hall.expires_on, hall.settled_at,
            hall.version) == state
    assert already in flashed(client, again)


def test_renewing_never_shortens_a_listing_chosen_to_stay_longer(client, world, login):
    hall = make_listing(world.org_a, world.contact, "Hall to share",
                        expires_on=today() + timedelta(days=200))
    login(world.contact)
    before = traces()
    response = client.post(f"/board/l/{hall.id}/state", data={"action": "renew"})
    db.session.refresh(hall)
    assert hall.expires_on == today() + timedelta(days=200) and traces() == before
    assert "It is already on the board until " in flashed(client, response)


def test_the_services_change_nothing_the_second_time(app, world):
    """As when two people press the same button at once: the second finds it done."""
    hall = make_listing(world.org_a, world.contact, "Hall to share",
                        expires_on=today() + timedelta(days=3))
    for change, args in (
            (services.hide, (hall, "Not ours.", world.coordinator)),
            (services.restore, (hall, world.coordinator)),
            (services.renew, (hall, world.contact)),
            (services.settle, (hall, ListingStatus.MATCHED, world.org_b.id, world.contact)),
            (services.reopen, (hall, world.contact))):
        assert change(*args) is True, change.__name__
        db.session.commit()
        before = traces()
        assert change(*args) is False, change.__name__
        db.session.commit()
        assert traces() == before, change.__name__
