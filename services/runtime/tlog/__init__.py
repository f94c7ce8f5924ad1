"""The service side of the verifiable log: tree store, sequencer, checkpoints, keys, routes."""
