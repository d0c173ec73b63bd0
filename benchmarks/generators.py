"""Deterministic synthetic device files, shared by the tests and the benchmarks.

There is no public real Apple Health ``export.xml`` (it is personal data), so
:func:`write_apple_health_export` builds one that reproduces the real format's traps, as reported
by the export tools' issue trackers and in a census of a real 3.1 GB export
(neiltron/apple-health-mcp, ``docs/reference/apple-health-export-xml.md``):

* the iOS 16 inline DTD with a broken ``<!ATTLIST VisionPrescription`` (no closing ``>``), which
  makes every XML parser stop at "syntax error: line 156" (jameno/Simple-Apple-Health-XML-to-CSV#3,
  fedecalendino/apple-health#1);
* a stray ``\\x0b`` control character, not allowed in XML 1.0 (same pull request);
* the same steps recorded by the iPhone *and* the Apple Watch (and, some hours, a third-party
  pedometer app), so that a naive sum double-counts;
* ``MetadataEntry`` children on records and workouts, ``HeartRateVariabilityMetadataList`` with
  ``InstantaneousBeatsPerMinute`` children under a type whose name starts with ``…HeartRate``;
* record attributes in varying order and without ``device`` for third-party sources;
* Workouts with ``WorkoutStatistics`` children (iOS 16+) and with the legacy ``totalDistance`` /
  ``totalEnergyBurned`` attributes (iOS 15 and earlier); heart rate every 5 s during workouts;
* non-ASCII source names ("Anna’s iPhone"), local times with UTC offsets that change between
  winter and summer.

The file is written as repeated day blocks: seven day templates (one per weekday) are rendered once
with placeholders for the date and the UTC offset, and each day substitutes its own. Writing 1 GB
therefore costs little more than the disk write. The expected values (steps per day after
de-duplication, workouts with their heart-rate summary) are computed from the templates by the
same plain Python that builds them, independently of any reader.
"""

from __future__ import annotations

import random
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import IO

_D = "@@D@@"  # date placeholder in the templates
_Z = "@@Z@@"  # UTC-offset placeholder

PHONE = "Anna’s iPhone"
WATCH = "Anna’s Apple Watch"
PEDOMETER = "Pedometer++"
STRAP = "Polar Flow"
_PHONE_DEVICE = (
    "&lt;&lt;HKDevice: 0x2834b1e00&gt;, name:iPhone, manufacturer:Apple Inc., model:iPhone, "
    "hardware:iPhone14,5, software:16.1&gt;"
)
_WATCH_DEVICE = (
    "&lt;&lt;HKDevice: 0x2834b1f40&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, "
    "hardware:Watch6,2, software:9.1&gt;"
)

# The iOS 16 DTD as exported (HealthKit Export Version 12), abridged, with Apple's broken
# VisionPrescription declaration (the ATTLIST is never closed) that stops expat at its line.
_DTD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 12 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord|\
VisionPrescription)*)>
<!ATTLIST HealthData locale CDATA #REQUIRED>
<!ELEMENT ExportDate EMPTY>
<!ATTLIST ExportDate value CDATA #REQUIRED>
<!ELEMENT Me EMPTY>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record
  type CDATA #REQUIRED  unit CDATA #IMPLIED  value CDATA #IMPLIED  sourceName CDATA #REQUIRED
  sourceVersion CDATA #IMPLIED  device CDATA #IMPLIED  creationDate CDATA #IMPLIED
  startDate CDATA #REQUIRED  endDate CDATA #REQUIRED
>
<!ELEMENT Workout ((MetadataEntry|WorkoutEvent|WorkoutRoute|WorkoutStatistics)*)>
<!ELEMENT VisionPrescription ((RightEye|LeftEye|Attachment|MetadataEntry)*)>
<!ATTLIST VisionPrescription
  type             CDATA #REQUIRED
  dateIssued       CDATA #REQUIRED
  expirationDate   CDATA #REQUIRED
  brand            CDATA #IMPLIED

