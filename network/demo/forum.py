"""The demo borough's forum: categories, threads with replies, one held post and one flag."""

from __future__ import annotations

from datetime import datetime, timedelta

from network.auth.models import Person
from network.core.audience import Audience
from network.extensions import db
from network.forum import services
from network.forum.models import Category, Flag, Post, PostState, Thread, ThreadWatch

CATEGORIES = [
    ("Announcements", "News from the coordinators and member groups.", Audience.MEMBERS),
    ("Premises and equipment", "Rooms, halls, kit and who can lend what.", Audience.MEMBERS),
    ("Funding and bids", "Grants, joint bids and who is applying for what.", Audience.MEMBERS),
    ("The strategic partnership", "Getting ready for the borough's partnership board, and "
     "what our representatives hear there.", Audience.MEMBERS),
    ("Coordinators' room", "For the secretariat only.", Audience.COORDINATORS),
]

# category, title, [(author email, hours ago, text)]
THREADS = [
    ("Announcements", "Welcome to the network's forum", [
        ("coordinator@example.org", 24 * 20,
         "This is the place to ask, offer and plan together.\n\n"
         "- Be kind, and assume good faith.\n- Say which group you are from.\n"
         "- Flag anything that worries you: a coordinator will look at it."),
        ("pat@example.org", 24 * 19, "Thanks Amara. The Federation is glad to be here."),
        ("grace@example.org", 24 * 19, "Hello from the Multi-Faith Forum!"),
    ]),
    ("Premises and equipment", "Borrowing the Millfield hall for a Saturday?", [
        ("jordan@example.org", 24 * 6,
         "The Youth Project needs a hall for a **football tournament presentation** on a "
         "Saturday in March, about 60 people. Who has one?"),
        ("dev@example.org", 24 * 5,
         "Millfield community hall is free most Saturdays. It holds 80. Ask me about keys."),
        ("grace@example.org", 24 * 5,
         "> Millfield community hall is free most Saturdays.\n\n"
         "We used it last year: it's great, but the heating takes an hour to warm up."),
        ("jordan@example.org", 24 * 4, "Thanks @Dev Patel, I'll message you."),
    ]),
    ("Premises and equipment", "Gazebos and a PA system to lend", [
        ("dev@example.org", 24 * 3,
         "We have 3 gazebos, a PA system and 40 hi-vis vests. Free to member groups: "
         "collect and return the same week."),
        ("lena@example.org", 24 * 2, "Could Green Spoon borrow two gazebos for the food "
         "festival on the 14th?"),
        ("dev@example.org", 24 * 2, "Yes, they're yours."),
    ]),
    ("Funding and bids", "Joint bid to the community wellbeing fund", [
        ("tom@example.org", 24 * 9,
         "The Credit Union is thinking of a joint bid on **money worries and mental health**. "
         "Deadline is the end of next month. Who wants in?"),
        ("meilin@example.org", 24 * 8,
         "The Guild would. Many of our older members don't claim what they're owed."),
        ("bridget@example.org", 24 * 8,
         "Travellers' Support Group too: we see this every week."),
        ("pat@example.org", 24 * 7, "Count us in. We can host the planning meeting."),
        ("ravi@example.org", 24 * 7, "I can help with the budget spreadsheet."),
    ]),
    ("The strategic partnership", "What should we raise at the March board?", [
        ("grace@example.org", 24 * 3,
         "I sit on the partnership board for the network. The March agenda has the "
         "**community safety plan** and the **voluntary sector compact**. What should I raise?"),
        ("pat@example.org", 24 * 2,
         "Please ask why the compact still has no money attached to it."),
        ("ravi@example.org", 24 * 2, "And street lighting on the Riverside estate."),
        ("kezia@example.org", 30,
         "The youth club would like the board to hear from young people directly."),
    ]),
    ("Coordinators' room", "Rota for the spring open day", [
        ("coordinator@example.org", 24 * 4, "Who can staff the welcome desk in the morning?"),
        ("admin@example.org", 24 * 3, "I can do 9 to 12."),
    ]),
]


NEW_MEMBER = "kezia@example.org"  # her first post waits for a coordinator's approval


def last_years_introductions(people: dict[str, Person]) -> list[tuple[str, int, str]]:
    """The network has a past: members who have posted before are not held for review."""
    messages = []
    for email, person in people.items():
        if email != NEW_MEMBER and person.is_member and not person.is_coordinator:
            messages.append((email, 24 * 300, f"Hello, I'm {person.display_name}."))
            messages.append((email, 24 * 299, "Looking forward to working together."))
    return messages


def load_forum(people: dict[str, Person], now: datetime) -> None:
    categories = {}
    for position, (name, description, audience) in enumerate(CATEGORIES):
        categories[name] = Category(name=name, description=description, position=position,
                                    audience=audience)
    categories["Archive 2025"] = Category(
        name="Archive 2025", description="Last year's forum, kept for reference.",
        position=99, archived_at=now - timedelta(days=30))
    db.session.add_all(categories.values())
    db.session.flush()
    posts = {}
    threads = [*THREADS, ("Archive 2025", "Introductions", last_years_introductions(people))]
    for category_name, title, messages in threads:
        first_author = people[messages[0][0]]
        started = now - timedelta(hours=messages[0][1])
        thread = Thread(category=categories[category_name], title=title, author=first_author,
                        organisation_id=services.organisation_of(first_author),
                        created_at=started, last_activity_at=started)
        db.session.add(thread)
        for email, hours_ago, text in messages:
            author = people[email]
            post = Post(thread=thread, author=author, body=text,
                        organisation_id=services.organisation_of(author),
                        created_at=now - timedelta(hours=hours_ago),
                        state=PostState.HELD if email == NEW_MEMBER else PostState.VISIBLE)
            db.session.add(post)
            posts[title, email] = post
        db.session.flush()
        services.refresh_thread(thread)
        # Everyone who posted in a thread watches it.
        for author_id in {people[email].id for email, _hours, _text in messages}:
            db.session.add(ThreadWatch(person_id=author_id, thread_id=thread.id))
    flagged = posts["Borrowing the Millfield hall for a Saturday?", "grace@example.org"]
    db.session.add(Flag(post_id=flagged.id, person_id=people["ravi@example.org"].id,
                        reason="Is this fair on Millfield? The heating was fixed in January.",
                        created_at=now - timedelta(hours=20)))
