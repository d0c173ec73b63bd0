"""``stride hr-zones``: HRmax and the light / moderate / vigorous heart-rate zones (Karvonen, %HRR).

The JSON contract is ``{"hrmax": int, "zones": {"light": [lo, hi], "moderate": [lo, hi],
"vigorous": [lo, hi]}}`` in whole beats per minute. Invalid input (an implausible age, a resting rate
not below HRmax, an unknown formula) exits 2 naming the option.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from stride.cli.output import emit_json, handled
from stride.clinical.prescription import ZONE_CLASSES, Zones, hr_zones, intensity_class, intensity_rules
from stride.errors import InvalidInput

_OPTIONS = {
    "age": "--age",
    "resting_hr": "--resting-hr",
    "hrmax": "--hrmax",
    "formula": "--formula",
    "vigorous_upper_pct": "--vigorous-upper",
    "basis": "--basis",
}


def to_json(zones: Zones) -> dict[str, Any]:
    """The ``--json`` payload: HRmax and the three zones as ``[lo, hi]``."""
    return {"hrmax": zones.hrmax, "zones": {name: list(getattr(zones, name)) for name in ZONE_CLASSES}}


def _human(zones: Zones) -> None:
    rules = intensity_rules()
    basis = "% of heart-rate reserve (Karvonen)" if zones.basis == "hrr" else "% of HRmax"
    origin = "measured" if zones.formula == "measured" else rules.formula(zones.formula).name
    typer.echo(f"HRmax {zones.hrmax} bpm ({origin}); resting {zones.resting_hr} bpm; zones by {basis}.")
    for name in ZONE_CLASSES:
        lo, hi = getattr(zones, name)
        cls = intensity_class(name)
        typer.echo(
            f"  {cls.label:<9} {lo}-{hi} bpm  RPE {cls.rpe[0]}-{cls.rpe[1]}  talk test: {cls.talk_test}"
        )
    if zones.basis == "hrr":
        cited = " or ".join(str(o.pct) for o in rules.vigorous_upper_options)
        typer.echo(
            f"Vigorous ends at {zones.vigorous_upper_pct} % HRR (cited: {cited}; the sources disagree)."
        )


def hr_zones_command(
    age: Annotated[int, typer.Option("--age", help="Age in years (adults).")],
    resting_hr: Annotated[int, typer.Option("--resting-hr", help="Resting heart rate, beats per minute.")],
    hrmax: Annotated[
        int | None, typer.Option("--hrmax", help="Measured HRmax; overrides the age-based estimate.")
    ] = None,
    formula: Annotated[
        str, typer.Option("--formula", help="HRmax equation: tanaka (default), fox or gellish.")
    ] = "tanaka",
    vigorous_upper: Annotated[
        int | None,
        typer.Option("--vigorous-upper", help="Upper bound of vigorous in % HRR: 84 (default) or 89."),
    ] = None,
    basis: Annotated[str, typer.Option("--basis", help="hrr (Karvonen, default) or hrmax.")] = "hrr",
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")] = False,
) -> None:
    """HRmax and the light, moderate and vigorous heart-rate zones (ACSM classes, whole beats)."""

    def action() -> Zones:
        try:
            return hr_zones(
                age=age,
                resting_hr=resting_hr,
                hrmax=hrmax,
                formula=formula,
                vigorous_upper_pct=vigorous_upper,
                basis=basis,
            )
        except InvalidInput as exc:
            option = _OPTIONS.get(exc.field or "", exc.field)
            raise InvalidInput(f"{exc.message} (option {option})", field=exc.field) from None

    with handled(as_json=as_json):
        zones = action()
    if as_json:
        emit_json(to_json(zones))
    else:
        _human(zones)


def register(app: typer.Typer) -> None:
    """Add ``stride hr-zones`` to the root command."""
    app.command("hr-zones")(hr_zones_command)
