"""Every POST form, as every role, filled by Hypothesis with random and hostile values: dates
from the year 1 to 9999, numbers huge and negative, any Unicode, control characters, very long
text, nothing at all. No answer is a 5xx, and nothing the form's rules forbid is stored: no day
beyond its field's reach (core.fields.DayWithin, the figures each form gives), no text longer
than its column, no control character.

The forms are found as tests/test_odd_input.py finds them: every page as the role, each POST
form on it (one of each kind: the same endpoint with the same fields is the same form). The walk
is made once per role and reused on the other database (the world's ids are the same on both).
The first role to find a form sends it `EXAMPLES` times with any field wild, and as many again
with each of its days wild; every other role that finds it sends it once. Hypothesis draws the
values deterministically (derandomize, no example database), with no deadline. Examples are not
undone: what one form stored, the next finds, as a person's session would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from io import BytesIO
from urllib.parse import urlsplit

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException

from network.board import forms as board_forms
from network.board.models import Booking, Listing
from network.calendar import forms as calendar_forms
from network.calendar.models import Event, OccurrenceChange
from network.core.time import local, today
from network.extensions import db
from network.representation import forms as representation_forms
from network.representation.models import Action, Question, Term
from tests.factories import PASSWORD
from tests.urls import endpoints, url

ROLES = ["visitor", "associate", "member", "other_member", "contact", "coordinator", "admin"]
# Walking every page costs more than sending every form: the roles whose pages differ little
# from another's send that one's forms (an associate a member's, refused where they may not).
WALKED_AS = {"associate": "member", "other_member": "member", "coordinator": "admin"}
# Each form sent so many times per role: the walk on SQLite costs the most, and PostgreSQL
# finds what SQLite lets pass (text longer than its column, NUL, integers beyond 64 bits).
EXAMPLES = {"sqlite": 3, "postgresql": 1}
# They would end the role's login, or close an account of the world's (one's own, with the
# password a well-formed example gives; a coordinator's closing of the member) for every role
# after: tests/test_closing.py sends them.
LEFT_ALONE = {"auth.logout", "auth.end_other_sessions", "privacy.close_account",
              "privacy.close_for"}
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
OMIT = object()  # the field not sent at all


# --- the forms of every page --------------------------------------------------------------------

@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # an input's type, "textarea", "select" or "button"
    value: str | None  # what the page put in it (None: nothing, or not ticked)
    options: tuple[str, ...] = ()
    required: bool = False


@dataclass
class PostForm:
    endpoint: str
    action: str
    fields: dict[str, list[Field]] = field(default_factory=dict)
    page: str = ""  # where it was found

    def add(self, found: Field) -> None:
        self.fields.setdefault(found.name, []).append(found)

    @property
    def key(self) -> tuple:
        return self.endpoint, tuple(sorted(self.fields))


class Forms(HTMLParser):
    """The POST forms of a page, with every field a person (or a forger) could send."""

    def __init__(self, page_path: str) -> None:
        super().__init__()
        self.page_path = page_path
        self.forms: list[PostForm] = []
        self._form: PostForm | None = None
        self._select: tuple[str, list[str], list[str]] | None = None
        self._textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        a = {name: value or "" for name, value in attrs}
        name, required = a.get("name"), "required" in a
        if tag == "form":
            is_post = a.get("method", "get").lower() == "post"
            self._form = PostForm("", a.get("action") or self.page_path) if is_post else None
            if self._form is not None:
                self.forms.append(self._form)
        elif tag == "option" and self._select is not None:
            self._select[1].append(a.get("value", ""))
            if "selected" in a:
                self._select[2].append(a.get("value", ""))
        elif self._form is None or not name:
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                self._form.add(Field(name, kind, a.get("value", "on") if "checked" in a
                                     else None, (a.get("value", "on"),), required))
            elif kind == "file":
                self._form.add(Field(name, kind, None, (a.get("accept", ""),), required))
            elif kind == "date":  # its reach, when it has one: the first and last day
                self._form.add(Field(name, kind, a.get("value"), tuple(
                    a[edge] for edge in ("min", "max") if edge in a), required))
            elif kind not in ("submit", "reset", "image"):
                self._form.add(Field(name, kind, a.get("value"), (), required))
            elif "value" in a:
                self._form.add(Field(name, "button", None, (a["value"],)))
        elif tag == "button" and "value" in a:
            self._form.add(Field(name, "button", None, (a["value"],)))
        elif tag == "textarea":
            self._textarea = [name, "", required]
        elif tag == "select":
            self._select = (name, [], [])

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, text, required = self._textarea
            self._form.add(Field(name, "textarea", text.lstrip("\r\n"), (), required))
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, values, chosen = self._select
            self._form.add(Field(name, "select", chosen[0] if chosen else None,
                                 tuple(values)))
            self._select = None


def post_endpoint(app, action: str) -> str | None:
    try:
        endpoint, _args = app.url_map.bind("localhost").match(urlsplit(action).path,
                                                              method="POST")
    except HTTPException:
        return None
    return endpoint


# The forms each role finds, walked once (on the first database) and reused on the other.
_walked: dict[str, list[PostForm]] = {}


def forms_of(app, world, login, role: str) -> list[PostForm]:
    """The POST forms on every page as the role sees it, one of each kind."""
    if role in _walked:
        return _walked[role]
    client = app.test_client()
    if role != "visitor":
        login(getattr(world, role), c=client)
    found: dict[tuple, PostForm] = {}
    for endpoint, methods in sorted(endpoints(app).items()):
        if "GET" not in methods:
            continue
        path = url(app, endpoint, world)
        page = client.get(path)
        if page.status_code != 200 or b'method="post"' not in page.data:
            continue
        parser = Forms(urlsplit(path).path)
        parser.feed(page.get_data(as_text=True))
        for form in parser.forms:
            form.endpoint = post_endpoint(app, form.action) or form.action
            form.page = path
            if form.endpoint not in LEFT_ALONE:
                found.setdefault(form.key, form)
    _walked[role] = list(found.values())
    return _walked[role]


def as_now(app, client, form: PostForm) -> PostForm:
    """The form as its page draws it now: an edit form's version moves on with every change
    (an old one is answered 409), and its choices with what other forms changed."""
    page = client.get(form.page)
    parser = Forms(urlsplit(form.page).path)
    parser.feed(page.get_data(as_text=True))
    for found in parser.forms:
        found.endpoint, found.page = post_endpoint(app, found.action) or found.action, form.page
        if found.key == form.key:
            return found
    return form


# --- values ---------------------------------------------------------------------------------

HUGE = 99999999999999999999999
HOSTILE = (
    "", " ", "\x00", "\t\r\n", "0", "-1", str(HUGE), str(-HUGE), "1e309", "NaN", "-0", "0x1F",
    "١٢٣", "２０２６-１２-０３", "0001-01-01", "9999-12-31", "0000-00-00", "2027-02-29",
    "10000-01-01", "-2026-01-01", "2026-1-1", "24:00", "23:59:60", "7pm", "on", "off", "no",
    "<script>alert(1)</script>", "' OR '1'='1", "%(x)s %s {0} {{ 7*7 }}", "\u202eevil",
    "\ufeff", "a\u2028b\u2029c", "\U0001f600" * 3, "javascript:alert(1)", "../../etc/passwd",
    "\x85\x9f\x7f\x1b", "https://127.0.0.1/", "a@b", "@", "x" * 300 + "@example.org",
)
UNICODE = st.characters(codec="utf-8")  # every code point but lone surrogates
LONG = st.builds(lambda unit, times: unit * times,
                 st.sampled_from(["x", "é", "\U0001f600", "ab\x00", "line\n", "\u202e"]),
                 st.integers(50, 20_000))
HOSTILE_TEXT = st.one_of(st.sampled_from(HOSTILE), st.text(UNICODE, max_size=60), LONG)
PLAIN = st.text(st.sampled_from("abcdefghij klmnopqrstuvwxyz"), min_size=3, max_size=30)


def days_from_today() -> st.SearchStrategy[str]:
    """Any day from eleven years back to twenty-two on: around every reach the forms give."""
    return st.integers(-4000, 8000).map(lambda days: (today() + timedelta(days=days))
                                        .isoformat())


EVERY_DAY = st.dates(date(1, 1, 1), date(9999, 12, 31)).map(date.isoformat)
PLAUSIBLE = {
    "date": st.one_of(days_from_today(), EVERY_DAY),
    "month": st.one_of(EVERY_DAY.map(lambda day: day[:7]), st.sampled_from(["0001-01",
                                                                             "9999-12"])),
    "time": st.times().map(lambda moment: moment.strftime("%H:%M")),
    "datetime-local": st.datetimes(datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59))
    .map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M")),
    "number": st.one_of(st.integers(-5, 200), st.integers(-HUGE, HUGE)).map(str),
    "email": st.sampled_from(["someone@example.org", "member@example.org"]),
    "url": st.sampled_from(["https://example.org/page", "http://localhost/"]),
    "password": st.sampled_from(["correct horse battery staple", "short"]),
}


def tidy_value(fields: list[Field]):
    """What a person filling the form in plainly would send: the page's own value, or the
    first of its choices; a field left empty on the page stays empty unless it is required,
    when it gets a well-formed value of its kind (a later day or time for an end)."""
    first = fields[0]
    kept = next((found.value for found in fields if found.value and found.value.strip()),
                None)
    offered = [option for found in fields for option in found.options if option]
    if first.kind == "checkbox" and len(fields) > 1:
        return [found.value for found in fields if found.value is not None]
    if first.kind == "select" and first.value is not None:
        return first.value  # chosen on the page, if only "none"
    if kept is not None:
        return kept
    if first.kind in ("select", "radio", "button"):
        return offered[0] if offered else OMIT  # "Choose one" is no choice
    if first.kind == "file":
        return calendar_file(today() + timedelta(days=7)) if takes_calendars(first) else (
            BytesIO(b"The agenda, in plain words."), "agenda.txt")
    if first.kind == "hidden":
        return OMIT
    starting_day = first.kind in ("date", "time") and not ending(first.name)
    return well_formed(first) if first.required or starting_day else OMIT


def takes_calendars(found: Field) -> bool:
    return ".ics" in found.options[0]


def calendar_file(day: date, rule: str = "") -> tuple[BytesIO, str]:
    """An iCalendar file of one event on that day (repeating by the rule, if any)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//fuzz//EN", "BEGIN:VEVENT",
             "UID:fuzz-1@example.org", "SUMMARY:A meeting", "DTSTAMP:20270101T000000Z",
             f"DTSTART;VALUE=DATE:{day:%Y%m%d}".replace(f"{day:%Y}", f"{day.year:04d}"),
             *([f"RRULE:{rule}"] if rule else []), "END:VEVENT", "END:VCALENDAR"]
    return BytesIO("\r\n".join(lines).encode()), "meetings.ics"


