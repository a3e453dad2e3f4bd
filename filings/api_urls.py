"""API routes of the filings app, mounted under /api/v1/."""

urlpatterns: list = []
