"""Run intake: python -m services.intake."""

from services.runtime.http import serve

serve("services.intake.app:create_app", "intake")
