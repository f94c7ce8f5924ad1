"""The `casetrack` command line: witness a log, verify a bundle offline, make keys."""
