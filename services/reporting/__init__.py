"""reporting: the read side; projects every topic into registers, timelines and reports."""
