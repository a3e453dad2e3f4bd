import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from audit.models import AuditEntry
from filings import services
from filings.models import Document, Filing, FilingReturnComment, Notification, ReceiptCounter
from institutions.models import Institution, InstitutionClass
from tests.factories import InstitutionClassFactory

from .conftest import make_submitted, pdf, upload_complete_documents


def test_staff_create_a_draft_initial_filing(draft_filing, draft_institution):
    assert draft_filing.status == Filing.Status.DRAFT
    assert draft_filing.institution == draft_institution
    assert AuditEntry.objects.filter(action="filing.create", target_id=str(draft_filing.pk)).exists()


def test_only_one_filing_in_progress_per_institution(draft_filing, draft_institution, draft_staff):
    with pytest.raises(services.FilingStateError):
        services.filing_create(institution=draft_institution, kind=Filing.Kind.INITIAL, actor=draft_staff)


def test_an_official_cannot_create_a_filing(draft_institution, county_official):
    with pytest.raises(PermissionDenied):
        services.filing_create(institution=draft_institution, kind=Filing.Kind.INITIAL, actor=county_official)


def test_a_filed_institution_cannot_file_an_initial_filing(institution, staff):
    with pytest.raises(services.FilingStateError):
        services.filing_create(institution=institution, kind=Filing.Kind.INITIAL, actor=staff)


def test_submit_incomplete_lists_every_missing_item(draft_filing, draft_staff):
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        services.filing_submit(filing=draft_filing, actor=draft_staff)
    problems = exc.value.message_dict["documents"]
    assert "Missing document: Business licence or legal-person certificate." in problems
    assert "Missing document: Signed commitment letter (备案承诺书)." in problems
    draft_filing.refresh_from_db()
    assert draft_filing.status == Filing.Status.DRAFT


def test_submit_needs_at_least_one_class(draft_filing, draft_staff, draft_institution):
    InstitutionClass.objects.filter(institution=draft_institution).update(closed_on=timezone.localdate())
    upload_complete_documents(draft_filing, draft_staff)
    with pytest.raises(ValidationError) as exc, translation.override("zh-hans"):
        services.filing_submit(filing=draft_filing, actor=draft_staff)
    assert "备案前请至少设置一个班级。" in exc.value.messages


def test_submit_complete_sets_submission_time_and_deadline(submitted_filing):
    assert submitted_filing.status == Filing.Status.SUBMITTED
    assert submitted_filing.submitted_at is not None
    assert submitted_filing.due_on > timezone.localdate()
    assert (submitted_filing.due_on - timezone.localdate()).days <= 9


def test_repeated_submit_is_refused_and_changes_nothing(submitted_filing, draft_staff):
    before = (submitted_filing.submitted_at, submitted_filing.due_on)
    with pytest.raises(services.FilingStateError):
        services.filing_submit(filing=submitted_filing, actor=draft_staff)
    submitted_filing.refresh_from_db()
    assert (submitted_filing.submitted_at, submitted_filing.due_on) == before


def test_a_health_report_rated_fail_blocks_submission(draft_filing, draft_staff):
    for kind in services.required_document_kinds(draft_filing):
        services.document_upload(filing=draft_filing, actor=draft_staff, kind=kind, file=pdf(),
                                 premises_owned=True, rated_pass=False if kind == "health_evaluation" else None)
    with pytest.raises(ValidationError) as exc:
        services.filing_submit(filing=draft_filing, actor=draft_staff)
    assert "合格" in " ".join(exc.value.messages)


def test_food_licence_required_only_when_meals_are_served(draft_filing, draft_institution):
    assert Document.Kind.FOOD_LICENCE not in services.required_document_kinds(draft_filing)
    Institution.objects.filter(pk=draft_institution.pk).update(meals_served=True)
    draft_filing.refresh_from_db()
    draft_filing.institution.refresh_from_db()
    assert Document.Kind.FOOD_LICENCE in services.required_document_kinds(draft_filing)


