"""`make bench`: casetrack's pipeline measured against raw Postgres and the raw broker in one run."""
