"""The two checklists the portal ships, as data (migration 0002 loads version 1 of each).

Both are a WORKING DEFINITION: no national inspection checklist for childcare institutions was found
published. Each item names its basis: where it restates a rule the portal already applies (class caps and
carer ratios of 《托育机构设置标准（试行）》, the filing materials of 《托育机构登记和备案办法（试行）》, CCTV
kept 90 days, morning and noon checks, 2 hours outdoors, a health worker from 150 children) the basis says
so; items marked “工作定义” are the portal's own reading of general fire and child-safety practice (the
floor rules follow the usual nursery building rule, JGJ 39, which the project does not otherwise hold).
The risk weights and the immediate-risk flags are the portal's choice throughout. Officials replace them
by adding a new version (`checklist_create_version`); inspections keep the version they used.

Item: [code, area, requirement, basis, risk, immediate risk]
"""

from __future__ import annotations

SETTING_STANDARD = "托育机构设置标准（试行）"
FILING_RULES = "托育机构登记和备案办法（试行）备案材料"
WORKING = "工作定义"

HEALTH_SAFETY = {
    "code": "health-safety",
    "name": "托育机构卫生与安全检查表",
    "notes": "工作定义：依据设置标准、备案办法中的已知规则及一般做法编写；风险等级为本系统设定。",
    "items": [
        ["HS-01", "证照资质", "营业执照或法人登记证书、备案回执在有效期内，名称地址与实际一致", FILING_RULES,
         "medium", False],
        ["HS-02", "证照资质", "提供膳食的，持有有效食品经营许可证", FILING_RULES, "high", False],
        ["HS-03", "证照资质", "卫生评价报告结论为合格", FILING_RULES, "medium", False],
        ["HS-04", "人员", "在岗保育人员均持有效健康证明（每年体检）", FILING_RULES, "high", False],
        ["HS-05", "人员", "保育人员具备相应资格证书", FILING_RULES, "medium", False],
        ["HS-06", "人员", "各班保育人员与婴幼儿比例符合要求（乳儿班1:3、托小班1:5、托大班1:7）", SETTING_STANDARD,
         "high", False],
        ["HS-07", "人员", "收托150名及以上婴幼儿的，配备至少1名专职卫生保健人员", SETTING_STANDARD, "medium", False],
        ["HS-08", "班级", "各班人数不超过上限（乳儿班10人、托小班15人、托大班20人、混合班18人）", SETTING_STANDARD,
         "high", False],
        ["HS-09", "班级", "未将6个月以下婴儿编班收托", SETTING_STANDARD, "medium", False],
        ["HS-10", "卫生保健", "晨检、午检记录完整", SETTING_STANDARD, "medium", False],
        ["HS-11", "卫生保健", "婴幼儿每日户外活动不少于2小时（天气允许时）", SETTING_STANDARD, "low", False],
        ["HS-12", "卫生保健", "食品留样、餐具消毒落实", WORKING, "medium", False],
        ["HS-13", "安全防护", "药品、消毒剂等有毒有害物品存放在婴幼儿接触不到的地方", WORKING, "high", True],
        ["HS-14", "安全防护", "视频监控覆盖婴幼儿活动区域，录像保存不少于90日", SETTING_STANDARD, "high", False],
        ["HS-15", "安全防护", "婴幼儿在园期间全程有保育人员看护，无单独留置", WORKING, "high", True],
        ["HS-16", "安全防护", "出入口门禁、接送交接登记落实", WORKING, "medium", False],
        ["HS-17", "安全防护", "家具、玩具、设施无尖锐棱角，无松动脱落", WORKING, "low", False],
    ],
}

FIRE_SAFETY = {
    "code": "fire-safety",
    "name": "托育机构消防安全检查表",
    "notes": ("工作定义：依据备案材料要求及一般消防安全做法编写；楼层规则参照托儿所建筑设计通行规则；"
              "风险等级为本系统设定。"),
    "items": [
        ["FS-01", "许可与制度", "消防安全检查合格证明与实际使用场所一致", FILING_RULES, "high", False],
        ["FS-02", "许可与制度", "明确消防安全责任人，有应急预案并定期开展疏散演练", WORKING, "medium", False],
        ["FS-03", "场所", "婴幼儿生活用房未设在地下室或半地下室", WORKING, "high", True],
        ["FS-04", "场所", "婴幼儿生活用房设在三层及以下", WORKING, "high", False],
        ["FS-05", "场所", "场所为自有产权，或租赁期不少于3年", FILING_RULES, "low", False],
        ["FS-06", "疏散", "安全出口、疏散通道畅通，未锁闭、未堆放杂物", WORKING, "high", True],
        ["FS-07", "疏散", "应急照明和疏散指示标志完好有效", WORKING, "medium", False],
        ["FS-08", "设施器材", "灭火器等消防器材按要求配置，在有效期内", WORKING, "medium", False],
        ["FS-09", "设施器材", "火灾自动报警、自动喷水灭火系统（按规定设置的）运行正常", WORKING, "medium",
         False],
        ["FS-10", "用电用气", "无私拉乱接电线，电动自行车不在室内停放充电", WORKING, "high", True],
        ["FS-11", "用电用气", "提供膳食的，厨房燃气设施有泄漏报警和紧急切断装置", WORKING, "medium", False],
        ["FS-12", "场所", "窗户、阳台有防坠落安全防护", WORKING, "high", False],
    ],
}

SHIPPED = [HEALTH_SAFETY, FIRE_SAFETY]


def as_items(checklist: dict) -> list[dict]:
    """The items in the shape `checklist_create_version` takes."""
    return [{"code": code, "area": area, "text": text, "basis": basis, "risk": risk, "immediate_risk": immediate}
            for code, area, text, basis, risk, immediate in checklist["items"]]
