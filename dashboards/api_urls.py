"""API routes of the dashboards app, mounted under /api/v1/.

The dashboards read the metrics app's snapshot and ranking endpoints; they add no API of their own.
"""

urlpatterns: list = []
