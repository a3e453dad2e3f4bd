"""Metrics learns of changes through one seam, institutions.signals.figures_changed: the apps it counts
never import it, and it hears every change that moves its figures."""

import datetime
import re
from pathlib import Path

from institutions.signals import figures_changed
from metrics.receivers import recompute_on_change
from tests.helpers import guardian_consent

ROOT = Path(__file__).resolve().parents[2]


def _imports(app: str) -> list[str]:
    found = []
    for path in sorted((ROOT / app).rglob("*.py")):
        if "/migrations/" in path.as_posix():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            found.append((f"{path.relative_to(ROOT)}:{number}", line))
    return found


def test_filings_enrolments_and_institutions_do_not_import_metrics():
    pattern = re.compile(r"^\s*(from metrics\b|import metrics\b)")
    offending = [where for app in ("filings", "enrolments", "institutions") for where, line in _imports(app)
                 if pattern.match(line)]
    assert not offending


def test_audit_request_and_services_do_not_import_each_other():
    services = (ROOT / "audit/services.py").read_text(encoding="utf-8")
    assert not re.search(r"from \.request import|from audit\.request import", services)


def test_metrics_listens_to_the_seam():
    assert recompute_on_change in [entry[1]() for entry in figures_changed.receivers]


def test_enrolling_and_leaving_tell_the_seam(db, staff, institution):
    from enrolments import services
    from enrolments.models import LeavingReason
    from tests.enrolments.helpers import born_months_ago, resident_id
    from tests.factories import InstitutionClassFactory

    heard = []

    def listen(sender, *, region_code, **kwargs):
        heard.append(region_code)

    figures_changed.connect(listen)
    try:
        klass = InstitutionClassFactory(institution=institution, class_type="older", places=20, caregivers=3)
        born = born_months_ago(26)
        child = services.child_register(
            institution=institution, name="李小明", sex="male", date_of_birth=born, document_type="resident_id",
            document_number=resident_id(born, county="130102", sex="male"),
            guardians=[{"name": "王芳", "relation": "mother", "phone": "13900000000"}],
            consent=guardian_consent(), actor=staff)
        enrolment = services.enrolment_create(child=child, klass=klass, care_form="full_day",
                                              start_date=datetime.date.today(), actor=staff)
        services.enrolment_end(enrolment=enrolment, end_date=datetime.date.today() + datetime.timedelta(days=1),
                               reason=LeavingReason.FAMILY_CHOICE, actor=staff)
    finally:
        figures_changed.disconnect(listen)
    assert heard == [institution.region_id, institution.region_id]
