"""What every casetrack service runs on: settings, logging, event store, relay, consumers, HTTP, auth."""
