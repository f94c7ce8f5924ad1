"""Run the console: python -m services.console."""

from services.runtime.http import serve

serve("services.console.app:create_app", "console")
