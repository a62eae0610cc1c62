"""The shared pieces every form and header uses: a day within reach, and one clean line."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from werkzeug.datastructures import MultiDict

from network.core.fields import DayField, DayWithin
from network.core.forms import Form
from network.core.text import one_line


class EventDay(Form):
    class Meta:
        csrf = False

    day = DayField("Day", validators=[DayWithin(-365, 3650)])


@pytest.fixture
def request_context(sqlite_app):
    with sqlite_app.test_request_context():
        yield


@pytest.mark.parametrize("offset, accepted", [(-366, False), (-365, True), (0, True),
                                              (3650, True), (3651, False)])
def test_a_day_is_taken_within_its_reach_of_today_and_refused_beyond(request_context, clock,
                                                                      offset, accepted):
    day = clock.today() + timedelta(days=offset)
    form = EventDay(MultiDict({"day": day.isoformat()}))
    assert form.validate() is accepted
    if not accepted:
        first, last = clock.today() - timedelta(days=365), clock.today() + timedelta(days=3650)
        assert form.day.errors == [f"Give a day from {first.day} {first:%B %Y} to "
                                   f"{last.day} {last:%B %Y}."]


def test_a_day_the_record_already_had_is_kept_though_out_of_reach(request_context):
    record = SimpleNamespace(day=date(1900, 1, 1))
    assert EventDay(MultiDict({"day": "1900-01-01"}), obj=record).validate()
    assert not EventDay(MultiDict({"day": "1900-01-02"}), obj=record).validate()


def test_the_date_picker_is_offered_only_the_days_in_reach(request_context, clock):
    html = str(EventDay().day())
    first, last = clock.today() - timedelta(days=365), clock.today() + timedelta(days=3650)
    assert f'min="{first.isoformat()}"' in html and f'max="{last.isoformat()}"' in html


@pytest.mark.parametrize("text, line", [
    ("Room flooded.\r\nSee the new date.", "Room flooded. See the new date."),
    ("one\u2028two\u2029three\x85four", "one two three four"),
    ("a\x00b\tc\x0bd\x0ce", "a b c d e"),
    ("  spaced   out  ", "spaced out"),
])
def test_a_persons_text_becomes_one_clean_line(text, line):
    assert one_line(text) == line


def test_a_long_text_ends_in_an_ellipsis_at_its_limit():
    line = one_line("word " * 3000, limit=200)
    assert len(line) <= 200 and line.endswith("\u2026") and "\n" not in line