def ending(name: str) -> bool:
    return any(word in name for word in ("end", "until", "closes"))


def well_formed(found: Field) -> str:
    """A plain, valid value of the field's kind (told by its type, or by its name)."""
    name = found.name
    if found.kind == "checkbox":
        return found.options[0]
    if "email" in name:
        return "someone@example.org"
    if any(word in name for word in ("website", "link", "url")):
        return "https://example.org/page"
    return {
        "date": (today() + timedelta(days=30 if ending(name) else 7)).isoformat(),
        "time": "21:00" if ending(name) else "10:00",
        "number": "2",
        "password": PASSWORD,
        "textarea": "A few plain words.",
    }.get(found.kind, "Plain words")


def wild_value(fields: list[Field]) -> st.SearchStrategy:
    """Anything for one field: a well-formed value of its kind taken to extremes (a day from
    the year 1 to 9999, a huge number), a value not offered, hostile text, or nothing."""
    first = fields[0]
    offered = [option for found in fields for option in found.options]
    if first.kind == "checkbox" and len(fields) > 1:
        return st.one_of(st.lists(st.sampled_from(offered), unique=True),
                         st.lists(HOSTILE_TEXT, max_size=3))
    if first.kind == "file":
        anything = st.tuples(st.binary(max_size=300).map(BytesIO),
                             HOSTILE_TEXT.map(lambda name: name + ".pdf"))
        if takes_calendars(first):  # a body's meetings from the year 1 to 9999
            anything = st.one_of(st.builds(calendar_file, st.dates(date(1, 1, 1), date(
                9999, 12, 31)), st.sampled_from(["", "FREQ=WEEKLY", "FREQ=YEARLY;COUNT=3"])),
                anything)
        return st.one_of(st.just(OMIT), anything)
    if first.kind == "date":
        return st.one_of(days_around(first.options), extreme_days(), PLAUSIBLE["date"],
                         HOSTILE_TEXT, st.just(OMIT))
    kind = st.sampled_from(offered) if offered else PLAUSIBLE.get(first.kind, PLAIN)
    return st.one_of(kind, HOSTILE_TEXT, st.just(OMIT))


