"""A second language: whose language a page is in, the footer's switch without JavaScript, the
account's choice, dates in the reader's language, email in the recipient's, <html lang dir>.

Expected Polish words come from the Polish catalogue itself (whatever its translators wrote) or
from Babel's CLDR data (month and day names), never copied here."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from network.auth.models import Person
from network.extensions import db
from tests.factories import PASSWORD, PersonFactory

TRANSLATIONS = Path(__file__).parent.parent / "network" / "translations"
POLISH = Translations.load(str(TRANSLATIONS), ["pl"])


def polish(text: str, **values) -> str:
    return POLISH.ugettext(text) % values if values else POLISH.ugettext(text)


def page(response) -> str:
    return response.get_data(as_text=True)


def html_lang(response) -> tuple[str, str]:
    found = re.search(r'<html lang="([^"]+)" dir="([^"]+)">', page(response))
    assert found, page(response)[:300]
    return found.group(1), found.group(2)


def log_in(client, person):
    response = client.post("/login", data={"email": person.email, "password": PASSWORD})
    assert response.status_code == 303
    return response


def reload(person) -> Person:
    db.session.rollback()
    return db.session.get(Person, person.id)


# --- whose language ----------------------------------------------------------------------------

def test_english_unless_asked(client, world):
    assert html_lang(client.get("/")) == ("en-GB", "ltr")
    assert html_lang(client.get("/", headers={"Accept-Language": "de-DE, fr;q=0.8"})) == \
        ("en-GB", "ltr")


def test_the_browser_chooses_for_a_visitor(client, world):
    assert html_lang(client.get("/", headers={"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"})) \
        == ("pl", "ltr")
    assert html_lang(client.get("/", headers={"Accept-Language": "de, pl;q=0.3"})) == \
        ("pl", "ltr")
    assert html_lang(client.get("/", headers={"Accept-Language": "en-US, pl;q=0.3"})) == \
        ("en-GB", "ltr")


def test_the_cookie_beats_the_browser_and_a_stale_one_is_ignored(client, world):
    client.set_cookie("lang", "en_GB")
    assert html_lang(client.get("/", headers={"Accept-Language": "pl"}))[0] == "en-GB"
    client.set_cookie("lang", "xx")  # a language no longer offered
    assert html_lang(client.get("/", headers={"Accept-Language": "pl"}))[0] == "pl"


def test_the_account_beats_the_cookie_and_the_browser(client, world):
    world.member.locale = "pl"
    db.session.commit()
    log_in(client, world.member)
    client.set_cookie("lang", "en_GB")
    assert html_lang(client.get("/account", headers={"Accept-Language": "en"}))[0] == "pl"


def test_pages_in_other_languages_are_cached_apart(client, world):
    vary = client.get("/").headers["Vary"]
    assert "Cookie" in vary and "Accept-Language" in vary


# --- the footer's switch -----------------------------------------------------------------------

def switch_form(html: str) -> str:
    found = re.search(r'<form method="post" action="/language"[^>]*>.*?</form>', html, re.S)
    assert found, "no language switch in the footer"
    return found.group(0)


def test_the_footer_offers_each_language_in_its_own_words(client, world):
    form = switch_form(page(client.get("/calendar")))
    assert 'hx-boost="false"' in form  # a whole page: <html lang> changes with it
    assert '<button class="link" name="locale" value="en_GB" lang="en-GB" ' \
           'aria-current="true">English</button>' in form
    assert 'value="pl" lang="pl">Polski</button>' in form
    assert '<input type="hidden" name="next" value="/calendar">' in form


def test_a_visitor_switches_without_javascript(client, world):
    response = client.post("/language", data={"locale": "pl", "next": "/calendar"},
                           headers={"Origin": "http://localhost"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/calendar"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=pl;")
    assert "Max-Age=31536000" in cookie and "SameSite=Lax" in cookie and "HttpOnly" in cookie
    calendar = client.get("/calendar")
    assert html_lang(calendar)[0] == "pl"
    assert polish("Calendar") in page(calendar)
    # and back, from the Polish page
    client.post("/language", data={"locale": "en_GB", "next": "/calendar"},
                headers={"Origin": "http://localhost"})
    assert html_lang(client.get("/calendar"))[0] == "en-GB"


def test_the_cookie_is_secure_when_the_site_is(make_app, world):
    app = make_app(SESSION_COOKIE_SECURE=True)
    response = app.test_client().post("/language", data={"locale": "pl", "next": "/"})
    assert "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil",
                                    ""])
def test_the_switch_comes_back_only_to_this_site(client, world, target):
    response = client.post("/language", data={"locale": "pl", "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_a_language_not_offered_changes_nothing(client, world):
    response = client.post("/language", data={"locale": "xx", "next": "/calendar"})
    assert response.status_code == 303 and response.headers["Location"] == "/calendar"
    assert "Set-Cookie" not in response.headers


def test_the_switch_refuses_other_sites_and_tokenless_posts(make_app):
    """CSRF: a person's switch carries the session's token; a visitor's (who has no session)
    must come from this site, as the browser says (Sec-Fetch-Site, else Origin or Referer)."""
    from tests.factories import build_world

    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        world = build_world()
        visitor = app.test_client()
        for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"},
                        {"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"},
                        {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                        {"Referer": "https://evil.example/page"}):
            refused = visitor.post("/language", data={"locale": "pl", "next": "/"},
                                   headers=headers)
            assert refused.status_code == 303 and "Set-Cookie" not in refused.headers, headers
        # none of the three: a browser keeping them to itself (a cross-site form's post
        # always carries Origin), not another site's form
        for headers in ({"Sec-Fetch-Site": "same-origin"}, {"Origin": "http://localhost"},
                        {"Referer": "http://localhost/calendar"}, {}):
            taken = visitor.post("/language", data={"locale": "pl", "next": "/"},
                                 headers=headers)
            assert taken.headers["Set-Cookie"].startswith("lang=pl;"), headers
        assert "Set-Cookie" not in visitor.get("/").headers  # still no session for a visitor

        person = app.test_client()
        login_page = page(person.get("/login"))
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)[1]
        person.post("/login", data={"email": world.member.email, "password": PASSWORD,
                                    "csrf_token": token})
        without = person.post("/language", data={"locale": "pl", "next": "/"},
                              headers={"Origin": "http://localhost"})
        assert without.status_code == 303
        assert not any(c.startswith("lang=") for c in without.headers.getlist("Set-Cookie"))
        assert reload(world.member).locale is None
        form = switch_form(page(person.get("/calendar")))
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]
        person.post("/language", data={"locale": "pl", "next": "/", "csrf_token": token})
        assert reload(world.member).locale == "pl"


def test_a_persons_choice_sticks_across_logins_and_devices(app, world):
    phone = app.test_client()
    log_in(phone, world.member)
    phone.post("/language", data={"locale": "pl", "next": "/account"})
    assert reload(world.member).locale == "pl"
    phone.post("/logout")
    laptop = app.test_client()  # no cookie of its own, a browser asking for English
    log_in(laptop, world.member)
    assert html_lang(laptop.get("/", headers={"Accept-Language": "en-GB"}))[0] == "pl"


def test_the_account_page_chooses_the_language(client, world):
    log_in(client, world.member)
    account = page(client.get("/account"))
    assert '<option selected value="en_GB">English</option>' in account
    assert '<option value="pl">Polski</option>' in account
    response = client.post("/language", data={"locale": "pl", "next": "/account"})
    assert response.headers["Location"] == "/account"
    assert reload(world.member).locale == "pl"
    assert '<option selected value="pl">Polski</option>' in page(client.get("/account"))


# --- dates, numbers ----------------------------------------------------------------------------

def test_the_calendar_reads_in_polish(client, world, clock):
    clock.set(datetime(2027, 1, 13, 10, 0, tzinfo=UTC))  # a Wednesday
    english = page(client.get("/calendar/month?month=2027-01"))
    assert "<h2" in english and ">January 2027</h2>" in english
    assert '<th scope="col">Mon</th>' in english
    client.set_cookie("lang", "pl")
    month = page(client.get("/calendar/month?month=2027-01"))
    assert ">styczeń 2027</h2>" in month  # the month's own name, not "stycznia"
    assert '<th scope="col">pon.</th>' in month and '<th scope="col">śr.</th>' in month
    week = page(client.get("/calendar/week?week=2027-01-13"))
    assert "środa, 13 stycznia 2027" in week


def test_formats_read_as_before_in_english_and_as_cldr_says_in_polish(app):
    from network.core import time as formats

    moment = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)
    expected = {
        "en-GB": ["3 Dec 2026, 19:00", "3 December 2026", "Thursday 3 December 2026",
                  "December 2026", "Thu", "19:00", "12,345"],
        "pl": ["3 gru 2026, 19:00", "3 grudnia 2026", "czwartek, 3 grudnia 2026",
               "grudzień 2026", "czw.", "19:00", "12\xa0345"],
    }
    for asked, written in expected.items():
        with app.app_context(), app.test_request_context(headers={"Accept-Language": asked}):
            assert [formats.format_when(moment), formats.format_day(moment),
                    formats.format_weekday(moment), formats.format_month(moment.date()),
                    formats.format_dayname(moment.date()), formats.format_clock(moment),
                    formats.format_number(12345)] == written


# --- email in the recipient's language ---------------------------------------------------------

def test_a_notification_is_written_in_its_recipients_language(app, world, deliver, mailbox):
    from flask_babel import lazy_gettext as _l

    from network.notify.models import Notification
    from network.notify.services import notify

    reader = PersonFactory(email="czytelnik@example.org", display_name="Ola", locale="pl")
    db.session.commit()
    # raised by someone reading in English
    with app.test_request_context(headers={"Accept-Language": "en-GB"}):
        notify(reader, "forum.mention", _l("%(name)s mentioned you in “%(title)s”",
                                           name="Mo", title="Hall"), "/forum/p/1")
        notify(world.member, "forum.mention", _l("%(name)s mentioned you in “%(title)s”",
                                                 name="Ola", title="Hall"), "/forum/p/1")
    db.session.commit()
    deliver()
    subject = polish("%(name)s mentioned you in “%(title)s”", name="Mo", title="Hall")
    message = mailbox.last_to("czytelnik@example.org")
    assert message["Subject"] == subject
    body = mailbox.body(message)
    assert polish("Hello %(name)s,", name="Ola") in body
    assert polish("Questions? Write to the coordinators: %(email)s",
                  email=app.config["COORDINATOR_EMAIL"]) in body
    # stored in the recipient's language: the bell shows what the email said
    assert db.session.query(Notification).filter_by(person_id=reader.id).one().subject == \
        subject
    english = mailbox.last_to(world.member.email)
    assert english["Subject"] == "Ola mentioned you in “Hall”"
    assert "Hello Mo Member," in mailbox.body(english)


def test_account_email_follows_the_account_not_the_page(client, world, deliver, mailbox):
    world.member.locale = "pl"
    db.session.commit()
    client.post("/password/forgot", data={"email": world.member.email},
                headers={"Accept-Language": "en-GB"})
    deliver()
    assert mailbox.last_to(world.member.email)["Subject"] == polish("Reset your password")


def test_dates_in_a_notification_are_the_recipients(app, world):
    from flask_babel import lazy_gettext as _l

    from network.core.i18n import later
    from network.core.time import format_day
    from network.notify.services import notify

    reader = PersonFactory(email="czytelniczka@example.org", locale="pl")
    db.session.commit()
    with app.test_request_context():
        found = notify(reader, "board.listing", _l(
            "Your listing “%(title)s” leaves the board on %(day)s: renew it if it is still "
            "open", title="Hall", day=later(format_day, datetime(2027, 3, 4).date())), "/board")
    assert "4 marca 2027" in found.subject


# --- another script, another direction --------------------------------------------------------

PHYSICAL = re.compile(r"(?:margin|padding|border)-(?:left|right)\b|(?<![\w-])(?:left|right)\s*:"
                      r"|(?:text-align|float|clear)\s*:\s*(?:left|right)")


def test_the_stylesheets_mirror_for_a_right_to_left_language():
    """Logical properties only (margin-inline-start, text-align: start ...): a page in a
    language written right to left is the mirror of one in English."""
    found = [f"{path.name}:{number}: {line.strip()}"
             for path in sorted((Path(__file__).parent.parent / "static" / "css").glob("*.css"))
             for number, line in enumerate(path.read_text().splitlines(), 1)
             if PHYSICAL.search(line)]
    assert not found, "physical left/right in the CSS:\n" + "\n".join(found)


def test_a_third_language_needs_only_its_catalogue(make_app, tmp_path, world):
    """Arabic, as a stand-in for any right-to-left language: a compiled catalogue in a folder
    the app reads, and the site offers it, named in its own script, and mirrors the page."""
    with (TRANSLATIONS / "pl" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source, locale="pl")
    folder = tmp_path / "ar" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as target:
        write_mo(target, catalog)
    app = make_app(BABEL_TRANSLATION_DIRECTORIES=f"translations;{tmp_path}")
    client = app.test_client()
    response = client.get("/", headers={"Accept-Language": "ar"})
    assert html_lang(response) == ("ar", "rtl")
    assert 'value="ar" lang="ar" aria-current="true">العربية</button>' in page(response)


def test_a_digest_sent_by_cron_is_in_each_readers_language(app, world, deliver, mailbox):
    """No request at all (flask digest send): each person's own language."""
    from network.notify.models import Delivery, Notification
    from network.notify.services import send_digests

    reader = PersonFactory(email="czytelnik@example.org", display_name="Ola", locale="pl")
    db.session.add(Notification(person_id=reader.id, kind="forum.reply", subject="Odpowiedź",
                                url="/forum/p/1", delivery=Delivery.DAILY))
    db.session.commit()
    assert send_digests(Delivery.DAILY) >= 1
    deliver()
    assert mailbox.last_to("czytelnik@example.org")["Subject"] == polish(
        "Your daily summary from %(site)s", site=app.config["SITE_NAME"])
    assert mailbox.last_to(world.member.email)["Subject"] == \
        f"Your daily summary from {app.config['SITE_NAME']}"


