"""The registry of device formats: one :class:`FormatSpec` per format, each declared by its reader.

``REGISTRY`` is in :data:`stride.activity.model.FileFormat` order, which is also the order
:func:`stride.activity.io.detect` asks the sniffers in (TCX before GPX, as a TCX file may mention
GPX; the CSV sniffer refuses markup and JSON itself, so its place does not matter). Adding a
format: a reader module that ends with ``SPEC = FormatSpec(...)``, its name in ``FileFormat``, and
one line here; the upload page, the API, the CLI help and the fuzz tests follow, and a test says
what to paste into ``docs/file-limits.md``.
"""

from __future__ import annotations

from stride.activity.io import apple_health, csv_reader, fit, fitbit, gpx, omh, tcx
from stride.activity.io.spec import FormatSpec

REGISTRY: tuple[FormatSpec, ...] = (
    fit.SPEC,
    tcx.SPEC,
    gpx.SPEC,
    fitbit.SPEC,
    apple_health.SPEC,
    csv_reader.SPEC,
    omh.SPEC,
)

BY_NAME: dict[str, FormatSpec] = {spec.name: spec for spec in REGISTRY}


def spec_of(name: str) -> FormatSpec | None:
    """The spec of format ``name`` (as stored on an import or a session), if it is one."""
    return BY_NAME.get(name)


def accept() -> str:
    """The ``accept`` attribute of a file input: every extension, once, in registry order."""
    return ",".join(dict.fromkeys(ext for spec in REGISTRY for ext in spec.extensions))


def labels(conjunction: str = "or") -> str:
    """``FIT, TCX, …, Stride CSV or Open mHealth JSON``."""
    names = [spec.label for spec in REGISTRY]
    return f"{', '.join(names[:-1])} {conjunction} {names[-1]}"


def phrase(name: str) -> str:
    """Where a session came from, as a sentence says it ("a FIT file"); an unknown code reads as
    ``a CODE file`` (sources stored by an older version keep a readable name)."""
    spec = spec_of(name)
    return spec.phrase if spec is not None else f"a {name.upper()} file"


def limits_markdown() -> str:
    """The per-format table of ``docs/file-limits.md``, as the registry says it."""
    rows = [
        "| format | `--format` | files | limits |",
        "|---|---|---|---|",
    ]
    for spec in REGISTRY:
        caps = "; ".join(f"{limit.text} (`{limit.where}`)" for limit in spec.limits)
        files = ", ".join(f"`{ext}`" for ext in spec.extensions)
        if spec.folder:
            files += " or an export folder"
        rows.append(f"| {spec.label} | `{spec.name}` | {files} | {caps or 'none'} |")
    return "\n".join(rows) + "\n"
