"""End-to-end tests of the review service and its saga with intake."""
