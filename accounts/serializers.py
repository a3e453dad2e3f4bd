from rest_framework import serializers

from .models import ApiClient, Invitation, PersonalToken, User


class CurrentUserSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(source="effective_role", choices=User.Role.choices, read_only=True,
                                   help_text="A superuser is an administrator (`admin`) whatever its role field.")
    role_label = serializers.CharField(read_only=True)
    # Not "format: email": many accounts have none, and an empty string is not a valid address.
    email = serializers.CharField(read_only=True, help_text="The user's e-mail address; empty when none is on file.")
    region_level = serializers.CharField(source="official_level", read_only=True, allow_null=True)
    region_name = serializers.CharField(source="region.name", read_only=True, allow_null=True, default=None)
    institution_name = serializers.CharField(source="institution.name", read_only=True, allow_null=True,
                                             default=None)

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "role", "role_label", "region",
                  "region_name", "region_level", "institution", "institution_name"]
        read_only_fields = fields


class AccountSerializer(serializers.ModelSerializer):
    """An account as its provisioner sees it."""

    region_name = serializers.CharField(source="region.name", read_only=True, allow_null=True, default=None)
    institution_name = serializers.CharField(source="institution.name", read_only=True, allow_null=True,
                                             default=None)
    email = serializers.CharField(read_only=True)
    is_service_account = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "phone", "role", "region", "region_name",
                  "institution", "institution_name", "is_active", "is_service_account", "last_login", "date_joined"]
        read_only_fields = fields

    def get_is_service_account(self, account) -> bool:
        return hasattr(account, "api_client")


class AccountCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=User.Role.choices)
    region = serializers.CharField(max_length=9, required=False, allow_blank=True,
                                   help_text="Division code of an official's region.")
    institution = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)


class AccountCreatedSerializer(AccountSerializer):
    password_setup_url = serializers.CharField(
        read_only=True, help_text="One-time link for the account's owner to choose a password; shown once.")

    class Meta(AccountSerializer.Meta):
        fields = [*AccountSerializer.Meta.fields, "password_setup_url"]
        read_only_fields = fields


class AccountRescopeSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=User.Role.choices, required=False)
    region = serializers.CharField(max_length=9, required=False, allow_blank=True)
    institution = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)


class PersonalTokenSerializer(serializers.ModelSerializer):
    last_used_at = serializers.DateTimeField(read_only=True, allow_null=True)
    is_active = serializers.SerializerMethodField()

    class Meta:
        model = PersonalToken
        fields = ["id", "name", "hint", "scope", "created_at", "expires_at", "revoked_at", "last_used_at",
                  "is_active"]
        read_only_fields = fields

    def get_is_active(self, token) -> bool:
        return token.is_active()


class ApiClientSerializer(serializers.ModelSerializer):
    client_id = serializers.CharField(source="application.client_id", read_only=True)
    service_account = AccountSerializer(read_only=True)
    last_used_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = ApiClient
        fields = ["id", "name", "client_id", "scope", "service_account", "created_at", "revoked_at",
                  "last_used_at"]
        read_only_fields = fields


class ApiClientCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    role = serializers.ChoiceField(choices=User.Role.choices)
    region = serializers.CharField(max_length=9, required=False, allow_blank=True)
    institution = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    scope = serializers.CharField(max_length=500, help_text="Space-separated scopes, e.g. `metrics:read`.")


class ApiClientCreatedSerializer(ApiClientSerializer):
    client_secret = serializers.CharField(read_only=True, help_text="Shown once; only a hash is kept.")

    class Meta(ApiClientSerializer.Meta):
        fields = [*ApiClientSerializer.Meta.fields, "client_secret"]
        read_only_fields = fields


class InvitationSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    institution_name = serializers.CharField(source="institution.name", read_only=True, allow_null=True,
                                             default=None)

    class Meta:
        model = Invitation
        fields = ["id", "hint", "region", "institution", "institution_name", "note", "created_at", "expires_at",
                  "accepted_at", "revoked_at", "status"]
        read_only_fields = fields


class InvitationCreateSerializer(serializers.Serializer):
    region = serializers.CharField(max_length=9, help_text="The county's division code.")
    institution = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    note = serializers.CharField(max_length=100, required=False, allow_blank=True)
    days = serializers.IntegerField(required=False, min_value=1, max_value=90)


class InvitationCreatedSerializer(InvitationSerializer):
    code = serializers.CharField(read_only=True, help_text="The one-time code; shown once.")
    accept_url = serializers.CharField(read_only=True, help_text="The page where the invitee uses the code.")

    class Meta(InvitationSerializer.Meta):
        fields = [*InvitationSerializer.Meta.fields, "code", "accept_url"]
        read_only_fields = fields


class InvitationAcceptSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, write_only=True, style={"input_type": "password"})
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    token_scope = serializers.CharField(
        max_length=500, required=False, allow_blank=True,
        help_text="Optional: space-separated scopes of a personal token for the new account, returned once "
                  "(for a system that onboards staff through the API).")
    token_days = serializers.IntegerField(required=False, min_value=1, max_value=365)


class InvitationAcceptedSerializer(serializers.Serializer):
    account = AccountSerializer(read_only=True)
    token = serializers.CharField(read_only=True, allow_null=True,
                                  help_text="The personal token, when `token_scope` was given; shown once.")
