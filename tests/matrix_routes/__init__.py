"""Per-app routes of the authorization matrix; see tests/matrix_common.py."""
