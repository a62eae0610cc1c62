"""The demo borough's representatives: the Riverside Strategic Partnership (public), where
Grace holds the voluntary sector seat with Pat as deputy, and Pat held it before her, meeting
on the second Thursday of each month since the spring; the Health and Wellbeing Board
(members only), with a seat for the Northbank and Harbourside groups held by Jordan (its last
meeting was six weeks ago, its next is in five), and one for older people nobody holds yet.

Grace has reported back on the partnership's meetings, mostly on time, once late, and once
not at all (overdue); her latest report answers an item Ravi raised, with two actions, a
question and responses. Items are raised for the next meeting. Jordan's report from the
board has an action now overdue."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from network.auth.models import Person
from network.calendar import reads
from network.calendar import services as calendar
from network.calendar.models import Event, EventKind
from network.core.audience import Audience
from network.core.files import Upload
from network.core.time import local, local_moment
from network.extensions import db
from network.members.models import Area, Organisation, Theme
from network.representation import reporting, services
from network.representation.models import ActionStatus, ItemStatus, ReportState, Seat, Selection


def load_representation(people: dict[str, Person], at: datetime) -> None:
    coordinator = people["coordinator@example.org"]
    areas = {a.name: a.id for a in db.session.scalars(db.select(Area))}
    themes = {t.name: t.id for t in db.session.scalars(db.select(Theme))}
    organisations = {o.name: o.id for o in db.session.scalars(db.select(Organisation))}
    year = at.year
    partnership = services.create_body({
        "name": "Riverside Strategic Partnership",
        "description": "The borough's local strategic partnership: the council, the health "
                       "service, the police, business and the voluntary and community sector "
                       "agree the **community strategy** and how the neighbourhood renewal "
                       "fund is spent.",
        "meets": "The second Thursday of each month, at 6pm", "audience": Audience.PUBLIC},
        coordinator)
    voluntary = services.create_seat(
        partnership, "Voluntary and community sector seat",
        "One of three seats for the sector; the network elects its holder every two years.",
        {"areas": [], "themes": [], "organisations": []}, coordinator)
    services.add_term(voluntary, {
        "holder_id": people["pat@example.org"].id, "deputy_id": None,
        "selection": Selection.ELECTED, "selection_note": "Elected unopposed at the 2023 AGM.",
        "starts_on": date(year - 3, 4, 1), "ends_on": date(year - 1, 3, 31)}, coordinator)
    services.add_term(voluntary, {
        "holder_id": people["grace@example.org"].id, "deputy_id": people["pat@example.org"].id,
        "selection": Selection.ELECTED,
        "selection_note": f"Elected at the {year - 1} AGM, 23 votes to 17.",
        "starts_on": date(year - 1, 4, 1), "ends_on": date(year + 1, 3, 31)}, coordinator)
    health = services.create_body({
        "name": "Health and Wellbeing Board",
        "description": "Plans health and care services for the borough with the people who "
                       "use them.", "meets": "Quarterly", "audience": Audience.MEMBERS},
        coordinator)
    neighbourhoods = services.create_seat(
        health, "Neighbourhoods seat", "Speaks for groups in Northbank and Harbourside.",
        {"areas": [areas["Northbank"], areas["Harbourside"]], "themes": [],
         "organisations": []}, coordinator)
    services.add_term(neighbourhoods, {
        "holder_id": people["jordan@example.org"].id, "deputy_id": None,
        "selection": Selection.NOMINATED,
        "selection_note": "Nominated by the network's coordinators' group.",
        "starts_on": date(year, 1, 1), "ends_on": date(year + 1, 12, 31)}, coordinator)
    services.create_seat(
        health, "Older people's seat", "Vacant: the network is looking for a volunteer.",
        {"areas": [], "themes": [themes["Older people"]],
         "organisations": [organisations["Riverside Multi-Faith Forum"]]}, coordinator)
    grace, jordan = people["grace@example.org"], people["jordan@example.org"]
    first = (local(at).date() - timedelta(days=160)).replace(day=1)
    second_thursday = first + timedelta(days=(3 - first.weekday()) % 7 + 7)
    board = meeting(partnership, organisations["Riverside Multi-Faith Forum"], grace,
                    "Strategic Partnership board meeting", second_thursday, time(18),
                    public=True, repeats=("monthly_weekday", None, 18),
                    description="Agenda: the community strategy refresh; the neighbourhood "
                                "renewal fund's second round.")
    today = local(at).date()
    meetings = [meeting(health, organisations["Harbourside Youth Project"], jordan,
                        "Health and Wellbeing Board", day, time(14), public=False)
                for day in (today - timedelta(days=42), today + timedelta(days=35))]
    report_backs(people, voluntary, board, neighbourhoods, meetings[0], organisations, at)


def report_backs(people: dict[str, Person], voluntary: Seat, board: Event, neighbourhoods: Seat,
                 health_meeting: Event, organisations: dict[str, int], at: datetime) -> None:
    grace, jordan, ravi = (people[f"{name}@example.org"] for name in ("grace", "jordan", "ravi"))
    held = reads.occurrences_of([board], at - timedelta(days=200), at)
    held = [m for m in held if m.starts_at < at]  # oldest first
    late_days = {0: 6, 1: 9, 2: 22, 3: 5}  # the next-to-last meeting has no report: overdue
    texts = [
        ("The board agreed the timetable for refreshing the community strategy.",
         "- The refresh starts in the autumn, with a public consultation.\n"
         "- The voluntary sector is asked to run six listening events."),
        ("The board heard how the neighbourhood renewal fund was spent last year.",
         "- Small grants stay at £5,000 at most."),
        ("The board discussed youth provision after the closure of two clubs.",
         "- A working group will map what is left, by area."),
        ("The board approved the draft community strategy for consultation.",
         "- The consultation runs for twelve weeks."),
    ]
    for index, occurrence in enumerate(held[:-2]):
        summary, decisions = texts[index % len(texts)]
        report = reporting.start_report(voluntary, occurrence, grace)
        report.summary, report.decisions, report.audience = summary, decisions, Audience.PUBLIC
        report.state = ReportState.PUBLISHED
        report.published_at = occurrence.starts_at + timedelta(days=late_days.get(index, 7))
        db.session.flush()
        if index == 0:
            done = reporting.add_action(report, "Send the network's comments on the strategy "
                                       "timetable", "Grace Mensah",
                                       (occurrence.starts_at + timedelta(days=14)).date(), grace)
            reporting.update_action(done, ActionStatus.DONE, "Sent to the partnership manager.",
                                   grace)
        if index == 1:
            reporting.add_action(report, "Publish the list of small grants awarded",
                                "Council regeneration team",
                                (occurrence.starts_at + timedelta(days=30)).date(), grace)
    latest = held[-1]
    item = services.raise_item(voluntary, ravi, "Will the renewal fund's second round be open "
                               "to groups without paid staff?", "Three of our tenants' "
                               "associations have no staff, and the first round asked for a "
                               "named employee.", organisations["Riverside Tenants' Federation"],
                               None)
    item.event_id, item.occurrence_start = latest.event.id, latest.original_start
    item.meeting_at, item.created_at = latest.starts_at, latest.starts_at - timedelta(days=6)
    services.back_item(item, people["meilin@example.org"], True)
    services.mark_item(item, ItemStatus.TAKEN, "", grace)
    report = reporting.start_report(voluntary, latest, grace)
    reporting.write_report(report, {
        "summary": "The board opened the second round of the neighbourhood renewal fund and "
                   "asked the voluntary sector to help shape the youth strategy.",
        "decisions": "- The second round opens on the first of next month, for grants up to "
                     "£5,000.\n- A youth strategy working group is set up, with two places "
                     "for the voluntary sector.",
        "said": "I asked that small groups without paid staff can apply, and that the youth "
                "working group meets in the evening so volunteers can come.",
        "audience": Audience.PUBLIC},
        {item.id: "Yes. The named contact may be a volunteer; the form will say so."}, grace)
    reporting.add_action(report, "Put the second round's guidance on the network's board",
                        "Grace Mensah", (at + timedelta(days=10)).date(), grace)
    reporting.add_action(report, "Find two volunteers for the youth working group",
                        "Network coordinators", (at + timedelta(days=24)).date(), grace)
    reporting.add_question(report, "Which of our groups would send someone to the youth "
                          "working group?", (at + timedelta(days=12)).date())
    minutes = ("Riverside Strategic Partnership: summary of decisions\n\n"
               "1. Neighbourhood renewal fund, second round: agreed.\n"
               "2. Youth strategy working group: agreed, two voluntary sector places.\n")
    reporting.add_paper(report, Upload(minutes.encode(), "text/plain", "decisions.txt"),
                       "Summary of decisions", grace)
    reporting.publish(report, grace)
    report.published_at = latest.starts_at + timedelta(days=3)
    response = reporting.respond(report, people["kezia@example.org"], "Harbourside Youth "
                                "Project would: I can come on Tuesday evenings.",
                                report.questions[0], None, None)
    reporting.respond(report, grace, "Thank you: I'll put your name forward to the "
                     "working group.", None,
                     response, None)
    reporting.respond(report, people["dev@example.org"], "Good news about volunteers being "
                     "named contacts. Thank you for pressing it.", None, None, None)
    for name in ("kezia", "dev", "meilin", "tom"):  # not Ravi yet: his home page shows it
        reporting.mark_read(report, people[f"{name}@example.org"])
    services.raise_item(voluntary, people["meilin@example.org"], "Interpreters at the "
                        "consultation events", "Several of our members would come if there "
                        "were Cantonese interpreters.",
                        organisations["Eastgate Chinese Women's Guild"], None)

    occurrence = reads.occurrences_of([health_meeting], at - timedelta(days=60), at)[0]
    report = reporting.start_report(neighbourhoods, occurrence, jordan)
    report.summary = ("The board agreed to move the Harbourside GP surgery's evening clinic "
                      "to the health centre.")
    report.said = "I passed on the youth project's survey of where young people get advice."
    report.state = ReportState.PUBLISHED
    report.published_at = occurrence.starts_at + timedelta(days=5)
    reporting.add_action(report, "Share the youth project's survey with the clinical "
                        "commissioners", "Jordan Ellis", (at - timedelta(days=7)).date(), jordan)


def meeting(body, organisation_id: int, author: Person, title: str, day: date, start: time,
            *, public: bool, repeats=None, description: str = "") -> Event:
    """A body's meeting in the calendar, added by the seat's holder for their organisation."""
    return calendar.create_event(organisation_id, author, {
        "title": title, "kind": EventKind.MEETING, "body_id": body.id,
        "audience": Audience.PUBLIC if public else Audience.MEMBERS,
        "starts_at": local_moment(day, start),
        "ends_at": local_moment(day, start) + timedelta(hours=2),
        "place": "Riverside Town Hall, Committee Room 2", "description": description}, [],
        repeats)

