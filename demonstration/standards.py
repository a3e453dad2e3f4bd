"""The creation standard the portal ships, as data (migration 0002 loads version 1).

A WORKING DEFINITION. It follows the public outline of 《全国婴幼儿照护服务示范城市创建评审标准（2022版）》 —
policy and planning, service supply (places per 1,000 residents, general, community-embedded and employer-run
places), guidance centres, training of caregivers, medical-childcare integration, supervision and safety,
financial support — but the standard's own indicators, points and evidence lists are not published here. The
criteria's wording, the points (100 in all), the evidence asked for and "met from 80 % of a criterion's points"
are the portal's choice. The one number taken from policy is the national target of 4.5 places per 1,000
residents by the end of 2025 (14th Five-Year Plan). The province replaces all of it by adding a new version
(`standard_create_version`); creations keep the version they were opened with.

Group: [code, name, [[code, criterion, max points, evidence asked for], ...]]
"""

from __future__ import annotations

from decimal import Decimal

CODE = "demonstration-city"
NAME = "婴幼儿照护服务示范城市创建评审标准（工作定义）"
EDITION = "参照全国婴幼儿照护服务示范城市创建评审标准（2022版）公开框架"
NOTES = ("工作定义：分组参照2022版评审标准的公开框架；各项指标表述、分值（合计100分）、所需佐证材料及"
         "“得分达到该项分值80%即为达标”均为本系统设定，待省级卫生健康委以正式标准替换。"
         "每千人口托位数4.5个为“十四五”规划2025年全国目标。")
MET_PERCENT = 80

GROUPS = [
    ["PP", "政策规划", [
        ["PP-01", "将婴幼儿照护服务纳入经济社会发展规划和政府目标责任考核", 5, "规划文本、目标责任考核文件"],
        ["PP-02", "出台促进托育服务发展的专项规划和政策措施", 5, "专项规划、政策文件"],
        ["PP-03", "建立政府主导、部门协同的托育服务工作机制", 5, "工作机制文件、联席会议纪要"],
    ]],
    ["SS", "服务供给", [
        ["SS-01", "每千人口拥有3岁以下婴幼儿托位数达到4.5个（2025年目标）", 10, "托位统计表及常住人口数据"],
        ["SS-02", "发展普惠托育服务，普惠托位占比逐年提高", 6, "普惠托育机构名单、价格协商文件"],
        ["SS-03", "社区嵌入式托育服务覆盖城市社区", 5, "社区托育点名单、建设运营材料"],
        ["SS-04", "支持用人单位为职工提供托育服务", 5, "用人单位办托名单及支持政策"],
        ["SS-05", "支持幼儿园招收2至3岁幼儿（托班）", 4, "开设托班的幼儿园名单"],
    ]],
    ["GC", "指导服务", [
        ["GC-01", "建成市级婴幼儿照护服务指导中心并正常运行", 5, "指导中心建设文件、年度工作报告"],
        ["GC-02", "面向家庭开展科学育儿指导服务", 5, "指导活动记录、服务覆盖统计"],
    ]],
    ["TR", "队伍建设", [
        ["TR-01", "开展托育从业人员岗前和在岗培训", 6, "培训计划、培训记录及人数统计"],
        ["TR-02", "院校开设托育服务相关专业，培养专业人才", 4, "院校专业设置及招生材料"],
    ]],
    ["MC", "医育结合", [
        ["MC-01", "妇幼保健机构对托育机构开展卫生保健业务指导", 5, "指导工作方案、指导记录"],
        ["MC-02", "托育机构与医疗卫生机构建立签约服务", 5, "签约协议或签约机构名单"],
    ]],
    ["SV", "监管与安全", [
        ["SV-01", "托育机构依法登记备案，备案信息及时公开", 5, "备案机构名单及公开截图"],
        ["SV-02", "建立托育服务综合监管和安全管理制度，开展随机抽查", 5, "监管制度文件、抽查记录"],
        ["SV-03", "未发生托育机构重大安全事故", 5, "安全情况说明"],
    ]],
    ["FS", "财政支持", [
        ["FS-01", "安排财政资金支持托育服务机构建设和运营", 5, "预算文件、资金拨付凭证"],
        ["FS-02", "落实托育服务税费减免和用地用房支持政策", 5, "政策落实材料"],
    ]],
]


def as_groups() -> list[dict]:
    """The groups in the shape `standard_create_version` takes."""
    return [{"code": code, "name": name,
             "criteria": [{"code": c, "text": t, "max_points": Decimal(p), "evidence_required": e}
                          for c, t, p, e in criteria]}
            for code, name, criteria in GROUPS]


def load_shipped(standard_model, group_model, criterion_model) -> None:
    """Version 1 of the shipped standard, where missing (models passed in, so a migration can call it)."""
    standard, created = standard_model.objects.get_or_create(
        code=CODE, version=1, defaults={"name": NAME, "edition": EDITION, "notes": NOTES,
                                        "is_working_definition": True, "met_percent": MET_PERCENT})
    if not created:
        return
    order = 0
    for g_order, group in enumerate(as_groups(), start=1):
        g = group_model.objects.create(standard=standard, code=group["code"], name=group["name"], order=g_order)
        rows = []
        for criterion in group["criteria"]:
            order += 1
            rows.append(criterion_model(standard=standard, group=g, order=order, **criterion))
        criterion_model.objects.bulk_create(rows)
