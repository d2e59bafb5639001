from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from schedules import (
    LOCAL_TZ,
    Interval,
    SlotSpec,
    SlotSpecError,
    airtimes_of,
    firsts,
    late_policy,
    local_iso,
    occurrences,
    overlaps,
)
from schedules.recurrence import last_occurrence


def local(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


def test_daily_at_two_times_for_a_range_in_local_time() -> None:
    spec = SlotSpec(
        times=(time(6), time(17)), start_date=date(2026, 3, 15), end_date=date(2026, 3, 25)
    )
    found = occurrences(spec, local(2026, 3, 1, 0), local(2026, 4, 1, 0))
    assert len(found) == 22
    assert found[0] == local(2026, 3, 15, 6).astimezone(UTC)
    assert found[0].hour == 23 and found[0].day == 14  # 06:00 in Hà Nội is 23:00 UTC
    assert found[-1] == local(2026, 3, 25, 17).astimezone(UTC)


def test_weekdays_and_window_bounds() -> None:
    spec = SlotSpec(
        times=(time(18, 30),),
        weekdays=(0, 2, 4),
        start_date=date(2026, 11, 23),
        end_date=date(2026, 12, 6),
    )
    found = occurrences(spec, local(2026, 11, 23, 18, 30), local(2026, 11, 30, 18, 30))
    assert [f.astimezone(LOCAL_TZ).weekday() for f in found] == [0, 2, 4]  # end excluded


def test_one_off() -> None:
    at = local(2026, 12, 1, 7, 30)
    assert occurrences(SlotSpec(at=at), at - timedelta(1), at + timedelta(1)) == [at]
    assert occurrences(SlotSpec(at=at), at + timedelta(seconds=1), at + timedelta(1)) == []


@pytest.mark.parametrize(
    ("kwargs", "vi"),
    [
        (
            {"times": (time(6),), "start_date": date(2026, 3, 5), "end_date": date(2026, 3, 1)},
            "ngày kết thúc trước ngày bắt đầu",
        ),
        ({"times": (), "start_date": date(2026, 3, 1), "end_date": date(2026, 3, 5)}, "giờ phát"),
        (
            {
                "times": (time(6),),
                "start_date": date(2026, 3, 1),
                "end_date": date(2026, 3, 5),
                "weekdays": (7,),
            },
            "thứ trong tuần",
        ),
        ({"at": datetime(2026, 3, 1, 6)}, "múi giờ"),
    ],
)
def test_impossible_slots_say_why_in_both_languages(kwargs: dict[str, object], vi: str) -> None:
    with pytest.raises(SlotSpecError) as caught:
        SlotSpec(**kwargs)  # type: ignore[arg-type]
    assert vi in caught.value.vi and str(caught.value)


def test_overlaps_and_late_policy() -> None:
    t = local(2026, 1, 1, 6)
    a = Interval(t, t + timedelta(minutes=2), "a")
    b = Interval(t + timedelta(minutes=1), t + timedelta(minutes=3), "b")
    c = Interval(t + timedelta(minutes=3), t + timedelta(minutes=4), "c")
    assert overlaps([c, b, a]) == [(a, b)]
    grace = timedelta(minutes=5)
    assert late_policy(t, t - timedelta(seconds=1), grace) == "wait"
    assert late_policy(t, t + timedelta(minutes=5), grace) == "play"
    assert late_policy(t, t + timedelta(minutes=5, seconds=1), grace) == "miss"


def test_moments_read_in_hanoi_time_rounded_to_the_second() -> None:
    airtime = datetime(2026, 12, 1, 14, 48, 2, tzinfo=UTC)
    assert local_iso(airtime) == "2026-12-01T21:48:02+07:00"
    assert local_iso(airtime - timedelta(milliseconds=44)) == "2026-12-01T21:48:02+07:00"
    assert local_iso(airtime + timedelta(milliseconds=700)) == "2026-12-01T21:48:03+07:00"
    assert local_iso(None) is None


def test_an_occurrence_repeats_at_its_interval_and_a_window_sees_each_repeat() -> None:
    """ "Three times, five minutes apart" for a 60 s notice: starts 6 minutes apart."""
    every = timedelta(minutes=6)
    spec = SlotSpec(
        times=(time(6),),
        start_date=date(2026, 12, 1),
        end_date=date(2026, 12, 2),
        repeats=3,
        repeat_every=every,
    )
    six = local(2026, 12, 1, 6).astimezone(UTC)
    day = occurrences(spec, local(2026, 12, 1, 0), local(2026, 12, 2, 0))
    assert day == [six, six + every, six + 2 * every]
    # a window that starts after the occurrence still sees its later repeats
    assert occurrences(spec, six + timedelta(minutes=1), six + timedelta(hours=1)) == day[1:]
    assert firsts(spec, local(2026, 12, 1, 0), local(2026, 12, 3, 0)) == [
        six,
        six + timedelta(days=1),
    ]
    assert airtimes_of(spec, six) == day
    assert last_occurrence(spec) == six + timedelta(days=1) + 2 * every
    with pytest.raises(SlotSpecError, match="1 to 10"):
        SlotSpec(at=six, repeats=11, repeat_every=every)
    with pytest.raises(SlotSpecError, match="time between them") as refused:
        SlotSpec(at=six, repeats=2)
    assert refused.value.vi == "các lần phát lặp cần cách nhau một khoảng"
