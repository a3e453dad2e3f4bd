"""Supervision's services: verification after filing, the draw, recording, rectification, suspension notices."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.policies import OutsideArea
from audit.models import AuditEntry
from filings import services as filing_services
from filings.models import Filing, Holiday
from filings.workdays import add_working_days_skipping
from institutions.models import Institution, MentoringPair
from portal.exceptions import Conflict
from supervision import draw as draw_module
from supervision import services
from supervision.models import (
    Checklist,
    Draw,
    Evidence,
    Inspection,
    NonComplianceNotice,
    RectificationOrder,
    SuspensionNotice,
)
from tests.factories import InstitutionFactory, UserFactory

from .conftest import official, photo, record_all

# --- Checklists -----------------------------------------------------------------------------------


def test_shipped_checklists_are_a_working_definition_with_risk_weights(checklist, fire_checklist):
    for c in (checklist, fire_checklist):
        assert c.is_working_definition
        assert {i.risk for i in c.items.all()} == {"high", "medium", "low"}
        assert c.items.filter(immediate_risk=True).exists()
    assert checklist.items.filter(text__contains="1:3").exists()  # the carer ratios of the setting standard


def test_a_new_version_leaves_older_inspections_on_theirs(inspection, checklist, county_official):
    newer = services.checklist_create_version(
        code="health-safety", name="卫生与安全检查表（本县版）", actor=county_official,
        items=[{"code": "X-1", "area": "安全", "text": "新增要求", "risk": "high", "immediate_risk": True}])
    assert newer.version == 2
    inspection.refresh_from_db()
    assert inspection.checklist_id == checklist.pk
    assert inspection.checklist.items.count() == 17
    assert services.checklist_latest("health-safety") == newer
    assert AuditEntry.objects.filter(action="checklist.create", target_id=str(newer.pk)).exists()


def test_a_checklist_item_with_an_unknown_risk_names_the_item(county_official):
    with pytest.raises(ValidationError) as exc:
        services.checklist_create_version(code="x", name="x", actor=county_official,
                                          items=[{"code": "1", "area": "a", "text": "t", "risk": "extreme"}])
    assert "items" in exc.value.message_dict
    assert not Checklist.objects.filter(code="x").exists()


def test_staff_cannot_write_a_checklist(staff):
    with pytest.raises(PermissionDenied):
        services.checklist_create_version(code="x", name="x", actor=staff,
                                          items=[{"code": "1", "area": "a", "text": "t", "risk": "low"}])


# --- Verification after filing ------------------------------------------------------------------


@pytest.fixture
def approved_filing(regions, county_official):
    from tests.filings.conftest import make_submitted

    draft = InstitutionFactory(region_id="130102001", name="长安区新苗托育园", status=Institution.Status.DRAFT,
                               filed_on=None)
    from tests.factories import InstitutionClassFactory

    InstitutionClassFactory(institution=draft, name="托大一班", places=20, caregivers=3)
    staff = UserFactory(username="staff_new", institution=draft)
    filing = make_submitted(draft, staff)
    return filing_services.filing_approve(filing=filing, actor=county_official)


def test_approving_a_filing_opens_the_countys_verification_due_in_15_working_days(approved_filing):
    verification = Inspection.objects.get(filing=approved_filing)
    assert verification.kind == Inspection.Kind.VERIFICATION
    assert verification.institution_id == approved_filing.institution_id
    assert verification.due_on == add_working_days_skipping(timezone.localdate(), 15, set())
    assert AuditEntry.objects.filter(action="inspection.verification_open", target_id=str(verification.pk)).exists()


def test_verification_deadline_skips_holidays_and_counts_worked_weekends(regions, checklist):
    # Golden Week 2026: 1–7 October off; Sunday 27 September and Saturday 10 October worked (调休).
    for day in range(1, 8):
        Holiday.objects.create(date=datetime.date(2026, 10, day), name="国庆节")
    Holiday.objects.create(date=datetime.date(2026, 9, 27), name="调休", kind=Holiday.Kind.WORKING_WEEKEND)
    Holiday.objects.create(date=datetime.date(2026, 10, 10), name="调休", kind=Holiday.Kind.WORKING_WEEKEND)
    institution = InstitutionFactory(region_id="130102", status=Institution.Status.FILED)
    filing = Filing.objects.create(institution=institution, kind=Filing.Kind.INITIAL, status=Filing.Status.FILED,
                                   receipt_number="130102-2026-0099", decided_at=timezone.now())
    verification = services.verification_open(filing=filing, decided_on=datetime.date(2026, 9, 25))
    # Fri 25 Sep → working days: 27 (Sun, worked), 28, 29, 30 Sep, 8, 9, 10 (Sat, worked), 12–16, 19–21 Oct.
    assert verification.due_on == datetime.date(2026, 10, 21)
    assert services.verification_open(filing=filing, decided_on=datetime.date(2026, 9, 25)) is None


def test_a_cancellation_approval_opens_no_verification(db, checklist, county_official, institution):
    from filings.signals import filing_approved

    filing = Filing.objects.create(institution=institution, kind=Filing.Kind.CANCELLATION,
                                   status=Filing.Status.FILED, receipt_number="130102-2026-0098",
                                   resettlement_confirmed=True,
                                   decided_at=timezone.now())
    filing_approved.send(sender=Filing, filing=filing, decided_on=timezone.localdate())
    assert not Inspection.objects.filter(filing=filing).exists()


def test_verification_with_findings_issues_a_published_notice(approved_filing, county_official, inspectors):
    verification = Inspection.objects.get(filing=approved_filing)
    services.inspection_assign(inspection=verification, inspectors=[inspectors[0].user], actor=county_official,
                               mode="desk")
    record_all(verification, inspectors[0].user, {"HS-04": "两名保育人员健康证明过期"})
    services.inspection_sign_off(inspection=verification, actor=inspectors[0].user)
    notice = NonComplianceNotice.objects.get(inspection=verification)
    assert [i["code"] for i in notice.items] == ["HS-04"]
    assert notice.issued_on == timezone.localdate()


# --- The draw -------------------------------------------------------------------------------------


def test_same_seed_and_inputs_give_the_same_list(planned_round, county_official):
    first, created = services.round_draw(round_=planned_round, actor=county_official)
    assert created
    assert len(first.result) == 4  # 30 % of 11, rounded up
    again, created_again = services.round_draw(round_=planned_round, actor=county_official)
    assert not created_again and again.pk == first.pk
    assert services.draw_replay(first)
    # Anyone holding the recorded pair gets the list with the pure function alone.
    assert draw_module.draw(first.seed, first.inputs) == first.result
    assert AuditEntry.objects.filter(action="inspection_round.draw").count() == 1


def test_the_draw_does_not_depend_on_the_order_of_the_inputs(planned_round, county_official):
    drawn, _ = services.round_draw(round_=planned_round, actor=county_official)
    shuffled = {**drawn.inputs, "institutions": list(reversed(drawn.inputs["institutions"])),
                "inspectors": list(reversed(drawn.inputs["inspectors"]))}
    assert draw_module.draw(drawn.seed, shuffled) == drawn.result


def test_another_seed_gives_another_list(planned_round, county_official):
    drawn, _ = services.round_draw(round_=planned_round, actor=county_official)
    lists = {tuple(r["institution"] for r in draw_module.draw(seed, drawn.inputs)) for seed in range(20)}
    assert len(lists) > 1


def test_changed_inputs_make_a_new_audited_draw(planned_round, county_official, regions):
    first, _ = services.round_draw(round_=planned_round, actor=county_official)
    InstitutionFactory(region_id="130102001", name="长安区新备案托育园")
    second, created = services.round_draw(round_=planned_round, actor=county_official)
    assert created and second.number == 2 and second.pk != first.pk
    first.refresh_from_db()
    assert not first.is_current and second.is_current
    assert first.inputs_hash != second.inputs_hash
    assert services.draw_replay(first) and services.draw_replay(second)
    entries = AuditEntry.objects.filter(action="inspection_round.draw").order_by("pk")
    assert entries.count() == 2
    assert entries.last().before == {"draw": 1, "inputs_hash": first.inputs_hash}


def test_the_draw_never_sends_an_inspector_to_their_own_institution_or_its_mentoring_partner(
        filed_institutions, county_official, checklist, regions):
    target, partner = filed_institutions[0], filed_institutions[1]
    MentoringPair.objects.create(mentor=partner, mentee=target)
    conflicted = services.inspector_register(user=official("expert", "130102"), affiliation=partner,
                                             actor=county_official)
    others = [services.inspector_register(user=official(f"i{n}", "130102"), actor=county_official) for n in range(2)]
    round_ = services.round_plan(region_code="130102", name="全覆盖", checklist=checklist, share_percent=100,
                                 inspectors_per_inspection=1,
                                 due_on=timezone.localdate() + datetime.timedelta(days=10), actor=county_official)
    drawn, _ = services.round_draw(round_=round_, actor=county_official)
    assert len(drawn.result) == len(filed_institutions)
    by_institution = {r["institution"]: r["inspectors"] for r in drawn.result}
    assert conflicted.pk not in by_institution[target.pk]
    assert conflicted.pk not in by_institution[partner.pk]
    assert sorted(drawn.inputs["conflicts"][str(conflicted.pk)]) == sorted([target.pk, partner.pk])
    loads = [sum(i.pk in v for v in by_institution.values()) for i in [conflicted, *others]]
    assert max(loads) - min(loads) <= 2  # spread evenly, the conflicted one a little less


def test_suspended_and_cancelled_institutions_are_not_drawn(planned_round, filed_institutions, county_official):
    Institution.objects.filter(pk=filed_institutions[1].pk).update(status=Institution.Status.SUSPENDED,
                                                                   suspended_on=timezone.localdate())
    drawn, _ = services.round_draw(round_=planned_round, actor=county_official)
    assert filed_institutions[1].pk not in [pk for pk, _w in drawn.inputs["institutions"]]
    assert len(drawn.inputs["institutions"]) == 10


def test_a_risk_weighted_draw_records_the_weights(filed_institutions, inspectors, county_official, checklist):
    round_ = services.round_plan(region_code="130102", name="加权", checklist=checklist, share_percent=20,
                                 risk_weighted=True, due_on=timezone.localdate() + datetime.timedelta(days=10),
                                 actor=county_official, seed=7)
    Inspection.objects.create(institution=filed_institutions[2], kind=Inspection.Kind.TARGETED,
                              checklist=checklist, due_on=timezone.localdate(), status=Inspection.Status.CLOSED,
                              result="findings", signed_off_at=timezone.now(), inspected_on=timezone.localdate(),
                              findings_high=2)
    drawn, _ = services.round_draw(round_=round_, actor=county_official)
    weights = dict(drawn.inputs["institutions"])
    # Every fixture institution was filed 100 days ago: +2 for a filing of the last year.
    assert weights[filed_institutions[2].pk] == 1 + 2 * 3 + 2
    assert weights[filed_institutions[3].pk] == 1 + 2


def test_heavier_weights_are_drawn_more_often():
    inputs = {"count": 1, "institutions": [[1, 1], [2, 9]], "inspectors": [10], "conflicts": {},
              "per_inspection": 1}
    heavy = sum(draw_module.draw(seed, inputs)[0]["institution"] == 2 for seed in range(1000))
    assert 850 < heavy < 950  # 90 % expected


def test_starting_a_round_assigns_the_drawn_inspections_once(planned_round, county_official):
    drawn, _ = services.round_draw(round_=planned_round, actor=county_official)
    inspections = services.round_start(round_=planned_round, actor=county_official)
    assert [i.institution_id for i in inspections] == [r["institution"] for r in drawn.result]
    assert all(i.kind == Inspection.Kind.RANDOM and i.inspectors.count() == 2 for i in inspections)
    with pytest.raises(Conflict):
        services.round_start(round_=planned_round, actor=county_official)
    with pytest.raises(Conflict):
        services.round_draw(round_=planned_round, actor=county_official)


def test_another_county_cannot_plan_or_draw_this_countys_round(planned_round, other_county_official, checklist,
                                                               city_official):
    with pytest.raises(OutsideArea):
        services.round_draw(round_=planned_round, actor=other_county_official)
    with pytest.raises(OutsideArea):
        services.round_plan(region_code="130102", name="x", checklist=checklist, share_percent=10,
                            due_on=timezone.localdate() + datetime.timedelta(days=5), actor=other_county_official)
    # The city may plan a round for one of its counties.
    services.round_plan(region_code="130102", name="市级抽查", checklist=checklist, share_percent=10,
                        due_on=timezone.localdate() + datetime.timedelta(days=5), actor=city_official)


def test_a_province_official_does_not_plan_rounds(province_official, checklist, regions):
    with pytest.raises(PermissionDenied):
        services.round_plan(region_code="1301", name="x", checklist=checklist, share_percent=10,
                            due_on=timezone.localdate() + datetime.timedelta(days=5), actor=province_official)


# --- Recording, rectification -------------------------------------------------------------------


def test_only_assigned_inspectors_record(inspection, inspectors, county_official, checklist):
    item = checklist.items.first()
    with pytest.raises(PermissionDenied):
        services.item_record(inspection=inspection, item=item, outcome="pass", actor=inspectors[1].user)
    with pytest.raises(PermissionDenied):
        services.item_record(inspection=inspection, item=item, outcome="pass", actor=county_official)


def test_a_finding_needs_a_note(inspection, inspectors, checklist):
    with pytest.raises(ValidationError) as exc:
        services.item_record(inspection=inspection, item=checklist.items.first(), outcome="finding",
                             actor=inspectors[0].user)
    assert "note" in exc.value.message_dict


def test_sign_off_needs_every_item(inspection, inspectors, checklist):
    services.item_record(inspection=inspection, item=checklist.items.first(), outcome="pass",
                         actor=inspectors[0].user)
    with pytest.raises(ValidationError) as exc:
        services.inspection_sign_off(inspection=inspection, actor=inspectors[0].user)
    assert "16" in str(exc.value)


def test_no_findings_closes_the_inspection(inspection, inspectors):
    record_all(inspection, inspectors[0].user)
    signed = services.inspection_sign_off(inspection=inspection, actor=inspectors[0].user)
    assert signed.status == Inspection.Status.CLOSED and signed.result == Inspection.Result.COMPLIANT
    assert not RectificationOrder.objects.filter(inspection=inspection).exists()


def test_findings_make_an_order_due_in_working_days_by_the_highest_risk(inspection, inspectors):
    today = timezone.localdate()
    holidays = {today + datetime.timedelta(days=d) for d in range(1, 4)}
    for day in holidays:
        Holiday.objects.create(date=day, name="测试假日")
    inspector = inspectors[0].user
    record_all(inspection, inspector, {"HS-11": "户外活动不足", "HS-15": "午睡室无人看护"})
    signed = services.inspection_sign_off(inspection=inspection, actor=inspector)
    assert (signed.findings_high, signed.findings_medium, signed.findings_low) == (1, 0, 1)
    order = signed.rectification
    assert order.due_on == add_working_days_skipping(today, 5, holidays)  # high risk: 5 working days
    assert signed.status == Inspection.Status.SIGNED_OFF
    with pytest.raises(Conflict):
        services.inspection_sign_off(inspection=inspection, actor=inspector)


def test_a_photo_goes_through_the_safe_upload_path(inspection, inspectors, private_storage):
    inspector = inspectors[0].user
    item = inspection.checklist.items.get(code="HS-15")
    record = services.item_record(inspection=inspection, item=item, outcome="finding", note="无人看护",
                                  actor=inspector)
    evidence = services.evidence_add(record=record, file=photo(), actor=inspector)
    assert evidence.content_type == "image/png" and evidence.file.name.startswith("supervision/")
    assert "exit" not in evidence.file.name
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError):
        services.evidence_add(record=record, file=SimpleUploadedFile("x.png", b"MZ\x90\x00" + b"\0" * 40),
                              actor=inspector)
    with pytest.raises(ValidationError):  # a PDF is a document, not a photo of what was seen
        services.evidence_add(record=record, file=SimpleUploadedFile("x.pdf", b"%PDF-1.4\n" + b"\0" * 40),
                              actor=inspector)
    assert Evidence.objects.count() == 1


def test_the_institution_answers_and_the_inspector_reopens_then_accepts(inspection, inspectors, staff):
    inspector = inspectors[0].user
    record_all(inspection, inspector, {"HS-13": "消毒剂放在矮柜"})
    services.inspection_sign_off(inspection=inspection, actor=inspector)
    order = RectificationOrder.objects.get(inspection=inspection)
    services.rectification_answer(order=order, text="已移至高柜并上锁", actor=staff, files=[photo("cabinet.png")])
    with pytest.raises(Conflict):
        services.rectification_answer(order=order, text="再答一次", actor=staff)
    services.rectification_decide(order=order, accept=False, note="高柜未上锁", actor=inspector)
    order.refresh_from_db()
    assert order.status == RectificationOrder.Status.OPEN
    services.rectification_answer(order=order, text="已加锁", actor=staff)
    services.rectification_decide(order=order, accept=True, actor=inspector)
    order.refresh_from_db()
    inspection.refresh_from_db()
    assert order.status == RectificationOrder.Status.ACCEPTED and order.rectified_on == timezone.localdate()
    assert inspection.status == Inspection.Status.CLOSED
    actions = list(AuditEntry.objects.filter(action__startswith="rectification.").order_by("pk")
                   .values_list("action", flat=True))
    assert actions == ["rectification.answer", "rectification.reopen", "rectification.answer",
                       "rectification.accept"]


def test_other_staff_cannot_answer(inspection, inspectors, other_staff):
    record_all(inspection, inspectors[0].user, {"HS-13": "x"})
    services.inspection_sign_off(inspection=inspection, actor=inspectors[0].user)
    with pytest.raises(OutsideArea):
        services.rectification_answer(order=inspection.rectification, text="x", actor=other_staff)


def test_overdue_orders_escalate_once(inspection, inspectors, mailoutbox):
    record_all(inspection, inspectors[0].user, {"HS-13": "x"})
    services.inspection_sign_off(inspection=inspection, actor=inspectors[0].user)
    order = inspection.rectification
    assert services.rectifications_escalate_overdue(on=order.due_on) == 0
    UserFactory(username="county_mail", role="official", region_id="130102", email="county@example.org")

    assert services.rectifications_escalate_overdue(on=order.due_on + datetime.timedelta(days=1)) == 1
    assert services.rectifications_escalate_overdue(on=order.due_on + datetime.timedelta(days=2)) == 0
    order.refresh_from_db()
    assert order.escalated_at is not None
    assert AuditEntry.objects.filter(action="rectification.escalate", target_id=str(order.pk)).count() == 1


# --- Suspension after an immediate risk --------------------------------------------------------


def test_immediate_risk_leads_to_suspension_after_the_period_to_object(inspection, inspectors, county_official,
                                                                       staff):
    record_all(inspection, inspectors[0].user, {"HS-15": "午睡室无人看护"})
    services.inspection_sign_off(inspection=inspection, actor=inspectors[0].user)
    notice = services.suspension_notice_issue(inspection=inspection, reason="婴幼儿无人看护", actor=county_official)
    assert notice.object_by == timezone.localdate() + datetime.timedelta(days=14)
    with pytest.raises(Conflict):  # the institution may still object
        services.suspension_notice_decide(notice=notice, suspend=True, actor=county_official)
    services.suspension_notice_object(notice=notice, objection="已增派保育人员", actor=staff)
    services.suspension_notice_decide(notice=notice, suspend=True, actor=county_official, note="异议不成立")
    inspection.institution.refresh_from_db()
    assert inspection.institution.status == Institution.Status.SUSPENDED
    assert inspection.institution.suspended_on == timezone.localdate()
    assert AuditEntry.objects.filter(action="institution.suspend").exists()


def test_no_suspension_notice_without_an_immediate_risk_finding(inspection, inspectors, county_official):
    record_all(inspection, inspectors[0].user, {"HS-11": "户外活动不足"})
    services.inspection_sign_off(inspection=inspection, actor=inspectors[0].user)
    with pytest.raises(Conflict):
        services.suspension_notice_issue(inspection=inspection, reason="x", actor=county_official)
    assert not SuspensionNotice.objects.exists()


def test_a_city_official_cannot_suspend(inspection, inspectors, city_official):
    record_all(inspection, inspectors[0].user, {"HS-15": "x"})
    services.inspection_sign_off(inspection=inspection, actor=inspectors[0].user)
    with pytest.raises(PermissionDenied):
        services.suspension_notice_issue(inspection=inspection, reason="x", actor=city_official)


def test_draw_rows_are_reproducible_from_the_database_alone(planned_round, county_official):
    services.round_draw(round_=planned_round, actor=county_official)
    drawn = Draw.objects.get(round=planned_round)
    assert draw_module.inputs_hash({k: v for k, v in drawn.inputs.items() if k != "on"}) == drawn.inputs_hash
