"""The WS/T 821—2023 scorecard structure as data, and a loader for any edition in the same shape.

The seven dimensions and their points (100 + 140 + 200 + 210 + 80 + 200 + 70 = 1,000) follow the
standard. The items inside each dimension are REPRESENTATIVE — a few items per dimension that add up to
its points, worded after the standard's themes — not the full item list; a province loads its own
edition (or the full text) with `manage.py load_scorecard FILE --province CODE`. The grade thresholds
are a working definition, configurable per template. Veto items (一票否决) score no points: failing
one fails the assessment whatever the total.
"""

from __future__ import annotations

WST821_CODE = "wst-821-2023"

WST821 = {
    "code": WST821_CODE,
    "name": "托育机构质量评估标准",
    "standard": "WS/T 821—2023",
    "veto_grade": "D",
    "notes": "Seven dimensions and points as in the standard; items are representative, not the full list; "
             "grade thresholds are a working definition.",
    "grades": [["A", 850, "优秀"], ["B", 700, "良好"], ["C", 600, "合格"], ["D", 0, "不合格"]],
    "dimensions": [
        ["1", "办托条件", 100, [
            ["1.1", "场地设施：建筑、室内外活动场地符合设置标准", 40, False],
            ["1.2", "设施设备与玩具材料安全、适宜、充足", 35, False],
            ["1.3", "环境创设支持婴幼儿探索与游戏", 25, False],
        ]],
        ["2", "托育队伍", 140, [
            ["2.1", "人员配备：保育人员与婴幼儿比例符合要求", 50, False],
            ["2.2", "人员资质与健康证明齐全有效", 40, False],
            ["2.3", "培训与专业发展制度落实", 30, False],
            ["2.4", "队伍稳定与职业保障", 20, False],
        ]],
        ["3", "保育照护", 200, [
            ["3.1", "一日生活安排合理，回应性照护", 70, False],
            ["3.2", "营养与喂养、睡眠、生活照料规范", 60, False],
            ["3.3", "早期学习与游戏活动支持发展", 50, False],
            ["3.4", "观察记录与个别化支持", 20, False],
        ]],
        ["4", "卫生保健", 210, [
            ["4.1", "晨午检与全日健康观察", 50, False],
            ["4.2", "膳食营养与食品安全管理", 50, False],
            ["4.3", "卫生消毒与传染病防控", 60, False],
            ["4.4", "健康检查与生长发育监测", 50, False],
        ]],
        ["5", "养育支持", 80, [
            ["5.1", "家园沟通与家长参与", 40, False],
            ["5.2", "科学育儿指导与社区服务", 40, False],
        ]],
        ["6", "安全保障", 200, [
            ["6.0", "近一年未发生责任事故及虐待、伤害婴幼儿事件", 0, True],
            ["6.1", "视频监控覆盖婴幼儿活动区域且保存不少于90日", 50, False],
            ["6.2", "消防安全与应急疏散演练", 60, False],
            ["6.3", "安全防护、接送与伤害预防制度落实", 50, False],
            ["6.4", "安全教育与风险排查", 40, False],
        ]],
        ["7", "机构管理", 70, [
            ["7.0", "依法登记并向县级卫生健康部门备案", 0, True],
            ["7.1", "管理制度健全，执行到位", 30, False],
            ["7.2", "收费公示、合同与信息报送规范", 25, False],
            ["7.3", "质量自评与持续改进", 15, False],
        ]],
    ],
}
