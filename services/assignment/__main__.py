"""Run assignment's API: python -m services.assignment."""

from services.runtime.http import serve

serve("services.assignment.app:create_app", "assignment")
