from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .forms import LoginForm

app_name = "accounts"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html",
                                                authentication_form=LoginForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("verify/", views.verify, name="verify"),
    path("security/", views.security, name="security"),
    path("security/tokens/", views.token_create, name="token_create"),
    path("security/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.person, name="person"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invite/", views.invitation_accept, name="invitation_enter"),
    path("invite/<str:code>/", views.invitation_accept, name="invitation_accept"),
    path("clients/", views.clients, name="clients"),
    path("clients/<int:pk>/revoke/", views.client_revoke, name="client_revoke"),
    path("setup/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_setup.html", success_url="/accounts/login/",
        post_reset_login=False), name="password_setup"),
]
