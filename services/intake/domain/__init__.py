"""The pure intake domain: cases and directives as decide/evolve, no I/O."""
