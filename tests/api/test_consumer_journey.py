"""A new province built through the API alone, with nothing but an administrator's client credentials.

A provincial system (Shanxi, 14) is registered by an administrator as an OAuth 2.0 client acting as an
administrator. Everything after that goes over HTTP to a live server: it loads Shanxi's division codes,
sets resident populations, provisions the province's, a city's and a county's officials, registers a
client for the county's own review system, invites institution staff with one-time codes, the staff
register their institutions with classes and file them with their documents, the county approves,
the province recomputes the figures and reads them back, and the events feed tells what happened.
The figures are checked against plain arithmetic on what was sent. The journey prints its request
count and time (docs/api.md and the README quote them).
"""

from __future__ import annotations

import datetime
import time
from decimal import Decimal

import pytest
import requests

from accounts import services
from accounts.models import User
from accounts.scopes import ALL_SCOPES
from tests.factories import make_credit_code

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PROVINCE, CITY, COUNTY = "14", "1401", "140105"  # 山西省, 太原市, 小店区
POPULATIONS = {PROVINCE: 34_915_616, CITY: 5_390_957, COUNTY: 1_095_312}  # 7th census (2020)
INSTITUTIONS = [  # (name, classes as (name, type, places, caregivers))
    ("小店区阳光托育园", [("乳儿班", "infant", 9, 3), ("托小一班", "younger", 15, 3), ("托大一班", "older", 20, 3)]),
    ("小店区星星托育中心", [("托大一班", "older", 20, 3), ("混合班", "mixed", 18, 4)]),
    ("小店区晋阳幼儿园托班", [("托大班", "older", 20, 3)]),
]


class Consumer:
    """An HTTP client that counts its requests and fails loudly on an unexpected status."""

    def __init__(self, base: str):
        self.base = base.rstrip("/") + "/api/v1"
        self.session = requests.Session()
        self.session.headers["Accept-Language"] = "en"
        self.requests = 0
        self.timings: list[tuple[float, str]] = []

    def call(self, method: str, path: str, token: str | None = None, expect: int = 200, headers=None, **kwargs):
        headers = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
        self.requests += 1
        began = time.perf_counter()
        response = self.session.request(method, self.base + path, headers=headers, timeout=60, **kwargs)
        self.timings.append((time.perf_counter() - began, f"{method} {path.split('?')[0]}"))
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text[:500]}"
        return response.json() if response.content else None

    def token(self, client_id: str, secret: str) -> str:
        self.requests += 1
        response = self.session.post(self.base + "/oauth/token/", data={"grant_type": "client_credentials"},
                                     auth=(client_id, secret), timeout=60)
        assert response.status_code == 200, response.text
        return response.json()["access_token"]


@pytest.fixture
def provincial_system(db):
    """What an administrator does once, in the browser: register Shanxi's system as an administrator client."""
    admin = User.objects.create_superuser("root", password="tuoyu-test-root-2026")
    client, secret = services.api_client_register(actor=admin, name="山西省卫生健康信息平台", role="admin",
                                                  scopes=ALL_SCOPES)
    return client.application.client_id, secret