<!ELEMENT RightEye EMPTY>
]>
"""

_WEEKDAY_WORKOUT = {  # weekday -> (activity type, start hour, minutes, legacy attributes?)
    0: ("HKWorkoutActivityTypeWalking", 8, 35, False),
    1: ("HKWorkoutActivityTypeRunning", 18, 32, False),
    2: ("HKWorkoutActivityTypeWalking", 7, 41, False),
    3: ("HKWorkoutActivityTypeCycling", 17, 58, True),
    4: ("HKWorkoutActivityTypeWalking", 12, 28, False),
    5: ("HKWorkoutActivityTypeRunning", 9, 46, False),
}


@dataclass(frozen=True, slots=True)
class GeneratedWorkout:
    """One workout as written, with the values a reader must reproduce."""

    start: datetime
    end: datetime
    activity_type: str
    duration_s: float
    distance_m: float
    energy_kcal: float
    hr_samples: int  # heart-rate records (any source) with start in [start, end]
    avg_hr: float
    max_hr: float


@dataclass(frozen=True, slots=True)
class AppleHealthStats:
    """What :func:`write_apple_health_export` wrote."""

    path: Path
    bytes_written: int
    days: int
    first_day: date
    records: int
    heart_rate_records: int
    step_records: int
    steps_per_day: dict[date, int]  # after de-duplication: per clock hour, the source with most steps
    raw_steps_per_day: dict[date, int]  # every source summed: the double count a naive reader makes
    utc_offset: dict[date, timedelta]
    workouts: tuple[GeneratedWorkout, ...]


@dataclass(slots=True)
class _Template:
    """One weekday's records, workouts and summary, rendered with placeholders."""

    records: bytes = b""
    workout: bytes = b""
    summary: bytes = b""
    n_records: int = 0
    n_hr: int = 0
    n_steps: int = 0
    steps_dedup: int = 0
    steps_raw: int = 0
    # (start s, end s, type, duration s, distance m, kcal, hr values in the interval)
    workouts: list[tuple[int, int, str, float, float, float, list[int]]] = field(default_factory=list)


def _t(seconds: int) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{_D} {h:02d}:{m:02d}:{s:02d} {_Z}"


_Q = "HKQuantityTypeIdentifier"


def _record(kind: str, source: str, unit: str, start: int, end: int, value: str, *, device: str) -> str:
    """A record's start tag, unclosed, in Apple's usual attribute order (type, source, version,
    device, unit, dates, value); no ``unit`` for category types, no ``device`` when empty."""
    dev = f' device="{device}"' if device else ""
    unit_attr = f' unit="{unit}"' if unit else ""
    version = "16.1" if source == PHONE else "9.1"
    return (
        f' <Record type="{kind}" sourceName="{source}" sourceVersion="{version}"{dev}{unit_attr} '
        f'creationDate="{_t(min(end + 7, 86399))}" startDate="{_t(start)}" endDate="{_t(end)}" '
        f'value="{value}"'
    )


def _third_party(kind: str, source: str, unit: str, start: int, end: int, value: str) -> str:
    """A third-party app's record: no device, attributes in another order (value before dates)."""
    unit_attr = f' unit="{unit}"' if unit else ""
    return (
        f' <Record type="{kind}"{unit_attr} value="{value}" sourceName="{source}" sourceVersion="5.2" '
        f'creationDate="{_t(min(end + 60, 86399))}" startDate="{_t(start)}" endDate="{_t(end)}"/>'
    )


def _hrv_beats(rng: random.Random) -> str:
    """The children of an HRV record: a minute of per-beat readings."""
    beats = "\n".join(
        f'   <InstantaneousBeatsPerMinute bpm="{rng.randrange(55, 80)}" time="7:00:{s:02d}.5 PM"/>'
        for s in range(60)
    )
    return (
        f">\n  <HeartRateVariabilityMetadataList>\n{beats}\n  </HeartRateVariabilityMetadataList>\n </Record>"
    )


