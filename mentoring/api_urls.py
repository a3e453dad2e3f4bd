"""API routes of mentoring, mounted under /api/v1/ (beside the registry's /mentoring-pairs/)."""

from django.urls import include, path

from . import api

urlpatterns = [
    path("mentoring-pairs/<int:pk>/", include([
        path("goals/", api.GoalListView.as_view(), name="api-mentoring-goals"),
        path("goals/<int:goal_pk>/", api.GoalMarkView.as_view(), name="api-mentoring-goal"),
        path("visits/", api.VisitListView.as_view(), name="api-mentoring-visits"),
        path("outcome/", api.OutcomeView.as_view(), name="api-mentoring-outcome"),
    ])),
    path("mentoring-figures/", api.FiguresView.as_view(), name="api-mentoring-figures"),
]
