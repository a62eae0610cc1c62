"""The demo borough: invented groups and people of the kinds the partnership is made of."""

from __future__ import annotations

from datetime import datetime, timedelta

from network.auth.models import Person, Role
from network.auth.passwords import hash_password
from network.core import audit
from network.core.time import now
from network.demo.board import load_board
from network.demo.calendar import load_calendar, load_council_calendar
from network.demo.forum import load_forum
from network.demo.impact import load_impact
from network.demo.representation import load_representation
from network.extensions import db
from network.members.models import (
    Application,
    Area,
    Membership,
    Organisation,
    OrgKind,
    OrgStatus,
    Theme,
    name_key,
)
from network.notify.services import subscribe

DEMO_PASSWORD = "riverside-partnership"  # noqa: S105 -- printed for people to try the demo

AREAS = [
    ("Northbank", "The estates and streets north of the river."),
    ("Eastgate", "Eastgate ward and the market."),
    ("Millfield", "Millfield, the canal side and the old mill sites."),
    ("St Anne's", "St Anne's and Church End."),
    ("Harbourside", "The harbour, the docks estate and the new quarter."),
]

THEMES = [
    ("Health and wellbeing", ""),
    ("Housing", ""),
    ("Children and young people", ""),
    ("Community safety", ""),
    ("Environment", ""),
    ("Older people", ""),
    ("Employment and skills", ""),
    ("Money and debt", ""),
    ("Faith and belief", ""),
    ("Arts and culture", ""),
]

# name, kind, area, themes, description, what they bring, governing document, registered no.
ORGANISATIONS = [
    ("Riverside Tenants' Federation", OrgKind.COMMUNITY_GROUP, "Northbank",
     ["Housing", "Community safety"],
     "An umbrella for the tenants' and residents' associations on Riverside's council "
     "estates. We take repairs, rents and safety issues to the council and the housing "
     "associations, and run a **monthly surgery** at Northbank Community Hall.",
     "A meeting room for 30 on weekday evenings, a laminator and a well-used minibus "
     "licence. Long experience of estate walkabouts.",
     "Constitution adopted at the 2019 AGM", ""),
    ("Riverside Multi-Faith Forum", OrgKind.VOLUNTARY_ORGANISATION, None,
     ["Faith and belief", "Community safety"],
     "Churches, mosques, gurdwaras, temples and synagogues of the borough working together "
     "on community cohesion, and a first call when tension rises.",
     "Halls in nine places of worship; volunteers who speak 14 languages.",
     "Constitution and code of conduct, 2016", "1160001"),
    ("Eastgate Chinese Women's Guild", OrgKind.COMMUNITY_GROUP, "Eastgate",
     ["Health and wellbeing", "Older people", "Arts and culture"],
     "Mutual support, health talks in Cantonese and Mandarin, tai chi for older members "
     "and a lunar new year celebration open to all.",
     "Interpreting for health appointments; a kitchen and cooks for community lunches.",
     "Rules of the Guild, revised 2022", ""),
    ("Travellers' Support Group Riverside", OrgKind.VOLUNTARY_ORGANISATION, "Millfield",
     ["Health and wellbeing", "Housing", "Children and young people"],
     "Advice and advocacy for Gypsy, Roma and Traveller families: sites, schools, health "
     "and dealing with the council.",
     "Trusted links with families on the Millfield site; training on cultural awareness.",
     "Constitution, 2011", "1140002"),
    ("Harbourside Youth Project", OrgKind.VOLUNTARY_ORGANISATION, "Harbourside",
     ["Children and young people", "Employment and skills"],
     "Open youth club four nights a week for 13 to 25 year olds, detached youth work, and "
     "a music studio young people run themselves.",
     "A sports hall on Saturday mornings, a recording studio, youth workers trained in "
     "safeguarding.",
     "Articles of association (charitable company)", "07000003"),
    ("Riverside Community Credit Union", OrgKind.CO_OP, None, ["Money and debt"],
     "Savings and fair loans for people who live or work in Riverside, with collection "
     "points in four community centres.",
     "Money advice sessions for your members; a volunteer treasurer who can help new groups "
     "set up their books.",
     "Registered society rules", "RS000004"),
    ("Green Spoon", OrgKind.SOCIAL_ENTERPRISE, "St Anne's",
     ["Employment and skills", "Environment"],
     "A community café and catering business training local people for work in kitchens, "
     "cooking with surplus food from local shops.",
     "Catering for events at cost; a training kitchen to borrow on Mondays.",
     "Community interest company articles", "CIC0000005"),
    ("Millfield Residents' Association", OrgKind.COMMUNITY_GROUP, "Millfield",
     ["Housing", "Environment"],
     "Residents of the Millfield streets: street parties, the canal clean-up, and planning "
     "objections when they are needed.",
     "Litter pickers, hi-vis vests and gazebos to lend.",
     "Constitution adopted at a public meeting, March 2023", ""),
]

# email, name, role, organisation (or None), is contact
PEOPLE = [
    ("coordinator@example.org", "Amara Okafor", Role.COORDINATOR, None, False),
    ("admin@example.org", "Sam Whitfield", Role.ADMIN, None, False),
    ("pat@example.org", "Pat Doyle", Role.MEMBER, "Riverside Tenants' Federation", True),
    ("ravi@example.org", "Ravi Shah", Role.MEMBER, "Riverside Tenants' Federation", False),
    ("grace@example.org", "Grace Mensah", Role.MEMBER, "Riverside Multi-Faith Forum", True),
    ("meilin@example.org", "Mei Lin Chen", Role.MEMBER, "Eastgate Chinese Women's Guild", True),
    ("bridget@example.org", "Bridget Ward", Role.MEMBER, "Travellers' Support Group Riverside",
     True),
    ("jordan@example.org", "Jordan Ellis", Role.MEMBER, "Harbourside Youth Project", True),
    ("kezia@example.org", "Kezia Brown", Role.MEMBER, "Harbourside Youth Project", False),
    ("tom@example.org", "Tom Harper", Role.MEMBER, "Riverside Community Credit Union", True),
    ("lena@example.org", "Lena Novak", Role.MEMBER, "Green Spoon", True),
    ("dev@example.org", "Dev Patel", Role.MEMBER, "Millfield Residents' Association", True),
    ("frank@example.org", "Frank Osei", Role.ASSOCIATE, None, False),
]

