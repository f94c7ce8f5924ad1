"""Integration tests of intake against real Postgres."""
