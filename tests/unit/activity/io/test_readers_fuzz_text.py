"""Random bytes and mutated valid files into the Fitbit, Apple Health, CSV and Open mHealth readers:
each either reads the file or raises :class:`UnreadableFile`, never anything else.

Derandomized (a fixed sequence of examples every run) and sized to finish in a few seconds.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stride.activity.io.formats import BY_NAME, REGISTRY
from stride.activity.model import FileFormat, ParsedFile
from stride.errors import UnreadableFile

FUZZ = settings(
    max_examples=120,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

_STEPS = json.dumps([{"dateTime": f"01/01/20 10:{m:02d}:00", "value": str(m)} for m in range(6)]).encode()
_HR = json.dumps(
    [{"dateTime": f"01/01/20 10:00:{s:02d}", "value": {"bpm": 60 + s, "confidence": 1}} for s in range(6)]
)
_EXERCISE = json.dumps(
    [
        {
            "activityName": "Run",
            "startTime": "01/01/20 10:00:00",
            "duration": 60000,
            "distance": 1,
            "distanceUnit": "Mile",
        }
    ]
)
_APPLE = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE HealthData [\n<!ATTLIST VisionPrescription\n]>\n'
    b'<HealthData locale="en_GB">\n'
    b' <Record type="HKQuantityTypeIdentifierStepCount" sourceName="Phone" unit="count" '
    b'startDate="2024-01-08 10:00:00 +0100" endDate="2024-01-08 10:10:00 +0100" value="60"/>\n'
    b' <Record type="HKQuantityTypeIdentifierStepCount" sourceName="Watch" unit="count" '
    b'startDate="2024-01-08 10:00:00 +0100" endDate="2024-01-08 10:10:00 +0100" value="70"/>\n'
    b' <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Watch" unit="count/min" '
    b'startDate="2024-01-08 10:05:00 +0100" endDate="2024-01-08 10:05:00 +0100" value="99">\n'
    b'  <MetadataEntry key="HKMetadataKeySyncIdentifier" value="\x0b"/>\n </Record>\n'
    b' <Workout workoutActivityType="HKWorkoutActivityTypeWalking" duration="10" durationUnit="min" '
    b'sourceName="Watch" startDate="2024-01-08 10:00:00 +0100" endDate="2024-01-08 10:10:00 +0100">\n'
    b'  <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" sum="0.8" unit="km"/>\n'
    b'  <WorkoutStatistics type="HKQuantityTypeIdentifierActiveEnergyBurned" sum="40" unit="Cal"/>\n'
    b" </Workout>\n</HealthData>\n"
)
_CSV = (
    b"time,heart_rate,distance_m,latitude,longitude,altitude_m,steps,session,sport\n"
    b"2024-05-01T07:30:00+02:00,100,0,52.0,13.0,35,,a,Running\n"
    b"2024-05-01T07:30:10+02:00,110,30,52.0003,13.0,35,20,a,Running\n"
    b"2024-05-02T18:00:00Z,90,,,,,5,b,walk\n"
)
_OMH = json.dumps(
    {
        "data_points": [
            {
                "header": {"schema_id": {"namespace": "omh", "name": "heart-rate", "version": "2.0"}},
                "body": {
                    "heart_rate": {"value": 72, "unit": "beats/min"},
                    "effective_time_frame": {"date_time": "2024-05-01T06:10:00Z"},
                },
            },
            {
                "header": {"schema_id": {"namespace": "omh", "name": "physical-activity", "version": "1.2"}},
                "body": {
                    "activity_name": "walking",
                    "effective_time_frame": {
                        "time_interval": {
                            "start_date_time": "2024-05-01T06:00:00Z",
                            "duration": {"value": 30, "unit": "min"},
                        }
                    },
                    "distance": {"value": 2, "unit": "km"},
                },
            },
        ]
    }
).encode()

Reader = Callable[[Path], ParsedFile]
# (format, file name, a valid file); the reader is the registry's
BASES: dict[str, tuple[FileFormat, str, bytes]] = {
    "fitbit-steps": ("fitbit", "steps-2020-01-01.json", _STEPS),
    "fitbit-hr": ("fitbit", "heart_rate-2020-01-01.json", _HR.encode()),
    "fitbit-exercise": ("fitbit", "exercise-0.json", _EXERCISE.encode()),
    "apple": ("apple_health", "export.xml", _APPLE),
    "csv": ("csv", "activity.csv", _CSV),
    "omh": ("omh", "points.json", _OMH),
}
CASES: dict[str, tuple[Reader, str, bytes]] = {
    case: (BY_NAME[fmt].read, name, valid) for case, (fmt, name, valid) in BASES.items()
}


def test_every_registered_format_is_fuzzed_from_a_valid_file() -> None:
    # A format joins the registry with real samples (mutated in test_readers_fuzz) or a base here.
    fuzzed = {fmt for fmt, _, _ in BASES.values()} | {spec.name for spec in REGISTRY if spec.samples}
    missing = [spec.name for spec in REGISTRY if spec.name not in fuzzed]
    assert not missing, f"no valid file to mutate for {missing}: add samples to its SPEC or a base here"


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp)


def _only_unreadable(reader: Reader, path: Path) -> None:
    try:
        parsed = reader(path)
    except UnreadableFile as exc:
        assert exc.field, f"{exc.message!r} names no location"
        return
    assert isinstance(parsed, ParsedFile)


@st.composite
def _mutated(draw: st.DrawFn, valid: bytes) -> bytes:
    """``valid`` with a few random edits: cut, delete, insert, overwrite or repeat a slice."""
    data = bytearray(valid)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        span = draw(st.integers(0, 40))
        edit = draw(st.sampled_from(["cut", "delete", "insert", "overwrite", "repeat"]))
        noise = draw(
            st.binary(min_size=1, max_size=12)
            | st.sampled_from([b'"', b"<", b">", b"\n", b",", b"-", b"9e999"])
        )
        if edit == "cut":
            del data[at:]
        elif edit == "delete":
            del data[at : at + span]
        elif edit == "insert":
            data[at:at] = noise
        elif edit == "overwrite":
            data[at : at + len(noise)] = noise
        else:
            data[at:at] = data[at : at + span]
    return bytes(data)


def test_the_valid_bases_read(scratch: Path) -> None:
    for reader, name, valid in CASES.values():
        path = scratch / name
        path.write_bytes(valid)
        assert isinstance(reader(path), ParsedFile), name


@pytest.mark.parametrize("case", sorted(CASES))
@FUZZ
@given(data=st.data())
def test_mutated_valid_files_only_raise_unreadable(scratch: Path, case: str, data: st.DataObject) -> None:
    reader, name, valid = CASES[case]
    path = scratch / name
    path.write_bytes(data.draw(_mutated(valid)))
    _only_unreadable(reader, path)


@pytest.mark.parametrize("case", ["fitbit-steps", "apple", "csv", "omh"])
@settings(FUZZ, max_examples=60)
@given(raw=st.binary(max_size=600))
def test_random_bytes_only_raise_unreadable(scratch: Path, case: str, raw: bytes) -> None:
    reader, name, _ = CASES[case]
    path = scratch / name
    path.write_bytes(raw)
    _only_unreadable(reader, path)


@pytest.mark.parametrize("case", ["fitbit-steps", "apple"])
@settings(FUZZ, max_examples=40)
@given(data=st.data())
def test_mutated_zips_only_raise_unreadable(scratch: Path, case: str, data: st.DataObject) -> None:
    reader, name, valid = CASES[case]
    archive = scratch / "export.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"apple_health_export/{name}", valid)
    archive.write_bytes(data.draw(_mutated(archive.read_bytes())))
    _only_unreadable(reader, archive)


_INTERESTING = st.sampled_from(
    [
        "2024-05-01T06:00:00Z",
        "01/01/20 10:00:00",
        "12",
        "1e999",
        "0001-01-01T00:00:00-14:00",
        "beats/min",
        "min",
    ]
)
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | _INTERESTING,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def _paths(node: object, path: tuple[object, ...] = ()) -> Iterator[tuple[object, ...]]:
    yield path
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from _paths(child, (*path, key))


@pytest.mark.parametrize("case", ["fitbit-steps", "fitbit-hr", "fitbit-exercise", "omh"])
@FUZZ
@given(data=st.data())
def test_json_with_wrong_types_only_raises_unreadable(scratch: Path, case: str, data: st.DataObject) -> None:
    reader, name, valid = CASES[case]
    document = json.loads(valid)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(list(_paths(document))))
        if not path:
            document = data.draw(_JSON)
            continue
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        if isinstance(parent, dict) and data.draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(_JSON)
    (scratch / name).write_text(json.dumps(document))
    _only_unreadable(reader, scratch / name)
