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
