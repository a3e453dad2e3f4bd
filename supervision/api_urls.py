"""API routes of supervision, mounted under /api/v1/."""

urlpatterns = []
