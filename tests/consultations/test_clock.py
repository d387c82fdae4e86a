"""The working-time clock of consultations: deadlines, elapsed working time, the calendar's config.

Expected instants are worked out by hand in the comments (Moscow is UTC+3 in every year tested but 2014).
"""

import os
import random
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import config
from app.consultations.clock import WorkingCalendar, calendar_from_config

MSK = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)


def msk(*args) -> datetime:
    return datetime(*args, tzinfo=MSK)


@pytest.fixture(scope="module")
def district():
    """The default calendar: Moscow, Monday to Friday, whole days, the 2026-2027 days off of config.py."""
    return calendar_from_config(
        {"TIMEZONE": "Europe/Moscow", "CONSULTATION_HOLIDAYS": config.Config.CONSULTATION_HOLIDAYS}
    )


@pytest.fixture(scope="module")
def office():
    return WorkingCalendar(MSK, hours=(time(9), time(18)))


def test_friday_evening_question_is_due_on_tuesday_evening(district):
    asked = msk(2026, 11, 20, 19, 30)  # Friday
    # Friday 4.5 h, Saturday and Sunday nothing, Monday 24 h (28.5), Tuesday 19.5 h more: 19:30.
    due = district.deadline(asked, 48)
    assert due == msk(2026, 11, 24, 19, 30)
    assert due.tzinfo is UTC
    assert due == datetime(2026, 11, 24, 16, 30, tzinfo=UTC)


def test_the_clock_of_a_weekend_question_starts_on_monday_at_midnight(district):
    for asked in (msk(2026, 11, 21, 10, 0), msk(2026, 11, 22, 23, 59, 59), msk(2026, 11, 21, 0, 0)):
        assert district.clock_start(asked) == msk(2026, 11, 23, 0, 0)
        assert district.deadline(asked, 48) == msk(2026, 11, 25, 0, 0)  # Monday and Tuesday whole
        assert district.elapsed(asked, msk(2026, 11, 23, 0, 0)) == timedelta(0)
    assert district.clock_start(msk(2026, 11, 23, 8, 15)) == msk(2026, 11, 23, 8, 15)  # already running


def test_a_holiday_in_the_middle_does_not_count(district):
    asked = msk(2026, 11, 3, 10, 0)  # Tuesday; Wednesday 4 November is the Day of National Unity
    # Tuesday 14 h, Wednesday nothing, Thursday 24 h (38), Friday 10 h: 10:00.
    assert district.deadline(asked, 48) == msk(2026, 11, 6, 10, 0)
    assert district.elapsed(msk(2026, 11, 4, 0, 0), msk(2026, 11, 5, 0, 0)) == timedelta(0)


def test_the_new_year_break_is_skipped_whole(district):
    asked = msk(2026, 12, 29, 15, 0)  # Tuesday
    # Tuesday 9 h, Wednesday 24 h (33); 31 December and 1-10 January are days off; Monday 11 January 15 h: 15:00.
    assert district.deadline(asked, 48) == msk(2027, 1, 11, 15, 0)
    assert district.elapsed(asked, msk(2027, 1, 11, 15, 0)) == 48 * H
    assert district.elapsed(msk(2026, 12, 31, 0, 0), msk(2027, 1, 11, 0, 0)) == timedelta(0)
    # The 2026 break, 1-11 January (9 January is 3 January moved by the decree). 31 December 2025 is a working day
    # here: the default list starts with 2026. Wednesday 12 h, Monday 12 January 24 h (36), Tuesday 12 h: 12:00.
    assert district.deadline(msk(2025, 12, 31, 12, 0), 48) == msk(2026, 1, 13, 12, 0)


def test_an_extra_working_saturday_counts():
    usual = WorkingCalendar(MSK)
    moved = WorkingCalendar(MSK, working_days=frozenset({date(2027, 11, 13)}))  # a Saturday worked for a Friday off
    asked = msk(2027, 11, 12, 12, 0)  # Friday
    assert usual.deadline(asked, 24) == msk(2027, 11, 15, 12, 0)  # Friday 12 h, Monday 12 h
    assert moved.deadline(asked, 24) == msk(2027, 11, 13, 12, 0)  # Friday 12 h, Saturday 12 h
    assert moved.elapsed(asked, msk(2027, 11, 15, 12, 0)) == 48 * H
    assert moved.clock_start(msk(2027, 11, 13, 7, 0)) == msk(2027, 11, 13, 7, 0)


