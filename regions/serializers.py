from rest_framework import serializers

from .models import Region, RegionPopulation


class RegionPopulationSerializer(serializers.ModelSerializer):
    class Meta:
        model = RegionPopulation
        fields = ["year", "resident_population", "source", "is_synthetic"]


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]


class RegionDetailSerializer(RegionSerializer):
    ancestors = RegionSerializer(many=True, read_only=True, source="ancestor_list")
    children = RegionSerializer(many=True, read_only=True)
    populations = RegionPopulationSerializer(many=True, read_only=True)

    class Meta(RegionSerializer.Meta):
        fields = [*RegionSerializer.Meta.fields, "ancestors", "children", "populations"]


class ProvinceLoadSerializer(serializers.Serializer):
    province = serializers.RegexField(r"^\d{2}$", max_length=2,
                                      help_text="Two-digit code of a province shipped with the portal (14: Shanxi).")


class ProvinceLoadResultSerializer(serializers.Serializer):
    province = serializers.CharField()
    name = serializers.CharField()
    created = serializers.IntegerField(help_text="Regions added.")
    updated = serializers.IntegerField(help_text="Regions whose name or parent changed.")
    unchanged = serializers.IntegerField()
    regions = serializers.IntegerField(help_text="Regions of the province now loaded.")
    seconds = serializers.FloatField(help_text="How long the load took.")


class ShippedProvinceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    regions = serializers.IntegerField(help_text="Regions of the province in the portal (0: not loaded yet).")


def _this_year() -> int:
    from django.utils import timezone

    return timezone.localdate().year


class PopulationFigureSerializer(serializers.Serializer):
    """A resident population figure for the year given in the URL (PUT)."""

    resident_population = serializers.IntegerField(min_value=1, max_value=2_000_000_000)
    source = serializers.RegexField(r"\S", max_length=200,
                                    help_text="Where the figure comes from, e.g. '7th national census (2020-11-01)'.")


class PopulationWriteSerializer(PopulationFigureSerializer):
    """A resident population figure and its year (POST); replaces that year's figure if there is one."""

    year = serializers.IntegerField(min_value=1949)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No figure for a year still to come; the schema states the bound of the day it is served.
        self.fields["year"].max_value = _this_year()
        from django.core.validators import MaxValueValidator

        self.fields["year"].validators.append(MaxValueValidator(_this_year()))


class PopulationUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8 or GB18030) or XLSX with the columns code, "
                                           "resident_population, year, source (a header row first).")
    dry_run = serializers.BooleanField(default=False, help_text="Check every row and report; write nothing.")


class PopulationUploadResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
