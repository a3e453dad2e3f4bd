"""API routes of the enrolments app, mounted under /api/v1/."""

urlpatterns: list = []
