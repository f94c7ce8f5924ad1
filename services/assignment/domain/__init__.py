"""assignment's pure domain: roster aggregates, routing rules, load balancing, clocks."""