# --- a new person's walk in Polish ---------------------------------------------------------------

def option(value: str, text: str) -> str:
    return f'value="{value}">{text}</option>'


def test_the_choices_of_every_form_are_in_the_pages_language(client, world, login):
    """Forms are made at import, before any page has a language: their choices stay lazy
    until a page draws them, so a Polish page lists Polish kinds, categories and urgencies."""
    meeting, training = option("meeting", polish("Meeting")), option("training",
                                                                      polish("Training"))
    rooms = option("rooms", polish("Rooms and premises"))
    urgencies = [option(value, polish(english)) for value, english in (
        ("whenever", "Whenever"), ("soon", "Soon"), ("urgent", "Urgent"))]
    event_kind = option("event", polish("Event"))
    assert polish("Meeting") != "Meeting" and polish("Rooms and premises") != \
        "Rooms and premises" and polish("Whenever") != "Whenever"
    client.set_cookie("lang", "pl")
    login(world.coordinator)
    wanted = {"/calendar": [meeting, training], "/calendar/week": [meeting],
              "/calendar/month": [meeting], "/calendar/new": [meeting, training],
              "/calendar/sources": [meeting], "/board": [rooms],
              "/board/new": [rooms, *urgencies], "/search": [event_kind]}
    for path, options in wanted.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert html_lang(response)[0] == "pl"
        for text in options:
            assert text in page(response), (path, text)
    client.set_cookie("lang", "en_GB")  # and English again, from the same forms
    assert option("meeting", "Meeting") in page(client.get("/calendar/new"))
    assert option("rooms", "Rooms and premises") in page(client.get("/board/new"))