APPLICATIONS = [
    ("Northbank Allotment Society", OrgKind.COMMUNITY_GROUP, "Northbank", ["Environment"],
     "Forty plots by the railway. We grow food, run a seed swap and teach children to garden.",
     "Spare produce every summer; a shed and tools; people who know about compost.",
     "Allotment society rules, 1987", "Hannah Price", "hannah@example.org",
     "We were told about the partnership at the Northbank surgery."),
    ("Daisy's Bike Repairs", OrgKind.SOLE_TRADER, "Harbourside", ["Employment and skills"],
     "Bike repairs and secondhand bikes; Dr Bike sessions at community events.",
     "Free bike checks at your events; could take a young person on work experience.",
     "Sole trader", "Daisy Moore", "daisy@example.org", ""),
]

# Web addresses as groups give them: a long one must wrap on a phone, not widen the page.
WEBSITES = {
    "Riverside Community Credit Union": "https://www.riversidecommunitycreditunion.example.org/",
    "Green Spoon": "https://greenspoon.example.org",
    "Northbank Allotment Society":
        "https://northbank-allotment-society.example.org/about-us/our-rules-and-the-waiting-list",
}

DEMO_LOGINS = [
    ("coordinator@example.org", "coordinator: applications, people, areas, audit log"),
    ("admin@example.org", "admin: everything a coordinator can, and roles"),
    ("pat@example.org", "org contact for Riverside Tenants' Federation"),
    ("ravi@example.org", "member of Riverside Tenants' Federation"),
    ("frank@example.org", "associate (follows the network, no organisation)"),
]


BULLETIN_READERS = ("ravi@example.org", "pat@example.org")


def load_demo(at: datetime | None = None) -> list[tuple[str, str]]:
    """Fill an empty database with the demo borough; returns the logins to print."""
    at = at or now()
    areas = {name: Area(name=name, description=text) for name, text in AREAS}
    themes = {name: Theme(name=name, description=text) for name, text in THEMES}
    db.session.add_all([*areas.values(), *themes.values()])

    password_hash = hash_password(DEMO_PASSWORD)
    people = {}
    for email, name, role, _org, _contact in PEOPLE:
        # Pat and Grace, who hold the public partnership's seat and speak for the network in
        # public, have chosen to show visitors their names (name_public); everyone else, who
        # has not, shows to visitors as "a member of" their organisation (core.names.who).
        people[email] = Person(email=email, display_name=name, role=role,
                               password_hash=password_hash,
                               show_email_to_members=email.startswith(("pat", "grace", "tom")),
                               name_public=email.startswith(("pat", "grace")))
    db.session.add_all(people.values())
    coordinator = people["coordinator@example.org"]

    organisations = {}
    for index, (name, kind, area, theme_names, description, contribution, governing,
                number) in enumerate(ORGANISATIONS):
        joined = at - timedelta(days=400 - index * 37)
        organisations[name] = Organisation(
            name=name, name_key=name_key(name), kind=kind,
            area=areas[area] if area else None, themes=[themes[t] for t in theme_names],
            description=description, contribution=contribution, governing_document=governing,
            registered_number=number, status=OrgStatus.APPROVED, created_at=joined,
            approved_at=joined + timedelta(days=6), mou_agreed_on=joined.date(),
            confirmed_active_at=at - timedelta(days=30 + index * 20),
            public_email=f"hello@{name_key(name)[:20]}.example.org",
            website=WEBSITES.get(name, ""),
        )
    db.session.add_all(organisations.values())
    db.session.flush()

    for email, _name, _role, org_name, is_contact in PEOPLE:
        if org_name:
            db.session.add(Membership(person=people[email], organisation=organisations[org_name],
                                      is_contact=is_contact,
                                      joined_at=organisations[org_name].approved_at))
    for org in organisations.values():
        audit.record("application.approve", org, f"Approved {org.name}", actor=coordinator)

    for index, (name, kind, area, theme_names, description, contribution, governing,
                contact_name, contact_email, message) in enumerate(APPLICATIONS):
        org = Organisation(name=name, name_key=name_key(name), kind=kind,
                           area=areas[area], themes=[themes[t] for t in theme_names],
                           description=description, contribution=contribution,
                           governing_document=governing, website=WEBSITES.get(name, ""),
                           status=OrgStatus.APPLIED)
        db.session.add(Application(organisation=org, contact_name=contact_name,
                                   contact_email=contact_email, message=message,
                                   submitted_at=at - timedelta(days=3 - index)))
    load_forum(people, at)
    contacts = {org: email for email, _name, _role, org, contact in PEOPLE if org and contact}
    load_calendar(people, contacts, at)
    load_council_calendar(coordinator, at)
    load_board(people, contacts, at)
    load_representation(people, at)
    load_impact(people, at)
    for email in BULLETIN_READERS:  # the weekly bulletin is chosen, never a default
        subscribe(people[email], "bulletin", True)
    db.session.commit()
    return DEMO_LOGINS
