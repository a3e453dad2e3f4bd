from django.urls import path

from . import views

app_name = "mentoring"

urlpatterns = [
    path("pairs/<int:pk>/", views.pair_detail, name="pair"),
    path("pairs/<int:pk>/visits/", views.visit_add, name="visit_add"),
    path("pairs/<int:pk>/goals/", views.goal_add, name="goal_add"),
    path("pairs/<int:pk>/goals/<int:goal_pk>/mark/", views.goal_mark, name="goal_mark"),
    path("pairs/<int:pk>/close/", views.pair_close, name="close"),
]
