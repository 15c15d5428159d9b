"""Does a failed login take as long for an unknown e-mail address as for a real account? (issue 15)

    .venv/bin/python bench/login_timing.py [--rounds 50]

In this process, against a throwaway SQLite test database, with the production password hasher (Argon2)
and the whole middleware stack (throttling on; its records are cleared between attempts, outside the
timed part, so the lock never hides the hashing). Existing and unknown addresses alternate, each with a
wrong password; we report the median of each and the difference.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()

    import django
    from django.conf import settings

    django.setup()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    settings.ALLOWED_HOSTS = ["testserver"]
    from axes.utils import reset
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from django.contrib.auth import get_user_model

        get_user_model().objects.create_user("real.person@example.no", "a-real-password-123", full_name="Real Person")
        client = Client()
        timings: dict[str, list[float]] = {"existing": [], "unknown": []}
        for n in range(args.rounds + 2):  # two warm-up rounds, not counted
            for kind, email in (("existing", "real.person@example.no"), ("unknown", f"nobody{n}@example.no")):
                start = time.perf_counter()
                response = client.post("/accounts/login/", {"username": email, "password": "wrong-password"})
                elapsed = time.perf_counter() - start
                assert response.status_code == 200, response.status_code
                reset()
                if n >= 2:
                    timings[kind].append(elapsed * 1000)
        existing, unknown = statistics.median(timings["existing"]), statistics.median(timings["unknown"])
        print(f"rounds: {args.rounds} each, hasher: Argon2 (Django's defaults)")
        print(f"median failed login, existing account: {existing:.1f} ms")
        print(f"median failed login, unknown address:  {unknown:.1f} ms")
        print(f"difference (existing - unknown): {existing - unknown:+.1f} ms ({(existing - unknown) / existing:+.1%})")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