def test_asked_exactly_at_midnight(district):
    assert district.deadline(msk(2026, 11, 23, 0, 0), 48) == msk(2026, 11, 25, 0, 0)  # Monday 00:00: Tuesday 24:00
    assert district.deadline(msk(2026, 11, 20, 0, 0), 48) == msk(2026, 11, 24, 0, 0)  # Friday 00:00: Monday 24:00
    assert district.elapsed(msk(2026, 11, 20, 0, 0), msk(2026, 11, 21, 0, 0)) == 24 * H
    assert district.elapsed(msk(2026, 11, 21, 0, 0), msk(2026, 11, 23, 0, 0)) == timedelta(0)


def test_a_target_running_out_at_the_end_of_friday(district):
    asked = msk(2026, 11, 19, 0, 0)  # Thursday
    due = district.deadline(asked, 48)
    assert due == msk(2026, 11, 21, 0, 0)  # Friday 24:00, not Monday 00:00
    assert not district.is_overdue(asked, due, 48)
    assert district.is_overdue(asked, due + timedelta(microseconds=1), 48)
    sunday = msk(2026, 11, 22, 12, 0)
    assert district.is_overdue(asked, sunday, 48)
    assert district.remaining(asked, sunday, 48) == timedelta(0)  # no working time has passed since
    assert district.remaining(asked, msk(2026, 11, 23, 6, 0), 48) == -6 * H


def test_remaining_counts_down_working_time_only(district):
    asked = msk(2026, 11, 20, 19, 30)  # Friday
    assert district.remaining(asked, msk(2026, 11, 22, 12, 0), 48) == 43.5 * H  # only Friday's 4.5 h gone
    assert district.remaining(asked, msk(2026, 11, 24, 18, 30), 48) == H
    assert not district.is_overdue(asked, msk(2026, 11, 24, 19, 29), 48)
    assert district.is_overdue(asked, msk(2026, 11, 24, 19, 31), 48)
    assert district.remaining(asked, msk(2026, 11, 25, 0, 0), 48) == -4.5 * H


def test_working_hours_window(office):
    # 8 working hours from Friday 17:00: Friday 1 h, Monday 09:00-16:00.
    assert office.deadline(msk(2026, 11, 20, 17, 0), 8) == msk(2026, 11, 23, 16, 0)
    assert office.clock_start(msk(2026, 11, 21, 13, 0)) == msk(2026, 11, 23, 9, 0)  # Saturday
    assert office.clock_start(msk(2026, 11, 23, 7, 0)) == msk(2026, 11, 23, 9, 0)  # before opening
    assert office.clock_start(msk(2026, 11, 23, 18, 0)) == msk(2026, 11, 24, 9, 0)  # at closing
    # 48 working hours are 5 days and 3 hours of 9-hour days: Monday to Friday, then Monday 12:00.
    assert office.deadline(msk(2026, 11, 20, 19, 0), 48) == msk(2026, 11, 30, 12, 0)
    assert office.elapsed(msk(2026, 11, 23, 0, 0), msk(2026, 11, 24, 0, 0)) == 9 * H
    assert office.elapsed(msk(2026, 11, 23, 12, 0), msk(2026, 11, 23, 20, 0)) == 6 * H
    # A target that ends at closing time is due then, not at the next opening.
    assert office.deadline(msk(2026, 11, 23, 9, 0), 9) == msk(2026, 11, 23, 18, 0)


def test_window_ending_at_midnight():
    evenings = WorkingCalendar(MSK, hours=(time(18), time(0)))
    assert evenings.working_span(date(2026, 11, 23)) == (msk(2026, 11, 23, 18, 0), msk(2026, 11, 24, 0, 0))
    assert evenings.deadline(msk(2026, 11, 23, 12, 0), 8) == msk(2026, 11, 24, 20, 0)


def test_zone_with_summer_time_counts_real_hours():
    """Europe/Berlin moves its clocks on 29 March 2026 (02:00 → 03:00) and 25 October 2026 (03:00 → 02:00)."""
    always = WorkingCalendar(BERLIN, weekdays=frozenset(range(7)))
    asked = datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN)  # 11:00 UTC
    assert always.deadline(asked, 24) == datetime(2026, 3, 29, 13, 0, tzinfo=BERLIN)  # 11:00 UTC: one real day later
    assert always.elapsed(datetime(2026, 3, 29, tzinfo=BERLIN), datetime(2026, 3, 30, tzinfo=BERLIN)) == 23 * H
    assert always.elapsed(datetime(2026, 10, 25, tzinfo=BERLIN), datetime(2026, 10, 26, tzinfo=BERLIN)) == 25 * H

    # A working Sunday on the day of the change is 23 hours long. From Friday 12:00: Friday 12 h, Sunday 23 h (35),
    # Monday 13 h: 13:00 summer time, which a fixed +01:00 would have put at 14:00.
    sunday = WorkingCalendar(BERLIN, working_days=frozenset({date(2026, 3, 29)}))
    due = sunday.deadline(datetime(2026, 3, 27, 12, 0, tzinfo=BERLIN), 48)
    assert due == datetime(2026, 3, 30, 13, 0, tzinfo=BERLIN)
    assert due == datetime(2026, 3, 30, 11, 0, tzinfo=UTC)


