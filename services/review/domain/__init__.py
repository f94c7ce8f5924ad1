"""The pure review domain: sampling, opening rules, review tasks and monitoring groups; no I/O."""
