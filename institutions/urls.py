"""Pages of the institutions app, namespaced as "institutions"."""

from django.urls import path

from . import views

app_name = "institutions"
urlpatterns = [
    # Officials (their area only)
    path("", views.institution_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/suspend/", views.suspend, name="suspend"),
    path("<int:pk>/lift-suspension/", views.lift_suspension, name="lift_suspension"),
    path("mentoring/", views.mentoring, name="mentoring"),
    path("staff-registry/", views.staff_registry, name="staff_registry"),
    path("onboarding/", views.onboarding, name="onboarding"),
    path("onboarding/template.csv", views.onboarding_template, name="onboarding_template"),
    path("onboarding/<int:pk>/", views.onboarding_job, name="onboarding_job"),
    path("onboarding/<int:pk>/progress/", views.onboarding_progress, name="onboarding_progress"),
    path("guidance-centres/", views.guidance_centres, name="guidance_centres"),
    # The staff's own institution
    path("mine/", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("mine/edit/", views.edit, name="edit"),
    path("mine/classes/add/", views.class_add, name="class_add"),
    path("mine/classes/<int:pk>/edit/", views.class_edit, name="class_edit"),
    path("mine/classes/<int:pk>/close/", views.class_close, name="class_close"),
    path("mine/staff/add/", views.staff_add, name="staff_add"),
    path("mine/staff/<int:pk>/edit/", views.staff_edit, name="staff_edit"),
    path("mine/staff/<int:pk>/certificates/", views.staff_certificates, name="staff_certificates"),
    # The public register (anonymous)
    path("register/", views.register, name="register"),
    path("register/<int:pk>/", views.register_detail, name="register_detail"),
]