def test_the_shared_macros_speak_the_pages_language(client, world, login):
    client.set_cookie("lang", "pl")
    login(world.coordinator)
    empty = page(client.post("/board/new", data={}))
    heading, listed = re.search(r'class="problems" role="alert">\s*<h2>(.*?)</h2>(.*?)</ul>',
                                empty, re.S).groups()
    count = listed.count("<li>")
    assert count > 1
    assert heading == ngettext_polish("There is a problem", "There are %(num)d problems",
                                      count) != f"There are {count} problems"
    assert polish("Show") != "Show"
    assert f"<button>{polish('Show')}</button>" in page(client.get("/board"))


def ngettext_polish(singular: str, plural: str, n: int) -> str:
    return POLISH.ungettext(singular, plural, n) % {"num": n}


def form_names(html: str) -> list[str]:
    """The accessible name of each <form> that has one (a landmark): aria-label, or the text
    of the element aria-labelledby names."""
    names = []
    for attributes in re.findall(r"<form\b([^>]*)>", html):
        label = re.search(r'aria-label="([^"]*)"', attributes)
        labelled_by = re.search(r'aria-labelledby="([^"]*)"', attributes)
        if label:
            names.append(label.group(1))
        elif labelled_by:
            heading = re.search(rf'id="{labelled_by.group(1)}"[^>]*>(.*?)</', html, re.S)
            names.append(heading.group(1).strip())
    return names


