"""How casetrack runs: migrations, the local stack and the container images."""