class _DayBuilder:
    """Builds one weekday's template; every expected value is tallied as the lines are made."""

    def __init__(self, weekday: int, seed: int) -> None:
        self.weekday = weekday
        self.rng = random.Random(seed * 7919 + weekday)
        self.lines: list[tuple[int, str]] = []  # (start s, text) sorted by time at the end
        self.hr: list[tuple[int, int]] = []  # (time s, bpm) of every heart-rate record
        self.steps: list[tuple[int, str, int]] = []  # (start s, source, count)
        self.tpl = _Template()

    def build(self) -> _Template:
        """Make the day's lines and tally what a reader must find in them."""
        spec = _WEEKDAY_WORKOUT.get(self.weekday)
        window = None
        if spec is not None:
            start = spec[1] * 3600 + self.rng.randrange(0, 1200)
            window = (start, start + spec[2] * 60 + self.rng.randrange(0, 50))
        self._steps()
        self._background_hr(window)
        self._bulk()
        if spec is not None and window is not None:
            self._workout_hr(spec[0], window)
            self._workout(spec[0], window, legacy=spec[3])
        self.lines.sort(key=lambda item: item[0])
        tpl = self.tpl
        tpl.records = "".join(text + "\n" for _, text in self.lines).encode()
        tpl.n_records = sum(text.count("<Record ") for _, text in self.lines)
        tpl.n_hr, tpl.n_steps = len(self.hr), len(self.steps)
        tpl.steps_raw = sum(count for _, _, count in self.steps)
        tpl.steps_dedup = _dedup_hourly(self.steps)
        tpl.summary = (
            f' <ActivitySummary dateComponents="{_D}" activeEnergyBurned="{self.rng.randrange(200, 700)}" '
            'activeEnergyBurnedGoal="500" activeEnergyBurnedUnit="Cal" appleExerciseTime="31" '
            'appleExerciseTimeGoal="30" appleStandHours="12" appleStandHoursGoal="12"/>\n'
        ).encode()
        return tpl

    def _add(self, kind: str, source: str, unit: str, start: int, end: int, value: str, **kw: str) -> None:
        """Add a record: by default the watch's, self-closed (``tail`` gives children instead)."""
        text = _record(kind, source, unit, start, end, value, device=kw.get("device", _WATCH_DEVICE))
        self.lines.append((start, text + kw.get("tail", "/>")))

    def _steps(self) -> None:
        """Phone and watch both count the waking hours' steps; a pedometer app copies some hours."""
        rng = self.rng
        for hour in range(7, 23):
            for source, device in ((PHONE, _PHONE_DEVICE), (WATCH, _WATCH_DEVICE)):
                t = hour * 3600 + rng.randrange(0, 600)
                while t < (hour + 1) * 3600 - 60:
                    end, count = min(t + rng.randrange(60, 600), 86399), rng.randrange(5, 700)
                    self.steps.append((t, source, count))
                    self._add(f"{_Q}StepCount", source, "count", t, end, str(count), device=device)
                    km = f"{count * 0.00072:.5f}"
                    self._add(f"{_Q}DistanceWalkingRunning", source, "km", t, end, km, device=device)
                    t = end + rng.randrange(30, 900)
            if hour % 5 == 0:  # a third-party app that re-writes some hours of steps
                count, start = rng.randrange(300, 2000), hour * 3600 + 1800
                self.steps.append((start, PEDOMETER, count))
                text = _third_party(f"{_Q}StepCount", PEDOMETER, "count", start, start + 1500, str(count))
                self.lines.append((start, text))

    def _add_hr(self, t: int, bpm: int, *, strap: bool = False, meta: str = "") -> None:
        self.hr.append((t, bpm))
        if strap:
            self.lines.append((t, _third_party(f"{_Q}HeartRate", STRAP, "count/min", t, t, str(bpm))))
        else:
            tail = f">\n  {meta}\n </Record>" if meta else "/>"
            self._add(f"{_Q}HeartRate", WATCH, "count/min", t, t, str(bpm), tail=tail)

    def _background_hr(self, window: tuple[int, int] | None) -> None:
        """The watch's background reading every ~5 minutes, with its motion context."""
        rng = self.rng
        for slot in range(288):
            t = slot * 300 + rng.randrange(0, 240)
            if window is not None and window[0] - 300 <= t <= window[1] + 300:
                continue
            motion = '<MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="1"/>'
            meta = motion if slot % 3 == 0 else ""
            if slot == 20 and self.weekday == 0:  # the stray vertical tab of iOS 16 exports
                meta = '<MetadataEntry key="HKMetadataKeySyncIdentifier" value="\x0b"/>'
            self._add_hr(t, rng.randrange(52, 95), meta=meta)

    def _bulk(self) -> None:
        """What a reader of heart rate and steps must skip: most of a real export."""
        rng = self.rng
        for minute in range(7 * 60, 23 * 60):  # active energy, every minute while awake
            t = minute * 60 + rng.randrange(0, 20)
            self._add(f"{_Q}ActiveEnergyBurned", WATCH, "Cal", t, t + 60, f"{rng.random() * 3:.3f}")
        for t in range(0, 86400, 900):
            self._add(f"{_Q}BasalEnergyBurned", WATCH, "Cal", t, t + 899, f"{15 + rng.random():.3f}")
        for t in range(8 * 3600 + 600, 22 * 3600, 3600):  # a category type: a text value, no unit
            self._add("HKCategoryTypeIdentifierAppleStandHour", WATCH, "", t, t + 3000, "Stood")
        for t in (3 * 3600, 11 * 3600, 19 * 3600):  # HRV: a "HeartRate…" type with per-beat children
            sdnn = f"{20 + rng.random() * 40:.4f}"
            self._add(f"{_Q}HeartRateVariabilitySDNN", WATCH, "ms", t, t + 60, sdnn, tail=_hrv_beats(rng))
        for kind, t in (("RestingHeartRate", 86000), ("WalkingHeartRateAverage", 86100)):
            self._add(f"{_Q}{kind}", WATCH, "count/min", t, t + 200, str(rng.randrange(50, 110)), device="")
        asleep = "HKCategoryValueSleepAnalysisAsleepCore"
        for source in ("SleepCycle", "AutoSleep"):  # two sleep apps duplicating the night
            sleep = _third_party("HKCategoryTypeIdentifierSleepAnalysis", source, "", 60, 21600, asleep)
            self.lines.append((60, sleep))
        goal = f'startDate="{_t(86300)}" endDate="{_t(86300)}"'  # a type without "TypeIdentifier"
        self.lines.append(
            (86300, f' <Record type="HKDataTypeSleepDurationGoal" sourceName="{PHONE}" {goal}/>')
        )

    def _workout_hr(self, kind: str, window: tuple[int, int]) -> None:
        """The watch's heart rate every 5 s; for runs also a chest strap's every 10 s."""
        rng = self.rng
        start, end = window
        for t in range(start, end + 1, 5):
            self._add_hr(t, int(95 + 45 * min(1.0, (t - start) / 300) + rng.randrange(-4, 5)))
        if kind.endswith("Running"):
            for t in range(start + 3, end, 10):
                self._add_hr(
                    t, int(100 + 42 * min(1.0, (t - start) / 300) + rng.randrange(-3, 4)), strap=True
                )

    def _workout(self, kind: str, window: tuple[int, int], *, legacy: bool) -> None:
        """The Workout element: iOS 16+ statistics children, or the legacy total attributes."""
        start, end = window
        duration_s = float(end - start)
        speed = {"Walking": 1.35, "Running": 2.9, "Cycling": 6.1}[kind.removeprefix("HKWorkoutActivityType")]
        km = round(duration_s * speed / 1000, 4)
        kcal = round(duration_s / 60 * (4.5 if "Walking" in kind else 10.5), 3)
        hr = [bpm for t, bpm in self.hr if start <= t <= end]
        self.tpl.workouts.append((start, end, kind, duration_s, km * 1000, kcal, hr))
        dates = f'startDate="{_t(start)}" endDate="{_t(end)}"'
        totals = f'totalDistance="{km}" totalDistanceUnit="km" totalEnergyBurned="{kcal}" '
        totals += 'totalEnergyBurnedUnit="kcal" '
        stat = '  <WorkoutStatistics type="HKQuantityTypeIdentifier'
        lines = [
            f' <Workout workoutActivityType="{kind}" duration="{duration_s / 60:.10f}" durationUnit="min" '
            f'{totals if legacy else ""}sourceName="{WATCH}" sourceVersion="9.1" device="{_WATCH_DEVICE}" '
            f'creationDate="{_t(min(end + 5, 86399))}" {dates}>',
            '  <MetadataEntry key="HKIndoorWorkout" value="0"/>',
            '  <MetadataEntry key="HKTimeZone" value="Europe/Berlin"/>',
            f'  <WorkoutEvent type="HKWorkoutEventTypeSegment" date="{_t(start)}" duration="5" '
            'durationUnit="min"/>',
        ]
        if not legacy:
            lines += [
                f'{stat}ActiveEnergyBurned" {dates} sum="{kcal}" unit="Cal"/>',
                f'{stat}DistanceWalkingRunning" {dates} sum="{km / 1.609344:.6f}" unit="mi"/>',
                f'{stat}HeartRate" {dates} average="{sum(hr) / len(hr):.3f}" minimum="{min(hr)}" '
                f'maximum="{max(hr)}" unit="count/min"/>',
            ]
        lines += [
            f'  <WorkoutRoute sourceName="{WATCH}" sourceVersion="9.1" creationDate="{_t(end)}" {dates}>',
            f'   <FileReference path="/workout-routes/route_{_D}_6.12pm.gpx"/>',
            "  </WorkoutRoute>",
            " </Workout>",
        ]
        self.tpl.workout = ("\n".join(lines) + "\n").encode()


