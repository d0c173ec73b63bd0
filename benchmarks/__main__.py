"""Run every benchmark: ``python -m benchmarks`` (``make bench``)."""

from __future__ import annotations

from benchmarks import apple_health, audit_chain, fit_import, input_bounds, load, zone_minutes


def main() -> None:
    for bench in (audit_chain, fit_import, zone_minutes, apple_health, input_bounds, load):
        bench.main()


if __name__ == "__main__":
    main()
