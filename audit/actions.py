"""Every audit action the portal records, with the words people read for it.

One registry, read by every history page (institution, filing) and the admin, so an action is called
the same everywhere. A service recording a new action adds it here; a test checks that every action
recorded in the code has its label.
"""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

# The context keeps these words apart from the same English words elsewhere (a status, a button).


ACTION_LABELS = {
    # Registry
    "institution.create": pgettext_lazy("audit action", "Institution registered"),
    "institution.update": pgettext_lazy("audit action", "Particulars edited"),
    "institution.change_applied": pgettext_lazy("audit action", "Change filing applied"),
    "institution.filed": pgettext_lazy("audit action", "Institution filed"),
    "institution.cancel": pgettext_lazy("audit action", "Institution cancelled"),
    "institution.suspend": pgettext_lazy("audit action", "Institution suspended"),
    "institution.suspension_lift": pgettext_lazy("audit action", "Suspension lifted"),
    "institution.import": pgettext_lazy("audit action", "Filed institution imported"),
    "class.add": pgettext_lazy("audit action", "Class added"),
    "class.update": pgettext_lazy("audit action", "Class changed"),
    "class.close": pgettext_lazy("audit action", "Class closed"),
    "staff.add": pgettext_lazy("audit action", "Staff member added"),
    "staff.update": pgettext_lazy("audit action", "Staff member changed"),
    "staff.certificate_record": pgettext_lazy("audit action", "Staff certificate recorded"),
    "mentoring.create": pgettext_lazy("audit action", "Mentoring pair started"),
    "mentoring.goal_add": pgettext_lazy("audit action", "Mentoring goal set"),
    "mentoring.goal_mark": pgettext_lazy("audit action", "Mentoring goal marked"),
    "mentoring.visit_record": pgettext_lazy("audit action", "Mentoring visit recorded"),
    "mentoring.close": pgettext_lazy("audit action", "Mentoring pair closed with its outcome"),
    "guidance_centre.create": pgettext_lazy("audit action", "Guidance centre recorded"),
    "onboarding.upload": pgettext_lazy("audit action", "Onboarding spreadsheet uploaded and checked"),
    "onboarding.confirm": pgettext_lazy("audit action", "Onboarding import confirmed"),
    "onboarding.import": pgettext_lazy("audit action", "Onboarding import done"),
    # Filings
    "filing.create": pgettext_lazy("audit action", "Filing started"),
    "filing.update": pgettext_lazy("audit action", "Filing edited"),
    "filing.submit": pgettext_lazy("audit action", "Filing submitted"),
    "filing.resubmit": pgettext_lazy("audit action", "Filing resubmitted"),
    "filing.approve": pgettext_lazy("audit action", "Filed, receipt issued"),
    "filing.return": pgettext_lazy("audit action", "Filing returned for correction"),
    "filing.reject": pgettext_lazy("audit action", "Filing rejected"),
    "filing.withdraw": pgettext_lazy("audit action", "Filing withdrawn"),
    "document.upload": pgettext_lazy("audit action", "Document uploaded"),
    "document.remove": pgettext_lazy("audit action", "Document removed"),
    "document.view": pgettext_lazy("audit action", "Document viewed"),
    "appointment.slot_create": pgettext_lazy("audit action", "Appointment slot published"),
    "appointment.book": pgettext_lazy("audit action", "Appointment booked"),
    "appointment.move": pgettext_lazy("audit action", "Appointment moved"),
    "appointment.cancel": pgettext_lazy("audit action", "Appointment cancelled"),
    # Caregiver training at the guidance centres
    "training.course_publish": pgettext_lazy("audit action", "Training course published"),
    "training.register": pgettext_lazy("audit action", "Staff member registered for training"),
    "training.registration_cancel": pgettext_lazy("audit action", "Training registration withdrawn"),
    "training.attendance_record": pgettext_lazy("audit action", "Training attendance recorded"),
    "training.certificate_issue": pgettext_lazy("audit action", "Training certificate issued"),
    "demo.training_seed": pgettext_lazy("audit action", "Demo training loaded"),
    # Children and enrolments
    "child.register": pgettext_lazy("audit action", "Child recorded"),
    "child.view": pgettext_lazy("audit action", "Child's record viewed"),
    "child.export": pgettext_lazy("audit action", "Children's records exported"),
    "child.consent_record": pgettext_lazy("audit action", "Guardian's consent recorded"),
    "child.erase": pgettext_lazy("audit action", "Child's personal data erased"),
    "child.correct": pgettext_lazy("audit action", "Child's data corrected"),
    "guardian_request.record": pgettext_lazy("audit action", "Guardian's request recorded"),
    "guardian_request.answer": pgettext_lazy("audit action", "Guardian's request answered"),
    "child_export.request": pgettext_lazy("audit action", "Bulk export of children's records requested"),
    "child_export.approve": pgettext_lazy("audit action", "Bulk export approved"),
    "child_export.refuse": pgettext_lazy("audit action", "Bulk export refused"),
    "enrolment.create": pgettext_lazy("audit action", "Child enrolled"),
    "enrolment.move_class": pgettext_lazy("audit action", "Child moved to another class"),
    "enrolment.end": pgettext_lazy("audit action", "Child withdrawn"),
    "enrolment.import_upload": pgettext_lazy("audit action", "Enrolment list uploaded"),
    "enrolment.import": pgettext_lazy("audit action", "Enrolment list imported"),
    "enrolment_report.prepare": pgettext_lazy("audit action", "Enrolment report prepared"),
    "enrolment_report.confirm": pgettext_lazy("audit action", "Enrolment report confirmed"),
    "enrolment_report.submit": pgettext_lazy("audit action", "Enrolment report submitted"),
    # Pilots and progress
    "pilot.designate": pgettext_lazy("audit action", "Pilot designated"),
    "pilot.complete": pgettext_lazy("audit action", "Pilot quality improvement completed"),
    "assessment.record": pgettext_lazy("audit action", "Assessment recorded"),
    "scorecard.load": pgettext_lazy("audit action", "Scorecard loaded"),
    "progress_template.create": pgettext_lazy("audit action", "Progress report template created"),
    "progress_template.assign": pgettext_lazy("audit action", "Progress report template assigned"),
    "progress_report.submit": pgettext_lazy("audit action", "Progress report submitted"),
    "progress_report.demo_import": pgettext_lazy("audit action", "Demo progress reports loaded"),
    # Complaints
    "complaint.submit": pgettext_lazy("audit action", "Complaint received"),
    "complaint.answer": pgettext_lazy("audit action", "Complaint answered"),
    "complaint.contact_view": pgettext_lazy("audit action", "Complainant's contact viewed"),
    "complaint.inspection_open": pgettext_lazy("audit action", "Targeted inspection opened after a complaint"),
    # Supervision after filing
    "checklist.create": pgettext_lazy("audit action", "Checklist version added"),
    "inspector.register": pgettext_lazy("audit action", "Inspector registered"),
    "inspector.withdraw": pgettext_lazy("audit action", "Inspector withdrawn from the pool"),
    "inspection_round.plan": pgettext_lazy("audit action", "Inspection round planned"),
    "inspection_round.draw": pgettext_lazy("audit action", "Random draw made"),
    "inspection_round.start": pgettext_lazy("audit action", "Round's inspections assigned"),
    "inspection.verification_open": pgettext_lazy("audit action", "Post-filing verification opened"),
    "inspection.targeted_open": pgettext_lazy("audit action", "Targeted inspection opened"),
    "inspection.assign": pgettext_lazy("audit action", "Inspectors assigned"),
    "inspection.record_item": pgettext_lazy("audit action", "Checklist item recorded"),
    "inspection.sign_off": pgettext_lazy("audit action", "Inspection signed off"),
    "evidence.upload": pgettext_lazy("audit action", "Evidence uploaded"),
    "evidence.view": pgettext_lazy("audit action", "Evidence viewed"),
    "notice.noncompliance_issue": pgettext_lazy("audit action", "Non-compliance notice issued"),
    # Year-end reports
    "yearend_template.create": pgettext_lazy("audit action", "Year-end report form version created"),
    "yearend.open": pgettext_lazy("audit action", "Year-end reporting opened"),
    "yearend_report.draft": pgettext_lazy("audit action", "Year-end report draft saved"),
    "yearend_report.submit": pgettext_lazy("audit action", "Year-end report submitted"),
    "yearend_report.accept": pgettext_lazy("audit action", "Year-end report accepted"),
    "yearend_report.return": pgettext_lazy("audit action", "Year-end report returned"),
    "rectification.answer": pgettext_lazy("audit action", "Rectification answered"),
    "rectification.accept": pgettext_lazy("audit action", "Rectification accepted"),
    "rectification.reopen": pgettext_lazy("audit action", "Rectification reopened"),
    "rectification.escalate": pgettext_lazy("audit action", "Overdue rectification escalated"),
    "suspension_notice.issue": pgettext_lazy("audit action", "Suspension notice issued"),
    "suspension_notice.object": pgettext_lazy("audit action", "Objection to suspension received"),
    "suspension_notice.decide": pgettext_lazy("audit action", "Suspension notice decided"),
    # Metrics and reference data
    "metrics.recompute_request": pgettext_lazy("audit action", "Recompute requested"),
    "metrics.snapshot_ready": pgettext_lazy("audit action", "Figures computed"),
    "metrics.snapshot_retire": pgettext_lazy("audit action", "Older daily figures retired"),
    "ranking.compute": pgettext_lazy("audit action", "Ranking computed"),
    "ranking.publish": pgettext_lazy("audit action", "Ranking published"),
    "ranking.weights": pgettext_lazy("audit action", "Ranking weights set"),
    "regions.import": pgettext_lazy("audit action", "Divisions imported"),
    "populations.import": pgettext_lazy("audit action", "Populations imported"),
    "population.set": pgettext_lazy("audit action", "Population figure set"),
    "populations.upload": pgettext_lazy("audit action", "Population table uploaded"),
    # Accounts and security
    "account.created": pgettext_lazy("audit action", "Account created"),
    "account.reactivated": pgettext_lazy("audit action", "Account reactivated"),
    "account.rescoped": pgettext_lazy("audit action", "Account's role or area changed"),
    "invitation.created": pgettext_lazy("audit action", "Invitation sent"),
    "invitation.accepted": pgettext_lazy("audit action", "Invitation accepted"),
    "invitation.revoked": pgettext_lazy("audit action", "Invitation revoked"),
    "api_client.registered": pgettext_lazy("audit action", "API client registered"),
    "api_client.revoked": pgettext_lazy("audit action", "API client revoked"),
    "token.client_issued": pgettext_lazy("audit action", "API client token issued"),
    "token.client_revoked": pgettext_lazy("audit action", "API client token revoked"),
    "token.personal_created": pgettext_lazy("audit action", "Personal API token created"),
    "token.personal_revoked": pgettext_lazy("audit action", "Personal API token revoked"),
    "access.denied": pgettext_lazy("audit action", "Access refused"),
    "admin.add": pgettext_lazy("audit action", "Added in the admin site"),
    "admin.change": pgettext_lazy("audit action", "Changed in the admin site"),
    "admin.delete": pgettext_lazy("audit action", "Deleted in the admin site"),
    "auth.login_failed": pgettext_lazy("audit action", "Failed sign-in"),
    "auth.totp_enrolled": pgettext_lazy("audit action", "Two-step sign-in set up"),
    "auth.totp_failed": pgettext_lazy("audit action", "Wrong two-step code"),
    "auth.totp_removed": pgettext_lazy("audit action", "Two-step sign-in removed"),
    # The demo's seed (manage.py seed_demo)
    "demo.institutions_seed": pgettext_lazy("audit action", "Demo institutions loaded"),
    "demo.classes_seed": pgettext_lazy("audit action", "Demo classes loaded"),
    "demo.staff_seed": pgettext_lazy("audit action", "Demo staff loaded"),
    "demo.staff_registry_seed": pgettext_lazy("audit action", "Demo double registration loaded"),
    "demo.filings_seed": pgettext_lazy("audit action", "Demo filings loaded"),
    "demo.drafts_seed": pgettext_lazy("audit action", "Demo drafts loaded"),
    "demo.enrolments_seed": pgettext_lazy("audit action", "Demo enrolments loaded"),
    "demo.mentoring_seed": pgettext_lazy("audit action", "Demo mentoring pairs loaded"),
    "demo.mentoring_record_seed": pgettext_lazy("audit action", "Demo mentoring goals, visits and outcomes loaded"),
    "demo.guidance_centres_seed": pgettext_lazy("audit action", "Demo guidance centres loaded"),
    "demo.pilots_seed": pgettext_lazy("audit action", "Demo pilots loaded"),
    "demo.yearend_seed": pgettext_lazy("audit action", "Demo year-end reports loaded"),
    "demo.supervision_seed": pgettext_lazy("audit action", "Demo supervision loaded"),
    # Demonstration-city creation
    "creation_standard.create": pgettext_lazy("audit action", "Creation standard version added"),
    "creation.open": pgettext_lazy("audit action", "Demonstration-city creation opened"),
    "creation.evidence_upload": pgettext_lazy("audit action", "Creation evidence uploaded"),
    "creation.evidence_remove": pgettext_lazy("audit action", "Creation evidence removed"),
    "creation.evidence_view": pgettext_lazy("audit action", "Creation evidence viewed"),
    "creation.note": pgettext_lazy("audit action", "Creation criterion note written"),
    "creation.submit": pgettext_lazy("audit action", "Creation submitted for review"),
    "creation.score": pgettext_lazy("audit action", "Creation criterion scored"),
    "creation.return": pgettext_lazy("audit action", "Creation returned for more evidence"),
    "creation.finish": pgettext_lazy("audit action", "Creation scoring finished"),
    "demo.demonstration_seed": pgettext_lazy("audit action", "Demo demonstration-city creations loaded"),
}


def action_label(action: str) -> str:
    """The label of an action; an action missing from the registry shows its code rather than nothing."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def action_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(label)) for code, label in ACTION_LABELS.items()), key=lambda c: c[1])
