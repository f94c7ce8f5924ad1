"""review: monitoring groups review case outcomes and directive reports; verdicts drive the case."""
