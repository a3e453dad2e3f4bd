from rest_framework import serializers

from .models import User


class CurrentUserSerializer(serializers.ModelSerializer):
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