def extreme_days() -> st.SearchStrategy[str]:
    """The first and last days Python knows, the year 1900, and eleven years either side."""
    start = today()
    return st.sampled_from([date(9999, 12, 31), date(1, 1, 1), date(1900, 1, 1),
                            start + timedelta(days=4000), start - timedelta(days=4000)]
                           ).map(date.isoformat)


def days_around(edges: tuple[str, ...]) -> st.SearchStrategy[str]:
    """The first and last day of a field's reach and the days either side of them."""
    if len(edges) != 2:
        return days_from_today()
    first, last = (date.fromisoformat(edge) for edge in edges)
    around = [first, last, first + timedelta(days=1), last - timedelta(days=1),
              first - timedelta(days=1), last + timedelta(days=1)]
    return st.sampled_from(around).map(date.isoformat)


DAYS = ("date", "month", "datetime-local")


@st.composite
def filled(draw, form: PostForm, day: str | None = None) -> dict:
    """The form filled in plainly (first: what the form's rules decide is then stored), with
    one field drawn wild, or every field; or, given a day's field, that one drawn wild."""
    names = sorted(form.fields)
    if day is not None:
        wild = {day}
    elif not names or draw(st.booleans(), label="every field wild"):
        wild = set(names)
    else:
        wild = {draw(st.sampled_from(["", *names]), label="wild")}
    data = {}
    for name in names:
        fields = form.fields[name]
        value = (draw(wild_value(fields), label=name) if name in wild
                 else tidy_value(fields))
        if value is not OMIT:
            data[name] = value
    return data


