"""Production settings plus one bench-only URL (bench/urls_floor.py), for the HTTP benchmarks' second
reference: what any view that reads the shared cache once can reach on the same server (bench/load.py
``run_pages``). Nothing else differs from ``portal.settings``."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls_floor"
