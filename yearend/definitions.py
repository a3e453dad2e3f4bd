"""The shipped year-end report form: a working definition.

托育机构管理规范（试行） Art. 38 asks institutions for a year-end report to the health department but
publishes no form. These fields are the portal's choice, grouped the way the Art. 38 report is usually
written (services, staff, safety, finances, next year). A province loads its own form as a new version.
"""

from django.conf import settings

SHIPPED_CODE = "yearend-report"
SHIPPED_NAME = "托育机构年度工作报告"

# (section, code, label, kind, required, help)
SHIPPED_FIELDS = [
    ("服务情况", "children_served", "全年服务婴幼儿人数", "integer", True, "本年度在园（所）服务过的婴幼儿总人数"),
    ("服务情况", "children_enrolled_year_end", "年末在托婴幼儿人数", "integer", True, "12月31日在托人数"),
    ("服务情况", "places", "年末托位数", "integer", True, "各班级托位数之和"),
    ("服务情况", "inclusive_places", "其中普惠托位数", "integer", False, ""),
    ("人员队伍", "staff_total", "年末从业人员数", "integer", True, ""),
    ("人员队伍", "caregivers", "其中保育人员数", "integer", True, ""),
    ("人员队伍", "training_sessions", "全年组织培训场次", "integer", True, ""),
    ("人员队伍", "staff_trained", "全年参训人次", "integer", True, ""),
    ("安全管理", "safety_incidents", "全年安全事故数", "integer", True, "造成婴幼儿伤害的事故，无则填0"),
    ("安全管理", "safety_drills", "全年安全演练次数", "integer", True, ""),
    ("安全管理", "complaints_received", "全年收到投诉数", "integer", True, ""),
    ("安全管理", "complaints_resolved", "其中已办结投诉数", "integer", True, ""),
    ("财务情况", "income", "全年收入（万元）", "decimal", True, ""),
    ("财务情况", "expenditure", "全年支出（万元）", "decimal", True, ""),
    ("财务情况", "finance_summary", "财务收支情况说明", "text", False, ""),
    ("工作总结与计划", "summary", "年度工作总结", "text", True, ""),
    ("工作总结与计划", "next_year_plan", "下一年度工作计划", "text", True, ""),
]


def due_month_day() -> tuple[int, int]:
    """The deadline in the year after the one reported on (YEAREND_DUE_MONTH_DAY, 31 January by default)."""
    return tuple(settings.YEAREND_DUE_MONTH_DAY)
