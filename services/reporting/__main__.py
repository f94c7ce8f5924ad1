"""Run reporting's API: python -m services.reporting."""

from services.runtime.http import serve

serve("services.reporting.app:create_app", "reporting")
