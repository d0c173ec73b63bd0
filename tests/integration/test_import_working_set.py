"""The import job's working set: storing a track's samples does not pull in pandas (an extra ~60 MB
and a second per import, for a conversion that needs none of it) and does not dictionary-encode
columns of distinct floats (~70 MB for a track at the GPX cap). Through ``stride import`` of a real
GPX file in a process of its own (the test process may have pandas loaded by other tests), then the
stored Parquet file read back: missing heart rate is still null."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq

from stride.domain.patients import PatientDetails, Sex
from stride.services.context import Caller
from stride.services.registry import Services
from tests.conftest import make_settings
from tests.samples import sample

_RUN = textwrap.dedent(
    """
    import json, sys
    from typer.testing import CliRunner
    from stride.cli.main import app
    result = CliRunner().invoke(app, ["import", sys.argv[1], "--patient", sys.argv[2], "--json"])
    print(json.dumps({"exit": result.exit_code, "out": result.stdout, "pandas": "pandas" in sys.modules}))
    """
)


def test_a_gpx_import_stores_its_samples_without_pandas_or_float_dictionaries(
    tmp_path: Path, sqlite_url: str
) -> None:
    settings = make_settings(tmp_path, sqlite_url)
    svc = Services.build(settings)
    try:
        details = PatientDetails(
            given_name="Track", family_name="Store", date_of_birth=date(1980, 1, 1), sex=Sex.FEMALE
        )
        patient = svc.patients.create(Caller.cli(), details, team_id=None)
    finally:
        svc.close()
    env = {
        **os.environ,
        "STRIDE_DATA_DIR": str(settings.data_dir),
        "STRIDE_DATABASE_URL": settings.resolved_database_url,
        "STRIDE_ENV": "test",
        "STRIDE_SECRET_KEY": "test-secret-key",
    }
    track = sample("gpx/cerknicko-jezero.gpx")  # positions and elevation, no heart rate
    ran = subprocess.run(
        [sys.executable, "-c", _RUN, str(track), str(patient.id)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    answer = json.loads(ran.stdout.strip().splitlines()[-1])
    assert answer["exit"] == 0, answer["out"]
    assert json.loads(answer["out"])["status"] == "done"
    assert answer["pandas"] is False
    [stored] = (settings.data_dir / "activity").rglob("import-*.samples.parquet")
    meta = pq.ParquetFile(stored).metadata
    names = [meta.schema.column(i).name for i in range(meta.num_columns)]
    encodings = {names[i]: meta.row_group(0).column(i).encodings for i in range(meta.num_columns)}
    for name in ("time_ms", "distance_m", "latitude", "longitude", "altitude_m"):
        assert not any("DICT" in e for e in encodings[name]), (name, encodings[name])
    table = pq.read_table(stored)
    assert table.num_rows > 100
    assert table.column("heart_rate").null_count == table.num_rows
    assert table.column("latitude").null_count == 0
