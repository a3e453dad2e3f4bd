import gzip
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from regions.importing import DATA_DIR, ImportProblems, populations_import, regions_import
from regions.models import Region, RegionPopulation

pytestmark = pytest.mark.django_db


def _copy_divisions(tmp_path: Path) -> Path:
    for name in ("provinces.csv", "cities.csv", "areas.csv"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    with gzip.open(DATA_DIR / "streets.csv.gz", "rb") as src, (tmp_path / "streets.csv").open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return tmp_path


def test_hebei_import_has_the_published_counts():
    regions_import(province="13")
    counts = {level: Region.objects.under("13").filter(level=level).count() for level in Region.Level.values}
    assert counts == {"province": 1, "city": 11, "county": 190, "township": 2365}
    counties = Region.objects.under("13").filter(level="county")
    # 167 administrative county-level units plus 23 development zones with statistical codes.
    assert sum(1 for c in counties if not c.is_functional_area) == 167


def test_everything_under_a_city_is_a_prefix_query():
    regions_import(province="13")
    shijiazhuang = Region.objects.get(code="1301")
    under = Region.objects.under(shijiazhuang, include_self=False)
    assert under.exists()
    assert all(r.code.startswith("1301") for r in under)
    assert {r.parent_id[:4] for r in under} == {"1301"}
    assert not Region.objects.under("1301").filter(code__startswith="1302").exists()


def test_import_is_idempotent():
    first = regions_import(province="13")
    second = regions_import(province="13")
    assert first.created == 2567
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2567)
    assert Region.objects.count() == 2567


def test_national_import_loads_every_level():
    result = regions_import()
    assert result.created == Region.objects.count() == 31 + 342 + 2978 + 41352


def test_malformed_code_is_reported_by_file_and_line_and_nothing_is_imported(tmp_path):
    data = _copy_divisions(tmp_path)
    with (data / "areas.csv").open("a", encoding="utf-8") as fh:
        fh.write('13XX01,"坏区",1301,13\n')
    with pytest.raises(ImportProblems) as caught:
        regions_import(data_dir=data, province="13")
    line = sum(1 for _ in (data / "areas.csv").open(encoding="utf-8"))
    assert f"areas.csv:{line}: code '13XX01' is not 6 digits" in caught.value.problems
    assert Region.objects.count() == 0


def test_row_whose_parent_does_not_exist_is_reported(tmp_path):
    data = _copy_divisions(tmp_path)
    with (data / "streets.csv").open("a", encoding="utf-8") as fh:
        fh.write('139999001,"无主街道",139999,13,1399\n')
    with pytest.raises(CommandError, match=r"streets.csv:\d+: parent '139999' of 139999001 does not exist"):
        call_command("import_regions", data_dir=data, province="13")
    assert Region.objects.count() == 0


def test_population_import_rejects_negative_figure_and_imports_nothing(tmp_path):
    regions_import(province="13")
    bad = tmp_path / "pop.csv"
    bad.write_text("code,name,resident_population,year,source\n"
                   "1301,石家庄市,11235086,2020,census\n"
                   "1302,唐山市,-5,2020,census\n", encoding="utf-8")
    with pytest.raises(ImportProblems) as caught:
        populations_import(path=bad)
    assert caught.value.problems == ["pop.csv:3: resident_population '-5' must be a positive whole number"]
    assert RegionPopulation.objects.count() == 0


def test_population_import_names_unknown_region(tmp_path):
    regions_import(province="13")
    bad = tmp_path / "pop.csv"
    bad.write_text("code,name,resident_population,year,source\n9999,无,10,2020,x\n", encoding="utf-8")
    with pytest.raises(ImportProblems, match=r"pop.csv:2: region '9999' does not exist"):
        populations_import(path=bad)


def test_hebei_census_sums_to_the_province_total_and_is_idempotent():
    regions_import(province="13")
    populations_import(path=DATA_DIR / "hebei_cities_2020_census.csv")
    again = populations_import(path=DATA_DIR / "hebei_cities_2020_census.csv")
    assert again.unchanged == 11
    total = sum(RegionPopulation.objects.filter(year=2020).values_list("resident_population", flat=True))
    assert total == 74_610_235


def test_region_without_population_is_not_provided_never_zero(regions):
    import datetime

    county = regions["130102"]
    assert county.population_on(datetime.date(2022, 6, 30)) is None
    city = regions["1301"]
    assert city.population_on(datetime.date(2022, 6, 30)).resident_population == 11235086
    assert city.population_on(datetime.date(2019, 12, 31)) is None  # no figure for a year before the census