def test_moscow_is_read_from_the_zone_database_not_assumed():
    # Moscow went from UTC+4 to UTC+3 on 26 October 2014 at 02:00: that day had 25 hours.
    always = WorkingCalendar(MSK, weekdays=frozenset(range(7)))
    assert always.elapsed(msk(2014, 10, 26, 0, 0), msk(2014, 10, 27, 0, 0)) == 25 * H
    assert always.working_span(date(2014, 10, 25))[0] == datetime(2014, 10, 24, 20, 0, tzinfo=UTC)


def test_instants_in_any_zone_give_utc(district):
    asked = datetime(2026, 11, 20, 16, 30, tzinfo=UTC)  # Friday 19:30 in Moscow
    due = district.deadline(asked.astimezone(ZoneInfo("Asia/Vladivostok")), 48)
    assert due == msk(2026, 11, 24, 19, 30)
    assert due.tzinfo is UTC


def reference_elapsed(calendar: WorkingCalendar, start: datetime, end: datetime) -> timedelta:
    """Day by day, for comparison: each local date's working span clipped to [start, end]."""
    total, day = timedelta(0), start.astimezone(calendar.zone).date() - timedelta(days=1)
    while day <= end.astimezone(calendar.zone).date():
        if calendar.is_working_day(day):
            opens, closes = calendar.hours or (time(0), time(0))
            # In UTC: Python subtracts two datetimes of one zone as wall-clock times, ignoring a change between.
            span_start = datetime.combine(day, opens, tzinfo=calendar.zone).astimezone(UTC)
            span_end = datetime.combine(day + timedelta(days=closes == time(0)), closes, tzinfo=calendar.zone)
            span_end = span_end.astimezone(UTC)
            total += max(min(end, span_end) - max(start, span_start), timedelta(0))
        day += timedelta(days=1)
    return total


CALENDARS = {
    "whole days, Moscow holidays": WorkingCalendar(MSK, holidays=frozenset(config.Config.CONSULTATION_HOLIDAYS)),
    "09:00-18:00 with a working Saturday": WorkingCalendar(
        MSK, hours=(time(9), time(18)), working_days=frozenset({date(2027, 11, 13)})
    ),
    "Berlin, every day": WorkingCalendar(BERLIN, weekdays=frozenset(range(7))),
    "Berlin, 02:30-03:30 through both changes": WorkingCalendar(BERLIN, hours=(time(2, 30), time(3, 30))),
}


@pytest.mark.parametrize("name", CALENDARS)
def test_elapsed_agrees_with_deadline_and_with_counting_day_by_day(name):
    calendar = CALENDARS[name]
    rng = random.Random(5)
    span = (datetime(2028, 1, 1, tzinfo=UTC) - datetime(2025, 12, 1, tzinfo=UTC)).total_seconds()
    for _ in range(300):
        asked = datetime(2025, 12, 1, tzinfo=UTC) + timedelta(seconds=rng.uniform(0, span))
        hours = rng.choice([0.5, 1, 8, 24, 48, 100, 1000]) + rng.randrange(0, 3600) / 3600
        due = calendar.deadline(asked, hours)
        assert due >= asked
        assert calendar.elapsed(asked, due) == timedelta(hours=hours)
        assert calendar.remaining(asked, due, hours) == timedelta(0)
        assert not calendar.is_overdue(asked, due, hours)
        later = asked + timedelta(seconds=rng.uniform(0, 90 * 86400))
        assert calendar.elapsed(asked, later) == reference_elapsed(calendar, asked, later)
        assert calendar.elapsed(later, asked) == -calendar.elapsed(asked, later)


def test_naive_datetimes_are_refused(district):
    naive, aware = datetime(2026, 11, 20, 19, 30), msk(2026, 11, 20, 19, 30)
    calls = [
        lambda: district.deadline(naive, 48),
        lambda: district.elapsed(naive, aware),
        lambda: district.elapsed(aware, naive),
        lambda: district.remaining(aware, naive, 48),
        lambda: district.is_overdue(naive, aware, 48),
        lambda: district.clock_start(naive),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="naive"):
            call()


