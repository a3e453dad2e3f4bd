from django.urls import path

from . import api

urlpatterns = [
    path("me/", api.CurrentUserView.as_view(), name="api-me"),
    path("me/tokens/", api.PersonalTokenListView.as_view(), name="api-personal-tokens"),
    path("me/tokens/<int:pk>/revoke/", api.PersonalTokenRevokeView.as_view(), name="api-personal-token-revoke"),
    path("oauth/token/", api.AuditedTokenView.as_view(), name="api-oauth-token"),
    path("oauth/revoke/", api.PortalRevokeTokenView.as_view(), name="api-oauth-revoke"),
    path("clients/", api.ApiClientListView.as_view(), name="api-clients"),
    path("clients/<int:pk>/revoke/", api.ApiClientRevokeView.as_view(), name="api-client-revoke"),
    path("accounts/", api.AccountListView.as_view(), name="api-accounts"),
    path("accounts/<int:pk>/", api.AccountDetailView.as_view(), name="api-account"),
    path("accounts/<int:pk>/deactivate/", api.AccountDeactivateView.as_view(), name="api-account-deactivate"),
    path("accounts/<int:pk>/reactivate/", api.AccountReactivateView.as_view(), name="api-account-reactivate"),
    path("invitations/", api.InvitationListView.as_view(), name="api-invitations"),
    path("invitations/accept/", api.InvitationAcceptView.as_view(), name="api-invitation-accept"),
    path("invitations/<int:pk>/revoke/", api.InvitationRevokeView.as_view(), name="api-invitation-revoke"),
]
