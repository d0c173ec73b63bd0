"""Large and hostile device files for the input-bounds benchmark and tests, written as streams (a
1 M-point GPX of ~150 MB, TCX files of any length, a zip with a 500 MB Fitbit entry, a zip whose
headers declare 1 KB for an entry that inflates to 2 GB) without holding them in memory. The same
arguments give the same bytes.
"""

from __future__ import annotations

import math
import struct
import zipfile
import zlib
from datetime import UTC, datetime
from pathlib import Path

_START_S = 1_717_232_400  # 2024-06-01 09:00:00 UTC
_GPX_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gpx version="1.1" creator="stride-bench" xmlns="http://www.topografix.com/GPX/1/1" '
    'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n'
    " <trk><name>Long walk</name><type>walking</type><trkseg>\n"
)
_GPX_TAIL = " </trkseg></trk>\n</gpx>\n"


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(_START_S + seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_gpx(path: Path, *, points: int) -> int:
    """A GPX track of ``points`` points at 1 s, with elevation and heart rate; returns its size."""
    written = 0
    with path.open("w", encoding="ascii", buffering=1 << 20) as out:
        written += out.write(_GPX_HEAD)
        for i0 in range(0, points, 10_000):
            lines = []
            for i in range(i0, min(points, i0 + 10_000)):
                lat = 46.0 + 0.01 * math.sin(i / 5000)
                lon = 14.0 + 0.01 * math.cos(i / 5000)
                lines.append(
                    f'  <trkpt lat="{lat:.6f}" lon="{lon:.6f}"><ele>{500 + i % 50}.0</ele>'
                    f"<time>{_iso(i)}</time><extensions><gpxtpx:TrackPointExtension>"
                    f"<gpxtpx:hr>{100 + i % 40}</gpxtpx:hr></gpxtpx:TrackPointExtension>"
                    "</extensions></trkpt>\n"
                )
            written += out.write("".join(lines))
        written += out.write(_GPX_TAIL)
    return written


_TCX_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">\n'
    ' <Activities><Activity Sport="Running"><Id>{start}</Id><Lap StartTime="{start}">'
    "<TotalTimeSeconds>{seconds}</TotalTimeSeconds><DistanceMeters>{metres}</DistanceMeters>"
    "<Calories>0</Calories><Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod><Track>\n"
)
_TCX_TAIL = " </Track></Lap></Activity></Activities>\n</TrainingCenterDatabase>\n"


def write_tcx(path: Path, *, points: int) -> int:
    """A TCX activity of one lap of ``points`` trackpoints at 1 s (position, altitude, distance,
    heart rate), as a Garmin watch writes it; returns its size."""
    written = 0
    with path.open("w", encoding="ascii", buffering=1 << 20) as out:
        written += out.write(_TCX_HEAD.format(start=_iso(0), seconds=max(points - 1, 0), metres=2.5 * points))
        for i0 in range(0, points, 10_000):
            lines = [
                f"  <Trackpoint><Time>{_iso(i)}</Time><Position>"
                f"<LatitudeDegrees>{46.0 + 0.01 * math.sin(i / 5000):.6f}</LatitudeDegrees>"
                f"<LongitudeDegrees>{14.0 + 0.01 * math.cos(i / 5000):.6f}</LongitudeDegrees></Position>"
                f"<AltitudeMeters>{500 + i % 50}.0</AltitudeMeters>"
                f"<DistanceMeters>{2.5 * i:.1f}</DistanceMeters>"
                f"<HeartRateBpm><Value>{100 + i % 40}</Value></HeartRateBpm></Trackpoint>\n"
                for i in range(i0, min(points, i0 + 10_000))
            ]
            written += out.write("".join(lines))
        written += out.write(_TCX_TAIL)
    return written


def write_fitbit_zip(path: Path, *, entry_mb: int) -> None:
    """A Fitbit export zip holding one ``heart_rate-…json`` entry of ``entry_mb`` MB (valid JSON,
    one reading every second, pretty-printed as Fitbit writes it), compressed in a stream."""
    item = (
        '{{\n  "dateTime" : "06/01/24 {:02d}:{:02d}:{:02d}",\n'
        '  "value" : {{\n    "bpm" : {},\n    "confidence" : 2\n  }}\n}}'
    )
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("Takeout/Fitbit/heart_rate-2024-06-01.json", "w", force_zip64=True) as out,
    ):
        out.write(b"[")
        size, i = 1, 0
        while size < entry_mb << 20:
            seconds = range(i, i + 10_000)
            block = ",".join(item.format(k // 3600 % 24, k // 60 % 60, k % 60, 60 + k % 90) for k in seconds)
            data = (block if i == 0 else "," + block).encode()
            out.write(data)
            size += len(data)
            i += 10_000
        out.write(b"]")


def write_lying_bomb_zip(path: Path, *, inflated_mb: int, declared: int = 1024) -> None:
    """An Apple Health ``export.zip`` whose ``export.xml`` inflates to ``inflated_mb`` MB of
    blanks while its headers declare ``declared`` bytes (a zip bomb that lies about its size)."""
    name = b"apple_health_export/export.xml"
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = b'<?xml version="1.0"?>\n<HealthData locale="en_GB">\n'
    crc = zlib.crc32(head)
    parts = [compressor.compress(head)]
    block = b" " * (1 << 20)
    for _ in range(inflated_mb):
        parts.append(compressor.compress(block))
        crc = zlib.crc32(block, crc)
    parts.append(compressor.flush())
    data = b"".join(parts)
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(data), declared, len(name), 0)
    central = struct.pack(
        "<4s6H3L5H2L",
        b"PK\x01\x02",
        20,
        20,
        0,
        8,
        0,
        0x21,
        crc,
        len(data),
        declared,
        len(name),
        0,
        0,
        0,
        0,
        0,
        0,
    )
    offset = len(local) + len(name) + len(data)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central) + len(name), offset, 0)
    with path.open("wb") as out:
        out.write(local + name)
        out.write(data)
        out.write(central + name + end)
