"""Demo step: Hebei's divisions, the 2020 census city populations and synthetic county figures.

County figures are not published with the census data we ship, so the demo splits each city's
figure over its counties (marked "synthetic demo", summing exactly to the city's figure) so that
drill-down maps have colour. Real deployments import real figures with `import_population`.
"""

from django.db.models import Count

from portal.demo import DEMO_PROVINCE

from .importing import DATA_DIR, population_upsert, populations_import, regions_import
from .models import Region, RegionPopulation

# Sources are data the users read in the portal's language, as an official would type them.
SYNTHETIC_SOURCE = "演示用合成数据（市级普查人口按县区拆分）"


def seed(ctx) -> None:
    result = regions_import(province=DEMO_PROVINCE)
    ctx.say(f"Regions of Hebei: {result.created} created, {result.unchanged} unchanged.")
    populations_import(path=DATA_DIR / "hebei_cities_2020_census.csv")
    cities = RegionPopulation.objects.filter(region__level="city", region__code__startswith=DEMO_PROVINCE,
                                             year=2020)
    province_total = sum(p.resident_population for p in cities)
    figures = [RegionPopulation(region_id=DEMO_PROVINCE, year=2020, resident_population=province_total,
                                source="第七次全国人口普查（2020-11-01），11 个设区市合计")]
    counties_of = {
        r["code"]: r["n"] for r in Region.objects.filter(level="city", code__startswith=DEMO_PROVINCE)
        .annotate(n=Count("children")).values("code", "n")
    }
    for city in cities:
        counties = list(Region.objects.filter(parent_id=city.region_id).order_by("code"))
        if not counties_of.get(city.region_id):
            continue
        weights = [ctx.rng.uniform(0.6, 1.6) for _ in counties]
        shares = [int(city.resident_population * w / sum(weights)) for w in weights]
        shares[-1] += city.resident_population - sum(shares)  # exact sum
        figures += [RegionPopulation(region=c, year=2020, resident_population=s, source=SYNTHETIC_SOURCE,
                                     is_synthetic=True) for c, s in zip(counties, shares, strict=True)]
    population_upsert(figures=figures)
    ctx.say(f"Populations: Hebei {province_total:,} residents in 2020 (census), county figures synthetic.")
