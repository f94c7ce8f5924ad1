"""assignment: who handles each case and directive, by when, and who is told when it slips."""