def test_impossible_calendars_and_targets_are_refused(district):
    with pytest.raises(ValueError, match="negative"):
        district.deadline(msk(2026, 11, 20, 19, 30), -1)
    with pytest.raises(ValueError, match="2027-11-13"):
        WorkingCalendar(MSK, holidays=frozenset({date(2027, 11, 13)}), working_days=frozenset({date(2027, 11, 13)}))
    with pytest.raises(ValueError, match="start before"):
        WorkingCalendar(MSK, hours=(time(18), time(9)))
    with pytest.raises(ValueError, match="weekdays"):
        WorkingCalendar(MSK, weekdays=frozenset({7}))
    with pytest.raises(ValueError, match="no working time"):
        WorkingCalendar(MSK, weekdays=frozenset()).deadline(msk(2026, 11, 20, 19, 30), 1)


def test_calendar_from_the_app_config(app):
    calendar = calendar_from_config(app.config)
    assert calendar.zone == MSK
    assert calendar.hours is None
    assert calendar.weekdays == frozenset(range(5))
    assert date(2026, 11, 4) in calendar.holidays
    assert calendar is calendar_from_config(app.config)  # kept, with its per-year totals
    assert app.config["CONSULTATION_TARGET_HOURS"] == 48

    overrides = {
        "TIMEZONE": "Asia/Yekaterinburg",
        "CONSULTATION_HOLIDAYS": ["2026-11-23"],
        "CONSULTATION_WORKING_DAYS": (date(2026, 11, 21),),
        "CONSULTATION_WORKING_HOURS": (time(9), time(18)),
    }
    custom = calendar_from_config(overrides)
    assert custom.zone == ZoneInfo("Asia/Yekaterinburg")
    assert custom.holidays == frozenset({date(2026, 11, 23)})
    assert custom.is_working_day(date(2026, 11, 21))
    assert custom.hours == (time(9), time(18))


def test_default_days_off_are_the_weekdays_off_of_2026_and_2027():
    days = config.Config.CONSULTATION_HOLIDAYS
    assert all(day.weekday() < 5 for day in days)  # Saturdays and Sundays need no listing
    assert {date(2026, 1, 9), date(2026, 12, 31), date(2026, 3, 9), date(2026, 5, 11)} <= set(days)  # decree 1466
    assert {date(2027, 5, 3), date(2027, 5, 10), date(2027, 6, 14)} <= set(days)  # Labour Code art. 112, part 2
    assert len([day for day in days if day.year == 2026]) == 14
    assert config.Config.CONSULTATION_WORKING_DAYS == ()


def test_config_parsers(monkeypatch):
    monkeypatch.setenv("X_DATES", " 2026-11-04,2026-01-09  2026-11-04\n2027-01-04, ")
    assert config._dates("X_DATES") == (date(2026, 1, 9), date(2026, 11, 4), date(2027, 1, 4))
    monkeypatch.setenv("X_DATES", "")
    assert config._dates("X_DATES", "2026-11-04") == ()  # set empty: no holidays at all
    monkeypatch.delenv("X_DATES")
    assert config._dates("X_DATES", "2026-11-04") == (date(2026, 11, 4),)

    for value, expected in [
        ("09:00-18:00", (time(9), time(18))),
        ("08:30 - 24:00", (time(8, 30), time(0))),
        ("", None),
    ]:
        monkeypatch.setenv("X_HOURS", value)
        assert config._hours_window("X_HOURS") == expected


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("CONSULTATION_TARGET_HOURS", "two days", "CONSULTATION_TARGET_HOURS='two days': a whole number expected"),
        ("CONSULTATION_TARGET_HOURS", "0", "CONSULTATION_TARGET_HOURS='0': at least 1 expected"),
        ("CONSULTATION_HOLIDAYS", "2026-11-04,04.11.2026", "CONSULTATION_HOLIDAYS: '04.11.2026' is not a date"),
        ("CONSULTATION_WORKING_DAYS", "2027-02-30", "CONSULTATION_WORKING_DAYS: '2027-02-30' is not a date"),
        ("CONSULTATION_WORKING_DAYS", "2026-11-04", "CONSULTATION_WORKING_DAYS and CONSULTATION_HOLIDAYS both list"),
        ("CONSULTATION_WORKING_HOURS", "9-18", "CONSULTATION_WORKING_HOURS='9-18': working hours written as HH:MM"),
        ("CONSULTATION_WORKING_HOURS", "09:00-25:00", "CONSULTATION_WORKING_HOURS='09:00-25:00'"),
        ("CONSULTATION_WORKING_HOURS", "18:00-09:00", "must start before they end"),
    ],
)
def test_a_bad_setting_stops_the_app_from_starting(variable, value, message):
    root = Path(config.__file__).parent
    env = {**os.environ, variable: value}
    result = subprocess.run(
        [sys.executable, "-c", "import config"], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert message in result.stderr.splitlines()[-1]
