"""Integration tests of the review service against real Postgres."""
