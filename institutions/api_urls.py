"""API routes of the institutions app, mounted under /api/v1/."""

urlpatterns: list = []
