"""Helpers the tests share: topics read back, tokens, service processes."""
