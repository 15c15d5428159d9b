"""manage.py make_synthetic_register --count N PATH: a synthetic bulk file in the real format."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from enhetsregisteret import synthetic


class Command(BaseCommand):
    help = "Write a synthetic Enhetsregisteret bulk file (enheter_alle.json[.gz] format) for tests and benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="Where to write; a name ending in .gz is gzipped.")
        parser.add_argument("--count", type=int, default=10_000, help="Number of units (default 10000).")
        parser.add_argument("--seed", type=int, default=1, help="The same seed gives the same file.")

    def handle(self, *args: Any, **options: Any) -> None:
        count = options["count"]
        if count < 1:
            raise CommandError("--count must be at least 1.")
        path: Path = options["path"]
        if not path.parent.is_dir():
            raise CommandError(f"The folder {path.parent} does not exist.")
        written = synthetic.write(path, count, options["seed"])
        self.stdout.write(f"Wrote {written} units to {path}.")
