"""Pages of the training app, namespaced as "training"."""

from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("", views.home, name="home"),
    path("courses/new/", views.course_new, name="course_new"),
    path("courses/<int:pk>/", views.course, name="course"),
    path("courses/<int:pk>/register/", views.register, name="register"),
    path("registrations/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("registrations/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("registrations/<int:pk>/certificate/", views.certificate, name="certificate"),
]