def _dedup_hourly(steps: list[tuple[int, str, int]]) -> int:
    """Steps of a day counted once: per clock hour, only the source with the largest total."""
    per_hour: dict[int, dict[str, int]] = {}
    for start, source, count in steps:
        hour = per_hour.setdefault(start // 3600, {})
        hour[source] = hour.get(source, 0) + count
    return sum(max(sources.values()) for sources in per_hour.values())


def utc_offset_for(day: date) -> timedelta:
    """Central European time by month (a simplification: April–October is summer time)."""
    return timedelta(hours=2 if 4 <= day.month <= 10 else 1)


def _offset_text(offset: timedelta) -> bytes:
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}".encode()


def _render(block: bytes, day: date) -> bytes:
    return block.replace(_D.encode(), day.isoformat().encode()).replace(
        _Z.encode(), _offset_text(utc_offset_for(day))
    )


@contextmanager
def _open_target(path: Path) -> Iterator[IO[bytes]]:
    """The file to write: ``export.xml`` itself, or inside ``export.zip`` as Apple packs it."""
    if path.suffix == ".zip":
        with (
            zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
            archive.open("apple_health_export/export.xml", "w", force_zip64=True) as member,
        ):
            yield member
    else:
        with path.open("wb", buffering=1 << 20) as fh:
            yield fh