@pytest.fixture
def eager_tasks():
    """Runs Celery tasks in-process even when a broker is configured, so the e-mail lands in the outbox."""
    from portal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def test_county_official_returns_with_comments_per_section(submitted_filing, county_official, draft_staff,
                                                          django_capture_on_commit_callbacks, eager_tasks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        filing = services.filing_return(filing=submitted_filing, actor=county_official,
                                        comments={"fire": "消防验收意见书已过期", "staff": "缺少2名保育员健康证",
                                                  "food": ""})
    assert filing.status == Filing.Status.RETURNED
    comments = dict(FilingReturnComment.objects.filter(filing=filing).values_list("section", "comment"))
    assert comments == {"fire": "消防验收意见书已过期", "staff": "缺少2名保育员健康证"}
    notification = Notification.objects.get(user=draft_staff, filing=filing)
    assert notification.event == Notification.Event.RETURNED
    assert "消防验收意见书已过期" in notification.message
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [draft_staff.email]


def test_return_needs_a_comment(submitted_filing, county_official):
    with pytest.raises(ValidationError):
        services.filing_return(filing=submitted_filing, actor=county_official, comments={"fire": "  "})
    submitted_filing.refresh_from_db()
    assert submitted_filing.status == Filing.Status.SUBMITTED


def test_returned_filing_is_corrected_and_resubmitted_with_a_new_deadline(submitted_filing, county_official,
                                                                          draft_staff):
    services.filing_return(filing=submitted_filing, actor=county_official, comments={"fire": "请补充"})
    services.document_upload(filing=submitted_filing, actor=draft_staff, kind="fire_safety", file=pdf("fire2.pdf"))
    filing = services.filing_resubmit(filing=submitted_filing, actor=draft_staff)
    assert filing.status == Filing.Status.RESUBMITTED
    assert filing.resubmission_count == 1
    assert Filing.objects.pending().filter(pk=filing.pk).exists()
    with pytest.raises(services.FilingStateError):
        services.filing_resubmit(filing=filing, actor=draft_staff)


def test_documents_cannot_change_while_under_review(submitted_filing, draft_staff):
    with pytest.raises(services.FilingStateError):
        services.document_upload(filing=submitted_filing, actor=draft_staff, kind="other", file=pdf())


def test_approve_files_the_institution_with_a_receipt_number(submitted_filing, county_official):
    filing = services.filing_approve(filing=submitted_filing, actor=county_official)
    year = timezone.localdate().year
    assert filing.status == Filing.Status.FILED
    assert filing.receipt_number == f"130102-{year}-0001"
    assert filing.decided_by == county_official
    institution = Institution.objects.get(pk=filing.institution_id)
    assert institution.status == Institution.Status.FILED
    assert institution.filing_number == filing.receipt_number
    assert institution.filed_on == timezone.localdate()
    assert Notification.objects.filter(filing=filing, event=Notification.Event.FILED).exists()


def test_repeated_approve_is_refused_and_issues_no_second_number(submitted_filing, county_official):
    services.filing_approve(filing=submitted_filing, actor=county_official)
    with pytest.raises(services.FilingStateError):
        services.filing_approve(filing=submitted_filing, actor=county_official)
    assert ReceiptCounter.objects.get(county_id="130102").last_number == 1


def test_receipt_numbers_are_consecutive_per_county_and_year(regions, county_official):
    from tests.factories import InstitutionFactory, UserFactory

    numbers = []
    for _i in range(3):
        inst = InstitutionFactory(region_id="130102002", status=Institution.Status.DRAFT, filed_on=None)
        InstitutionClassFactory(institution=inst)
        actor = UserFactory(institution=inst)
        numbers.append(services.filing_approve(filing=make_submitted(inst, actor), actor=county_official)
                       .receipt_number)
    year = timezone.localdate().year
    assert numbers == [f"130102-{year}-000{n}" for n in (1, 2, 3)]


def test_approving_a_draft_is_refused(draft_filing, county_official):
    with pytest.raises(services.FilingStateError):
        services.filing_approve(filing=draft_filing, actor=county_official)


@pytest.mark.parametrize("actor_name", ["draft_staff", "township_official", "city_official", "province_official",
                                        "other_county_official", "admin_user"])
def test_only_the_county_official_decides(submitted_filing, request, actor_name):
    actor = request.getfixturevalue(actor_name)
    for action, kwargs in ((services.filing_approve, {}), (services.filing_reject, {"reason": "x"}),
                           (services.filing_return, {"comments": {"fire": "x"}})):
        with pytest.raises(PermissionDenied):
            action(filing=submitted_filing, actor=actor, **kwargs)
    submitted_filing.refresh_from_db()
    assert submitted_filing.status == Filing.Status.SUBMITTED


def test_reject_needs_a_reason_and_is_made_public(submitted_filing, county_official):
    with pytest.raises(ValidationError):
        services.filing_reject(filing=submitted_filing, actor=county_official, reason="")
    filing = services.filing_reject(filing=submitted_filing, actor=county_official, reason="场地不符合设置标准")
    assert filing.status == Filing.Status.REJECTED
    assert list(Filing.objects.publicly_rejected()) == [filing]
    assert Institution.objects.get(pk=filing.institution_id).status == Institution.Status.DRAFT
    with pytest.raises(services.FilingStateError):
        services.filing_reject(filing=filing, actor=county_official, reason="again")


def test_staff_withdraw_and_a_repeat_changes_nothing(submitted_filing, draft_staff, county_official):
    filing = services.filing_withdraw(filing=submitted_filing, actor=draft_staff)
    assert filing.status == Filing.Status.WITHDRAWN
    withdrawn_at = filing.withdrawn_at
    with pytest.raises(services.FilingStateError):
        services.filing_withdraw(filing=filing, actor=draft_staff)
    filing.refresh_from_db()
    assert filing.withdrawn_at == withdrawn_at
    with pytest.raises(services.FilingStateError):
        services.filing_approve(filing=filing, actor=county_official)


def test_a_filed_filing_cannot_be_withdrawn(submitted_filing, draft_staff, county_official):
    services.filing_approve(filing=submitted_filing, actor=county_official)
    with pytest.raises(services.FilingStateError):
        services.filing_withdraw(filing=submitted_filing, actor=draft_staff)


def test_overdue_filings_are_flagged(submitted_filing):
    today = timezone.localdate()
    assert not Filing.objects.overdue(on=today).exists()
    later = submitted_filing.due_on + datetime.timedelta(days=1)
    assert list(Filing.objects.overdue(on=later)) == [submitted_filing]
    assert submitted_filing.is_overdue(on=later)
    assert not submitted_filing.is_overdue(on=submitted_filing.due_on)


def test_every_transition_writes_an_audit_row(submitted_filing, county_official, draft_staff):
    services.filing_return(filing=submitted_filing, actor=county_official, comments={"basic": "地址有误"})
    services.filing_resubmit(filing=submitted_filing, actor=draft_staff)
    services.filing_approve(filing=submitted_filing, actor=county_official)
    actions = list(AuditEntry.objects.filter(target_type="filings.filing", target_id=str(submitted_filing.pk))
                   .order_by("at", "pk").values_list("action", flat=True))
    assert actions == ["filing.create", "filing.submit", "filing.return", "filing.resubmit", "filing.approve"]


# --- Change and cancellation filings ---------------------------------------------------------------

def test_change_filing_changes_the_institution_only_when_approved(institution, staff, county_official):
    klass = InstitutionClassFactory(institution=institution, name="托小一班", class_type="younger", places=10,
                                    caregivers=2)
    filing = services.filing_create(
        institution=institution, kind=Filing.Kind.CHANGE, actor=staff,
        particulars={"name": "长安区阳光托育中心", "address": "长安区新地址8号"},
        class_changes=[{"action": "update", "class_id": klass.pk, "places": 15, "caregivers": 3},
                       {"action": "add", "name": "乳儿一班", "class_type": "infant", "places": 9, "caregivers": 3}])
    upload_complete_documents(filing, staff)
    services.filing_submit(filing=filing, actor=staff)
    institution.refresh_from_db()
    assert institution.name == "长安区阳光托育园"
    services.filing_approve(filing=filing, actor=county_official)
    institution.refresh_from_db()
    assert institution.name == "长安区阳光托育中心"
    assert institution.address == "长安区新地址8号"
    klass.refresh_from_db()
    assert klass.places == 15
    assert institution.classes.filter(name="乳儿一班", places=9).exists()
    assert institution.filing_number != filing.receipt_number or institution.filing_number == ""


def test_change_filing_checks_class_caps_when_written(institution, staff):
    with pytest.raises(ValidationError) as exc:
        services.filing_create(institution=institution, kind=Filing.Kind.CHANGE, actor=staff,
                               class_changes=[{"action": "add", "name": "乳儿二班", "class_type": "infant",
                                               "places": 12, "caregivers": 4}])
    assert "10" in " ".join(exc.value.messages)


def test_change_filing_refuses_fields_it_cannot_change(institution, staff):
    with pytest.raises(ValidationError):
        services.filing_create(institution=institution, kind=Filing.Kind.CHANGE, actor=staff,
                               particulars={"credit_code": "91130102MA0000000X"})


def test_cancellation_needs_resettlement_confirmed(institution, staff, county_official):
    filing = services.filing_create(institution=institution, kind=Filing.Kind.CANCELLATION, actor=staff)
    upload_complete_documents(filing, staff)
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        services.filing_submit(filing=filing, actor=staff)
    assert "Confirm that enrolled children and staff have been resettled." in exc.value.messages
    services.filing_update_draft(filing=filing, actor=staff, resettlement_confirmed=True)
    services.filing_submit(filing=filing, actor=staff)
    services.filing_approve(filing=filing, actor=county_official)
    institution.refresh_from_db()
    assert institution.status == Institution.Status.CANCELLED
    assert institution.cancelled_on == timezone.localdate()
