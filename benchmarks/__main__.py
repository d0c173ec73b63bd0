"""Run every benchmark: ``python -m benchmarks`` (``make bench``)."""

from __future__ import annotations

from benchmarks import audit_chain


def main() -> None:
    for bench in (audit_chain,):
        bench.main()


if __name__ == "__main__":
    main()