# --- what may never be stored ---------------------------------------------------------------

def reaches() -> list[tuple[str, sa.ColumnElement, date, date]]:
    """(what, column, first day, last day): every date a form takes, as the form bounds it.
    A moment's day is the borough's; an end may be the midnight after its last day."""
    def days(earliest: int, latest: int, slack: int = 0) -> tuple[date, date]:
        start = today()
        return start + timedelta(days=earliest), start + timedelta(days=latest + slack)

    event = (calendar_forms.EVENT_DAYS.earliest, calendar_forms.EVENT_DAYS.latest)
    closing = (calendar_forms.CLOSING_DAYS.earliest, calendar_forms.CLOSING_DAYS.latest)
    board = board_forms
    rep = representation_forms
    return [
        ("an event's start", Event.starts_at, *days(*event)),
        ("an event's end", Event.ends_at, *days(*event, slack=1)),
        ("a consultation's closing", Event.closes_at, *days(*closing, slack=1)),
        ("a series' last start", Event.repeat_until,
         *days(event[0], event[1] + calendar_forms.LONGEST_SERIES.days, slack=1)),
        ("an occurrence moved", OccurrenceChange.starts_at, *days(*event)),
        ("an occurrence's moved end", OccurrenceChange.ends_at, *days(*event, slack=1)),
        ("a listing's first day", Listing.available_from,
         *days(-board.AVAILABLE_SINCE, board.AVAILABLE_AHEAD)),
        ("a listing's last day", Listing.available_until, *days(0, board.AVAILABLE_AHEAD)),
        ("a listing's day off the board", Listing.expires_on, *days(0, board.LONGEST_LISTING)),
        ("a booking", Booking.starts_at, *days(0, board.FURTHEST_BOOKING_DAY)),
        ("an action's due day", Action.due_on, *days(*rep.ACTION_DUE)),
        ("a respond-by day", Question.respond_by, *days(*rep.RESPOND_BY)),
        ("a term's start", Term.starts_on, *days(*rep.TERM_STARTS)),
        ("a term's end", Term.ends_on, *days(*rep.TERM_ENDS)),
    ]


