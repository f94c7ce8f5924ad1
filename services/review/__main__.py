"""Run review's API: python -m services.review."""

from services.runtime.http import serve

serve("services.review.app:create_app", "review")
