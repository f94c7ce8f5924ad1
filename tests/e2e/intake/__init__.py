"""End-to-end tests of intake: cases and directives through their whole lives."""