def test_a_new_province_is_built_through_the_api_alone(live_server, provincial_system, own_celery_worker,
                                                       settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    api = Consumer(live_server.url)
    started = time.perf_counter()
    province = api.token(*provincial_system)

    # 1. Division codes and populations
    loaded = api.call("POST", "/regions/load/", province, json={"province": PROVINCE})
    assert loaded["province"] == PROVINCE and loaded["created"] > 100
    assert api.call("GET", f"/regions/{COUNTY}/", province)["name"] == "小店区"
    for code, residents in POPULATIONS.items():
        api.call("POST", f"/regions/{code}/populations/", province, expect=201,
                 json={"year": 2020, "resident_population": residents, "source": "第七次全国人口普查"})

    # 2. Officials of the province, the city and the county; a client for the county's review system
    for username, code in (("shanxi", PROVINCE), ("taiyuan", CITY), ("xiaodian", COUNTY)):
        made = api.call("POST", "/accounts/", province, expect=201,
                        json={"username": username, "role": "official", "region": code})
        assert made["region"] == code and "/accounts/setup/" in made["password_setup_url"]
    county_client = api.call("POST", "/clients/", province, expect=201, json={
        "name": "小店区备案审核系统", "role": "official", "region": COUNTY,
        "scope": "accounts:write filings:write institutions:read metrics:read events:read"})
    county = api.token(county_client["client_id"], county_client["client_secret"])
    assert api.call("GET", "/me/", county)["region"] == COUNTY

    # 3. Staff invited by the county register their institutions and file them
    filings = []
    for n, (name, classes) in enumerate(INSTITUTIONS):
        invitation = api.call("POST", "/invitations/", county, expect=201, json={"region": COUNTY, "note": name})
        accepted = api.call("POST", "/invitations/accept/", expect=201, json={
            "code": invitation["code"], "username": f"staff-{n}", "password": "Tuoyu-staff-2026!",
            "token_scope": "institutions:write filings:write"})
        staff = accepted["token"]
        institution = api.call("POST", "/institutions/", staff, expect=201, json={
            "name": name, "legal_form": "forprofit", "setting_type": "standalone", "full_day": True,
            "region": COUNTY, "address": f"小店区长治路{n + 1}号", "legal_representative": "王芳",
            "person_in_charge": "李娜", "person_in_charge_phone": "13900000000",
            "credit_code": make_credit_code(COUNTY, n=n + 1)})
        for class_name, class_type, places, caregivers in classes:
            api.call("POST", f"/institutions/{institution['id']}/classes/", staff, expect=201, json={
                "name": class_name, "class_type": class_type, "places": places, "caregivers": caregivers})
        filing = api.call("POST", "/filings/", staff, expect=201, json={"kind": "initial"})
        for kind in ("business_licence", "premises", "staff_certificates", "health_evaluation", "fire_safety",
                     "commitment"):
            extra = {"lease_ends_on": (datetime.date.today() + datetime.timedelta(days=4 * 365)).isoformat()} \
                if kind == "premises" else {"rated_pass": "true"} if kind == "health_evaluation" else {}
            api.call("POST", f"/filings/{filing['id']}/documents/", staff, expect=201,
                     data={"kind": kind, **extra}, files={"file": (f"{kind}.pdf", PDF, "application/pdf")})
        api.call("POST", f"/filings/{filing['id']}/submit/", staff, json={})
        filings.append(filing["id"])

    # 4. The county reviews its queue and files them
    queue = api.call("GET", "/filings/?status=submitted", county)
    assert sorted(f["id"] for f in queue["results"]) == sorted(filings)
    for filing_id in filings:
        decided = api.call("POST", f"/filings/{filing_id}/approve/", county, json={})
        assert decided["status"] == "filed" and decided["receipt_number"]

    # 5. The province recomputes today's figures and reads them
    today = datetime.date.today().isoformat()
    run = api.call("POST", "/metrics/recompute/", province, expect=202, json={"date": today})
    recompute_started = time.perf_counter()
    deadline = time.monotonic() + 120
    while run["status"] not in ("ready", "failed") and time.monotonic() < deadline:
        time.sleep(0.5)
        run = api.call("GET", f"/metrics/recompute/{run['task_id']}/", province)
    assert run["status"] == "ready", run
    recompute_seconds = time.perf_counter() - recompute_started

    places = sum(c[2] for _, classes in INSTITUTIONS for c in classes)  # 102
    for code in (COUNTY, CITY, PROVINCE):
        figures = api.call("GET", f"/metrics/regions/{code}/", province, headers={"Cache-Control": "no-cache"})
        assert figures["institutions"] == len(INSTITUTIONS)
        assert figures["places"] == places
        assert figures["resident_population"] == POPULATIONS[code]
        expected = Decimal(places) / POPULATIONS[code] * 1000
        assert abs(Decimal(str(figures["places_per_1000"])) - expected) < Decimal("0.0001"), (code, figures)
    county_view = api.call("GET", f"/metrics/regions/{COUNTY}/", county)
    assert county_view["places"] == places
    api.call("GET", "/metrics/regions/1301/", county, expect=404)  # another province's city: not its area

    # 6. The events feed tells the province what happened (after the settle window)
    settle = settings.EVENTS_SETTLE_SECONDS + 0.5
    time.sleep(settle)
    seen, cursor = [], None
    while True:
        page = api.call("GET", "/events/" + (f"?after={cursor}" if cursor else ""), province)
        seen += page["events"]
        cursor = page["next"]
        if not page["has_more"]:
            break
    types = {e["type"] for e in seen}
    assert {"filing.submitted", "filing.filed"} <= types, types

    elapsed = time.perf_counter() - started
    print(f"\nconsumer journey: {api.requests} requests in {elapsed:.1f} s, of which {recompute_seconds:.1f} s "
          f"waiting for the worker's recompute and {settle:.1f} s for the events feed's settle window")
    print("slowest:", ", ".join(f"{what} {seconds * 1000:.0f} ms" for seconds, what in sorted(api.timings)[-6:]))
