"""Unit tests of the review domain."""