def write_apple_health_export(
    path: Path,
    *,
    target_bytes: int | None = None,
    days: int | None = None,
    seed: int = 0,
    first_day: date = date(2019, 1, 7),
) -> AppleHealthStats:
    """Write a synthetic Apple Health export of about ``target_bytes`` (or exactly ``days`` days).

    ``path`` ending in ``.zip`` writes ``apple_health_export/export.xml`` inside a zip, as the
    Health app shares it. The same ``seed`` always gives the same bytes.
    """
    templates = [_DayBuilder(weekday, seed).build() for weekday in range(7)]
    per_day = sum(len(_render(t.records + t.workout + t.summary, first_day)) for t in templates) / 7
    n_days = days if days is not None else max(1, int((target_bytes or 0) / per_day))
    day_list = [first_day + timedelta(days=i) for i in range(n_days)]
    written = 0
    with _open_target(path) as out:
        head = (
            _DTD + '<HealthData locale="en_GB">\n'
            f' <ExportDate value="{(first_day + timedelta(days=n_days)).isoformat()} 09:00:00 +0100"/>\n'
            ' <Me HKCharacteristicTypeIdentifierDateOfBirth="1984-03-02" '
            'HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale" '
            'HKCharacteristicTypeIdentifierBloodType="HKBloodTypeNotSet" '
            'HKCharacteristicTypeIdentifierFitzpatrickSkinType="HKFitzpatrickSkinTypeNotSet" '
            'HKCharacteristicTypeIdentifierCardioFitnessMedicationsUse="None"/>\n'
        ).encode()
        written += out.write(head)
        # Apple writes every Record first, then the Workouts, then the ActivitySummaries.
        for part in ("records", "workout", "summary"):
            for day in day_list:
                written += out.write(_render(getattr(templates[day.weekday()], part), day))
        written += out.write(b"</HealthData>\n")
    return _stats(path, written, day_list, templates)


def _stats(path: Path, written: int, day_list: list[date], templates: list[_Template]) -> AppleHealthStats:
    workouts: list[GeneratedWorkout] = []
    for day in day_list:
        tz = timezone(utc_offset_for(day))
        midnight = datetime(day.year, day.month, day.day, tzinfo=tz)
        for start, end, kind, duration, distance, kcal, hr in templates[day.weekday()].workouts:
            workouts.append(
                GeneratedWorkout(
                    start=(midnight + timedelta(seconds=start)).astimezone(UTC),
                    end=(midnight + timedelta(seconds=end)).astimezone(UTC),
                    activity_type=kind,
                    duration_s=duration,
                    distance_m=distance,
                    energy_kcal=kcal,
                    hr_samples=len(hr),
                    avg_hr=sum(hr) / len(hr),
                    max_hr=float(max(hr)),
                )
            )
    tpl = [templates[d.weekday()] for d in day_list]
    return AppleHealthStats(
        path=path,
        bytes_written=written,
        days=len(day_list),
        first_day=day_list[0],
        records=sum(t.n_records for t in tpl),
        heart_rate_records=sum(t.n_hr for t in tpl),
        step_records=sum(t.n_steps for t in tpl),
        steps_per_day={d: templates[d.weekday()].steps_dedup for d in day_list},
        raw_steps_per_day={d: templates[d.weekday()].steps_raw for d in day_list},
        utc_offset={d: utc_offset_for(d) for d in day_list},
        workouts=tuple(workouts),
    )
