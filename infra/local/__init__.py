"""Run casetrack on one machine: embedded PostgreSQL, the Tansu broker and the service processes."""

from __future__ import annotations

from pathlib import Path


def repo_root() -> Path:
    """The repository this package was installed from (editable install)."""
    return Path(__file__).resolve().parents[2]


def var_dir() -> Path:
    """The git-ignored folder for local data and logs (`<repo>/.var`)."""
    return repo_root() / ".var"
