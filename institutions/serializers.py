"""API serializers with explicit fields. Write serializers only shape input; services validate and write."""

from rest_framework import serializers

from portal.api.serializers import CachedFieldsMixin
from regions.models import Region

from .models import GuidanceCentre, Institution, InstitutionClass, MentoringPair, StaffMember
from .services import DRAFT_FIELDS

PLACES_HELP = ("Places of the classes open today: opened on or before today and not closed. The same rule as "
               "the metrics snapshot of a date, so it matches today's dashboard figures.")
PLANNED_HELP = "Places of classes that open after today (not in `places`, nor in today's figures, yet)."
NEXT_OPENING_HELP = "When the next of those classes opens; null when none is planned."


class _PlacesFields(serializers.Serializer):
    """The region's name and the places (open, planned, next opening) that staff, officials and the public
    register read alike; the queryset is `with_open_places()`."""

    region_name = serializers.CharField(source="region.name", read_only=True)
    places = serializers.IntegerField(read_only=True, help_text=PLACES_HELP)
    places_planned = serializers.IntegerField(read_only=True, source="planned_places", help_text=PLANNED_HELP)
    next_class_opens_on = serializers.DateField(read_only=True, allow_null=True, help_text=NEXT_OPENING_HELP)


class InstitutionSerializer(CachedFieldsMixin, _PlacesFields, serializers.ModelSerializer):

    class Meta:
        model = Institution
        fields = ["id", "name", "credit_code", "legal_form", "setting_type", "full_day", "half_day", "hourly",
                  "temporary", "region", "region_name", "address", "legal_representative",
                  "legal_representative_phone", "person_in_charge", "person_in_charge_phone", "meals_served",
                  "medical_integration", "is_inclusive", "inclusive_price", "status", "filed_on", "suspended_on",
                  "cancelled_on", "filing_number", "places", "places_planned", "next_class_opens_on", "is_demo",
                  "created_at", "updated_at"]
        read_only_fields = fields


class InstitutionWriteSerializer(serializers.ModelSerializer):
    """Registration (POST) and draft edits (PATCH). Cross-field rules are checked by the service."""

    region = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.filter(level__in=[Region.Level.COUNTY, Region.Level.TOWNSHIP]),
        help_text="Division code of the county (6 digits) or township (9 digits).")

    class Meta:
        model = Institution
        fields = list(DRAFT_FIELDS)
        extra_kwargs = {"credit_code": {"min_length": 18}}  # max_length 18 comes from the model


class InstitutionClassSerializer(serializers.ModelSerializer):
    class Meta:
        model = InstitutionClass
        fields = ["id", "institution", "name", "class_type", "places", "caregivers", "opened_on", "closed_on"]
        read_only_fields = fields


class InstitutionClassWriteSerializer(serializers.Serializer):
    """Caps and ratios are checked by the service; a breach is a 400 naming `places` or `caregivers`."""

    name = serializers.CharField(max_length=100)
    class_type = serializers.ChoiceField(choices=InstitutionClass.ClassType.choices)
    places = serializers.IntegerField(min_value=1, max_value=20)
    caregivers = serializers.IntegerField(min_value=0, max_value=100)
    opened_on = serializers.DateField(required=False)


class InstitutionClassUpdateSerializer(InstitutionClassWriteSerializer):
    opened_on = None

    def __init__(self, *args, **kwargs):
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)


class StaffMemberSerializer(serializers.ModelSerializer):
    identity_number = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=18,
        help_text="Resident identity number; kept only as a keyed hash (finds double registrations) and a mask.")
    identity_masked = serializers.CharField(read_only=True)

    class Meta:
        model = StaffMember
        fields = ["id", "institution", "name", "role", "phone", "qualification", "qualification_expires_on",
                  "health_certificate_expires_on", "started_on", "left_on", "identity_number", "identity_masked"]
        read_only_fields = ["id", "institution", "identity_masked"]


class PublicInstitutionSerializer(CachedFieldsMixin, _PlacesFields, serializers.ModelSerializer):
    """The public register: no personal data (no names of people, no phones, no home addresses)."""

    class Meta:
        model = Institution
        fields = ["id", "name", "region", "region_name", "setting_type", "legal_form", "full_day", "half_day",
                  "hourly", "temporary", "is_inclusive", "inclusive_price", "medical_integration", "meals_served",
                  "status", "filed_on", "filing_number", "places", "places_planned", "next_class_opens_on"]
        read_only_fields = fields


class PublicClassSerializer(serializers.ModelSerializer):
    class Meta:
        model = InstitutionClass
        fields = ["name", "class_type", "places", "opened_on"]
        read_only_fields = fields


class PublicInstitutionDetailSerializer(PublicInstitutionSerializer):
    address = serializers.SerializerMethodField(
        help_text="Omitted (null) for family childcare points: their address is a private home.")
    classes = PublicClassSerializer(many=True, read_only=True, source="open_classes")

    class Meta(PublicInstitutionSerializer.Meta):
        fields = [*PublicInstitutionSerializer.Meta.fields, "address", "classes"]
        read_only_fields = fields

    def get_address(self, obj) -> str | None:
        return None if obj.setting_type == Institution.SettingType.FAMILY else obj.address


class MentoringPairSerializer(serializers.ModelSerializer):
    mentor_name = serializers.CharField(source="mentor.name", read_only=True)
    mentee_name = serializers.CharField(source="mentee.name", read_only=True)

    class Meta:
        model = MentoringPair
        fields = ["id", "mentor", "mentor_name", "mentee", "mentee_name", "started_on", "ended_on", "notes"]
        read_only_fields = fields


class GuidanceCentreSerializer(serializers.ModelSerializer):
    city_name = serializers.CharField(source="city.name", read_only=True)

    class Meta:
        model = GuidanceCentre
        fields = ["id", "city", "city_name", "name", "host", "address", "phone"]
        read_only_fields = fields


class InstitutionSuspendSerializer(serializers.Serializer):
    suspended_on = serializers.DateField(required=False, help_text="The date of the decision; today when omitted. "
                                                                   "Not in the future.")


class GuidanceCentreWriteSerializer(serializers.Serializer):
    city = serializers.RegexField(r"^\d{4}$", max_length=4, help_text="Division code of the city (4 digits).")
    name = serializers.CharField(max_length=200)
    host = serializers.CharField(max_length=200, required=False, default="", allow_blank=True,
                                 help_text="Usually the maternal and child health hospital.")
    address = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)


ID_BOUNDS = {"min_value": 1, "max_value": 2_147_483_647}


class MentoringPairWriteSerializer(serializers.Serializer):
    mentor = serializers.IntegerField(**ID_BOUNDS, help_text="The experienced institution (an id in your area).")
    mentee = serializers.IntegerField(**ID_BOUNDS, help_text="The institution it mentors (an id in your area).")
    started_on = serializers.DateField(required=False, help_text="Today when omitted.")
    notes = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)