def out_of_reach() -> set[str]:
    """Every stored day beyond its form's reach, as `what #id: day`."""
    found = set()
    for what, column, first, last in reaches():
        table = column.class_.__table__
        for row_id, value in db.session.execute(sa.select(table.c.id, column)
                                                .where(column.is_not(None))):
            day = local(value).date() if isinstance(value, datetime) else value
            if not first <= day <= last:
                found.add(f"{what} #{row_id}: {value}")
    db.session.rollback()
    return found


def beyond_columns() -> list[str]:
    """Text longer than its column (SQLite keeps it; PostgreSQL would have refused it) or
    holding a control character."""
    found = []
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, sa.String)]
            for row in conn.execute(sa.select(*columns)) if columns else []:
                for column, value in zip(columns, row, strict=True):
                    if not isinstance(value, str):
                        continue
                    if column.type.length and len(value) > column.type.length:
                        found.append(f"{table.name}.{column.name}: {len(value)} characters")
                    if CONTROL.search(value):
                        found.append(f"{table.name}.{column.name}: {value[:80]!r}")
    return found


# --- the test ---------------------------------------------------------------------------------

def test_every_form_as_every_role_takes_any_value_without_an_error(app, world, login):
    """No 5xx, and nothing stored that a form forbids. Each role sends every form it finds
    once; the first role to find a form (the least trusted) sends it EXAMPLES times."""
    backend = db.engine.dialect.name
    found = {role: forms_of(app, world, login, WALKED_AS.get(role, role)) for role in ROLES}
    first_finder = {}
    for role in ROLES:
        for form in found[role] if role not in WALKED_AS else ():
            first_finder.setdefault(form.key, role)
    assert len(first_finder) >= 60  # every kind of form on the site
    before = out_of_reach()  # the world's own rows, kept as they were
    sent = []
    for role in ROLES:
        person = getattr(world, role, None)
        client = app.test_client()
        if person is not None:
            login(person, c=client)
        for form in found[role]:
            examples = EXAMPLES[backend] if first_finder[form.key] == role else 1
            if not form.fields:
                examples = 1  # nothing to fill in: a button
            elif examples > 1 and "version" in form.fields:
                form = as_now(app, client, form)
            fuzz(client, login, person, form, examples, before, sent)
    assert beyond_columns() == []
    taken = {endpoint for endpoint, code in sent if code < 400}
    # Forms with days were taken too: what they stored was held to the days' reach.
    assert {"calendar.new_event", "board.new_listing", "board.edit_listing", "board.book",
            "representation.add_action", "representation.add_question"} <= taken


def fuzz(client, login, person, form: PostForm, examples: int, before: set[str],
         sent: list) -> None:
    """The form sent `examples` times with any field wild, and as many again with each of its
    days wild (the rest plain), by its first finder; once by any other role."""
    days = [name for name in sorted(form.fields) if form.fields[name][0].kind in DAYS]
    for day in [None, *days] if examples > 1 else [None]:
        fuzz_one(client, login, person, form, examples, before, sent, day)


def fuzz_one(client, login, person, form: PostForm, examples: int, before: set[str],
             sent: list, day: str | None) -> None:
    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              print_blob=False, suppress_health_check=list(HealthCheck))
    @given(filled(form, day))
    def send(data):
        response = client.post(form.action, data=data)
        sent.append((form.endpoint, response.status_code))
        assert response.status_code < 500, (form.endpoint, response.status_code)
        if response.status_code < 400:
            assert out_of_reach() - before == set(), form.endpoint
        if person is not None and response.headers.get("Location", "").startswith("/login"):
            login(person, c=client)  # what was sent logged the role out

    send()