@pytest.mark.parametrize("code", ["en_GB", "pl"])
def test_the_account_and_the_footer_name_their_language_forms_apart(client, world, login,
                                                                    code):
    """axe's landmark-unique: two forms (landmarks, since they are named) of one name."""
    client.set_cookie("lang", code)
    login(world.member)
    names = form_names(page(client.get("/account")))
    assert len(names) >= 2
    assert len(names) == len(set(names)), names


def test_an_event_brought_in_without_a_title_is_stored_in_the_sites_language(
        client, world, login):
    """What is stored is read by everyone: not in the language of whoever imported it. The
    import's result reads as Polish does after a colon, and the event page names its source
    as the agenda does."""
    from network.calendar.models import Event
    from network.core.time import today
    from tests.test_calendar_import import calendar, stamp, the_source, upload, vevent

    world.coordinator.locale = "pl"
    db.session.commit()
    login(world.coordinator)
    day = today() + timedelta(days=3)
    body = calendar(vevent("no-title@council", "", f"DTSTART:{stamp(day)}",
                           f"DTEND:{stamp(day, 20)}"))
    response = upload(client, world, body, name="Rada")
    assert response.status_code == 303, page(response)
    source = the_source()
    event = db.session.scalars(db.select(Event).where(Event.source_id == source.id)).one()
    assert event.title == "Untitled" != polish("Untitled")
    listed = page(client.get("/calendar/sources"))
    summary = polish("%(added)d added, %(changed)d changed, %(removed)d removed.", added=1,
                     changed=0, removed=0)
    assert summary[0].islower()  # it follows a colon: "„Rada”: ..., Ostatni import ...: ..."
    assert polish("“%(name)s” is brought in: %(summary)s", name="Rada", summary=summary) \
        in listed
    assert polish("Saved. %(summary)s", summary=summary).count(". ") == 0
    source_label = POLISH.upgettext("the calendar an event was brought in from", "From")
    assert polish("From: %(name)s", name="Rada") == f"{source_label}: Rada"
    shown = page(client.get(f"/calendar/e/{event.id}-{event.slug}"))
    assert f"<dt>{source_label}</dt>" in shown
    assert f"<dt>{polish('From')}</dt>" not in shown
