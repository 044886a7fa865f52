"""Messages of the forecasts: the projection and what-if pages, the nowcast, the skill
and calibration panels, and when a level is reached; merged into ``messages.MESSAGES``."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "nowcast.unusual": {
        "zh": "{period}的上报中含已确认的异常值或疑似单位错误：{counties}。其数值按上报计入合计，估算据此推算，请留意。",
        "en": "The {period} returns include a confirmed outlier or possible unit slip: {counties}. "
        "Their values count as reported, and the estimate builds on them.",
    },
    "nowcast.heading": {
        "zh": "未报齐时的估算（即时估计）",
        "en": "Nowcast while counties are missing",
    },
    "nowcast.all_in": {
        "zh": "{period} 各县均已上报：全省落户 {total}，无需估算。",
        "en": "Every county has reported for {period}: {total} settled in the province, nothing to estimate.",
    },
    "nowcast.metric": {
        "zh": "{period} 全省落户（已上报 {reported}/{expected} 个县 + 估算）",
        "en": "{period} settled in the province ({reported}/{expected} counties reported + estimated)",
    },
    "nowcast.summary": {
        "zh": "已上报 {reported} + 估算 {estimated}；95%区间 {lower}–{upper}。估算部分在图中以浅色斜纹表示。",
        "en": "Reported {reported} + estimated {estimated}; 95% interval {lower}–{upper}. The estimated part is light and hatched in the chart.",
    },
    "nowcast.too_few": {
        "zh": "{period}：已上报 {reported}/{expected} 个县（{cities}/{units} 个市区有报），不足{share}，暂不估算全省合计。已上报合计 {total}。",
        "en": "{period}: {reported} of {expected} counties have reported ({cities} of {units} cities), fewer than {share}: no estimate of the province total yet. Reported so far: {total}.",
    },
    "nowcast.too_few_why": {
        "zh": "为什么：未报县按同市已报县的上报数推算，已报的县太少时，一个异常的上报就会左右全省合计（曾有 3/107 个县上报时估出全省 119万，而通常一个季度约 35万）。门槛由设置 URBDASH_NOWCAST_MIN_SHARE 决定，现为{share}。",
        "en": "Why: a missing county is estimated from what its city's reported counties sent, so with few in, one unusual return moves the whole province (3 of 107 counties once gave 1.19 million against a usual 350,000 a quarter). The threshold is the setting URBDASH_NOWCAST_MIN_SHARE, now {share}.",
    },
    "nowcast.city_too_few": {
        "zh": "“—”：该地市已报县不足{share}，暂不估算。",
        "en": "\u201c—\u201d: fewer than {share} of the city's counties have reported, no estimate yet.",
    },
    "nowcast.reported": {"zh": "已上报", "en": "Reported"},
    "nowcast.estimated": {"zh": "估算（未报县）", "en": "Estimated (counties missing)"},
    "nowcast.col.counties": {"zh": "已报县数", "en": "Counties reported"},
    "nowcast.col.total": {"zh": "合计", "en": "Total"},
    "nowcast.col.interval": {"zh": "95%区间", "en": "95% interval"},
    "nowcast.method": {
        "zh": "方法：未报县的落户数 = 该县占同市已报县合计的份额（过去3年同季度的中位数；本市无县上报时用全省已报县）× 本季度同市已报县合计。95%区间：同一方法在该县历史各季度的误差，按季度整体抽取（保留县间同向误差），模拟4,000次；再按回测校准放宽（分割共形法：以此前各季度回测中把实际值纳入区间所需的放宽倍数取分位数，两种缺报情形取较大者，只放宽不收窄）。已报数按报表原值。回测：在已报齐的季度中隐藏部分已报县，用当时的数据估算，与“只加已报数”和“沿用上季度”比较。",
        "en": "Method: a missing county's settlement = its share of the reported counties of its city (median of the same quarter in the previous 3 years; the reported counties of the province when none of its city has reported) × what those counties reported this quarter. 95% interval: the same method's errors over the county's past quarters, drawn a whole quarter at a time (errors that moved together stay together), 4,000 simulations; then widened by the backtest's calibration (split conformal: a quantile of the stretch each earlier backtest nowcast needed to hold the actual, the larger of the two missing-county scenarios; widened, never narrowed). Reported values are taken as they stand. Backtest: counties that did report are hidden in complete quarters and estimated from the data of that time, beside \"sum of what has arrived\" and \"last quarter's total\".",
    },
    "nowcast.backtest": {"zh": "回测：全省合计", "en": "Backtest: province total"},
    "nowcast.show_backtest": {
        "zh": "显示回测：与简单方法比较",
        "en": "Show the backtest against the simple answers",
    },
    "nowcast.col.scenario": {"zh": "缺报情形", "en": "Missing"},
    "nowcast.col.method": {"zh": "方法", "en": "Method"},
    "nowcast.col.cases": {"zh": "次数", "en": "Cases"},
    "nowcast.col.mape": {"zh": "平均绝对误差", "en": "Mean absolute error"},
    "nowcast.col.coverage": {
        "zh": "校准后95%区间覆盖率（样本外）",
        "en": "Calibrated 95% interval held the actual (out of sample)",
    },
    "nowcast.col.coverage_raw": {
        "zh": "校准前覆盖率（同一回测）",
        "en": "Before calibration (same backtest)",
    },
    "nowcast.scenario.random": {"zh": "随机25%的县", "en": "A random 25% of counties"},
    "nowcast.scenario.late": {
        "zh": "安康、商洛两市全部（常见迟报的替代）",
        "en": "All of Ankang and Shangluo (stand-in for the usual late ones)",
    },
    "nowcast.method.nowcast": {"zh": "本估算", "en": "This nowcast"},
    "nowcast.method.arrived": {"zh": "只加已报数", "en": "Sum of what has arrived"},
    "nowcast.method.last_quarter": {"zh": "沿用上季度", "en": "Last quarter's total"},
    "nowcast.coverage_range": {
        "zh": "{mean}（{n}种缺报组合：{lo}–{hi}）",
        "en": "{mean} ({n} patterns of missing counties: {lo}–{hi})",
    },
    "nowcast.narrow": {
        "zh": "注意：校准后的95%区间仍偏窄：回测中（每季度只用此前已知的结果校准）覆盖实际值的比例为 {coverage}（随机缺报为多种组合的平均），比产品要求的90%最多低 {short} 个百分点。区间应视为偏乐观。",
        "en": "Note: even calibrated, the 95% interval is too narrow: in the backtest (each quarter calibrated on earlier outcomes only) it held the actual total in {coverage} of cases (for random gaps, the mean over many patterns of missing counties), up to {short} points short of the 90% the product aims at. Read it as optimistic.",
    },
    "reach.heading": {
        "zh": "全省何时达到{value}%？",
        "en": "When will the province reach {value}%?",
    },
    "reach.answer": {
        "zh": "按{first}—{last}年公布值（{basis}，{n}个年份）的趋势，全省常住人口城镇化率预计在 **{year}年** 达到{value}%（{pct}预测区间：{earliest}—{latest}年）。",
        "en": "On the trend of the {first}-{last} published rates ({basis}, {n} years), the province's urbanization rate reaches {value}% around **{year}** ({pct} prediction interval: {earliest} to {latest}).",
    },
    "reach.after_horizon": {"zh": "{year}年以后", "en": "after {year}"},
    "reach.not_by": {
        "zh": "按{first}—{last}年公布值的趋势，{horizon}年前达不到{value}%。",
        "en": "On the trend of the {first}-{last} published rates, {value}% is not reached by {horizon}.",
    },
    "reach.observed": {
        "zh": "全省常住人口城镇化率已于{year}年达到{value}%（公布值）。",
        "en": "The province's urbanization rate reached {value}% in {year} (published).",
    },
    "reach.reference_note": {
        "zh": "国家参考（不是陕西省目标）：{source}。陕西省2020年以后的城镇化率目标未找到可读的公布来源，本系统不作假设；公布后由管理员连同来源录入。",
        "en": "National reference, not a provincial target: {source}. Shaanxi's own urbanization target after 2020 was not found in a readable source, so none is assumed here; once published, an administrator enters it with its source.",
    },
    "reach.method": {
        "zh": "方法：城镇人口占比的logit线性趋势（联合国城乡增长差法），仅用七普口径（2020年起）的公布值拟合，不与六普口径（2010—2019年）的序列相连；区间为OLS预测区间。",
        "en": "Method: logit-linear trend of the urban share (UN urban-rural growth difference), fitted on the 2020-census-basis published rates only (2020 on), never joined to the 2010-census-basis series (2010-2019); the interval is the OLS prediction interval.",
    },
    "reach.band": {"zh": "{pct}预测区间", "en": "{pct} prediction interval"},
    "reach.projection": {"zh": "趋势外推（{basis}）", "en": "Trend projection ({basis})"},
    "reach.reference_line": {
        "zh": "国家参考：{year}年接近{value}%",
        "en": "National reference: close to {value}% by {year}",
    },
    "reach.chart_title": {
        "zh": "全省常住人口城镇化率：公布值与到达{value}%的趋势外推",
        "en": "Province urbanization rate: published values and the projection to {value}%",
    },
    "proj.heading": {"zh": "目标进展与预测", "en": "Targets: progress and projections"},
    "proj.intro": {
        "zh": "能否在2020年实现1000万人落户和62%城镇化率？每个目标给出现状、按期完成概率、预计达成时间及所用方法。",
        "en": "Will 10 million settled and 62% urbanization be reached by 2020? Each target shows where it stands, the probability of meeting it on time, the projected date and the method.",
    },
    "proj.as_of": {"zh": "基于截至该季度已知的数据", "en": "Using only data known by"},
    "proj.history": {"zh": "实际", "en": "Observed"},
    "proj.band": {"zh": "95% 预测区间", "en": "95% prediction interval"},
    "proj.median": {"zh": "预测中位数", "en": "Projected median"},
    "proj.target": {
        "zh": "目标 {value} {unit}（{period}）",
        "en": "Target {value} {unit} ({period})",
    },
    "proj.target_label.settled_cumulative": {
        "zh": "累计城镇落户",
        "en": "Cumulative settled in towns",
    },
    "proj.target_label.urbanization_rate": {"zh": "常住人口城镇化率", "en": "Urbanization rate"},
    "proj.current": {"zh": "现状（{period}）", "en": "Now ({period})"},
    "proj.probability": {"zh": "按期完成概率", "en": "Probability of meeting it on time"},
    "proj.reach": {"zh": "预计达成", "en": "Projected to be reached"},
    "proj.reach_none": {"zh": "预测期内未达成", "en": "not within the projection"},
    "proj.share": {
        "zh": "完成 {achieved:.0%}，时间过去 {time:.0%}",
        "en": "{achieved:.0%} achieved, {time:.0%} of the time elapsed",
    },
    "proj.pace": {
        "zh": "今后每期需 {needed}，近4期平均 {trailing}",
        "en": "Needed per period from now {needed}; last 4 periods {trailing}",
    },
    "proj.status.on_track": {"zh": "进展顺利", "en": "On track"},
    "proj.status.acceleration_needed": {"zh": "需要加快", "en": "Acceleration needed"},
    "proj.status.limited_progress": {"zh": "进展有限", "en": "Limited progress"},
    "proj.status.moving_away": {"zh": "偏离目标", "en": "Moving away"},
    "proj.rule": {
        "zh": "判定规则（加拿大统计局/Open SDG）：R = 基期以来实际年均增速 ÷ 按期达标所需年均增速；R≥95% 进展顺利，60%–95% 需要加快，0–60% 进展有限，<0 偏离目标。累计数从零起算时比较线性速度；按期达成概率低于50%时最多为“需要加快”，低于5%时最多为“进展有限”。已过期的目标按目标期的数值判定。",
        "en": "Rule (Statistics Canada / Open SDG): R = observed growth rate since the base year ÷ growth rate needed to meet the target on time; R ≥ 95% on track, 60–95% acceleration needed, 0–60% limited progress, below 0 moving away. Cumulative counts from zero compare linear paces; with under a 50% chance of meeting it on time the status is at best acceleration needed, under 5% at best limited progress. A target whose date has passed is judged at that date.",
    },
    "proj.method": {"zh": "方法", "en": "Method"},
    "proj.target_set": {"zh": "目标组", "en": "Target set"},
    "proj.target_set_source": {"zh": "目标组来源：{source}", "en": "Source of the set: {source}"},
    "method.ets": {
        "zh": "ETS(M,Ad,M)模型：阻尼加性趋势、季度乘性季节性，模拟{paths}条路径",
        "en": "ETS(M,Ad,M): damped additive trend, quarterly multiplicative seasonality, {paths} simulated paths",
    },
    "method.calibrated": {
        "zh": "{model}，模拟{paths}条路径；按回测逐提前期放宽路径（分位数按保形预测规则，从不收窄），使95%区间容纳已知的回测结果",
        "en": "{model}, {paths} simulated paths, widened per horizon by the backtest (a conformal rank of the stretch each outcome needed, never narrowed) so that the 95% band holds the outcomes seen",
    },
    "method.uncalibrated": {
        "zh": "{model}，模拟{paths}条路径；回测起点太少，区间未经校准",
        "en": "{model}, {paths} simulated paths; too few backtest origins: the band is not calibrated",
    },
    "method.none": {
        "zh": "目标期已过，不作预测，按实际值判定",
        "en": "the target date has passed: judged on the actual values, no forecast",
    },
    "method.logit": {
        "zh": "城镇人口占比的logit线性趋势（联合国城乡增长差法），按{basis}的{n}个年份以OLS拟合，95%预测区间（含参数不确定性）",
        "en": "logit-linear trend of the urban share (UN urban-rural growth difference), OLS on the {basis} ({n} years), 95% prediction interval (parameter uncertainty included)",
    },
    "method.logit_break": {
        "zh": "城镇人口占比的logit线性趋势（联合国城乡增长差法），两种普查口径的{n}个年份一并以OLS拟合，其中{older}个旧口径年份在口径变更处另设水平差；按{basis}预测，95%预测区间（含参数不确定性）",
        "en": "logit-linear trend of the urban share (UN urban-rural growth difference), OLS on both census bases ({n} years, the {older} on the older basis with a level shift at the break), forecast on the {basis}, 95% prediction interval (parameter uncertainty included)",
    },
    "proj.basis_note": {
        "zh": "城镇化率预测把两种普查口径的已公布年份一并拟合，七普口径（2020年起）另设水平差，口径变更处不相接；有七普口径数据后即按七普口径预测。只用截至所选时点已公布的数据。",
        "en": "The urbanization projection fits the published years of both census bases together, the 2020-census basis (2020 on) with a level shift of its own, never joined across the break; once a census-basis year is published the forecast is on that basis. Only figures public by the chosen date are used.",
    },
    "whatif.heading": {"zh": "情景模拟", "en": "What-if scenarios"},
    "whatif.intro": {
        "zh": "调整今后的落户规模、政策性集中落户和人口变化，比较2020年两个目标的完成概率。",
        "en": "Change future settlement flows, add a policy surge or change population assumptions, and compare the chances of the two 2020 targets.",
    },
    "whatif.multiplier": {
        "zh": "全省落户规模倍数",
        "en": "Province-wide multiplier on future settlements",
    },
    "whatif.from": {"zh": "自该季度起生效", "en": "Applies from quarter"},
    "whatif.cities": {"zh": "各地市倍数（1 = 不变）", "en": "Per-city multipliers (1 = unchanged)"},
    "whatif.surge": {
        "zh": "政策性集中落户：每季度增加（人）",
        "en": "Policy surge: extra settlements per quarter",
    },
    "whatif.surge_quarters": {"zh": "持续季度数", "en": "for this many quarters"},
    "whatif.growth": {"zh": "常住人口年增长率（%）", "en": "Resident population growth (% a year)"},
    "whatif.migration": {
        "zh": "每年额外农村转城镇净迁移（人）",
        "en": "Extra net rural-to-urban migration (persons a year)",
    },
    "whatif.as_of": {"zh": "基于截至该季度的数据", "en": "Using data known by"},
    "whatif.compare": {"zh": "基准与情景对比", "en": "Baseline vs scenario"},
    "whatif.col.measure": {"zh": "指标", "en": "Measure"},
    "whatif.col.multiplier": {"zh": "落户倍数", "en": "Settlement multiplier"},
    "whatif.col.baseline": {"zh": "基准", "en": "Baseline"},
    "whatif.col.actual": {"zh": "实际（上报）", "en": "Actual (returns)"},
    "whatif.col.scenario": {"zh": "情景", "en": "Scenario"},
    "whatif.row.settled_probability": {
        "zh": "{when}累计落户≥{target}的概率",
        "en": "P(cumulative settled ≥ {target} by {period})",
    },
    "whatif.row.settled_median": {
        "zh": "{when}累计落户（中位数）",
        "en": "Cumulative settled by {period} (median)",
    },
    "whatif.row.settled_reach": {
        "zh": "预计达到{target}的季度",
        "en": "Quarter {target} is reached",
    },
    "whatif.row.rate_probability": {
        "zh": "{year}年城镇化率≥{rate}%的概率",
        "en": "P(urbanization ≥ {rate}% in {year})",
    },
    "whatif.row.rate_value": {
        "zh": "{year}年城镇化率预测（%，六普口径）",
        "en": "Projected {year} urbanization (%, old basis)",
    },
    "whatif.name": {"zh": "情景名称", "en": "Scenario name"},
    "whatif.save": {"zh": "保存情景", "en": "Save scenario"},
    "whatif.saved": {"zh": "已保存（第 {id} 号）", "en": "Saved (id {id})"},
    "whatif.load": {"zh": "载入已保存情景", "en": "Load a saved scenario"},
    "whatif.none": {"zh": "（不载入）", "en": "(none)"},
    "whatif.export": {"zh": "导出情景与结果 JSON", "en": "Export scenario and results (JSON)"},
    "whatif.method": {
        "zh": "方法：落户流量用{model}模拟10,000条路径（{calibrated}，与预测页相同），情景倍数按各地市近4季度落户占比加权；城镇化率用六普口径logit线性趋势，额外迁移人口按常住人口折算。",
        "en": "Method: settlement flows simulated by {model} (10,000 paths; {calibrated}; as on the projection page), city multipliers weighted by each city's share of settlements over the last four quarters; urbanization from the logit-linear trend on the old basis, extra migrants converted with the resident population.",
    },
    "whatif.calibrated": {
        "zh": "按回测规则选定，并逐提前期校准区间；这样的95%区间在样本外回测中覆盖了{oos}的结果",
        "en": "picked by the backtest rule, band calibrated per horizon; out of sample such a 95% band held {oos} of the backtest outcomes",
    },
    "whatif.uncalibrated": {
        "zh": "回测起点太少，区间未经校准",
        "en": "too few backtest origins: band not calibrated",
    },
    "whatif.settled_chart": {
        "zh": "累计落户：基准与情景",
        "en": "Cumulative settled: baseline and scenario",
    },
    "bt.col.origin": {"zh": "预测起点", "en": "Forecast from"},
    "bt.col.as_of": {"zh": "预测时点（年末）", "en": "As of (year end)"},
    "bt.col.cases": {"zh": "预测次数", "en": "Forecasts"},
    "bt.col.held_oos": {
        "zh": "95%区间含公布值（样本外）",
        "en": "95% band held it (out of sample)",
    },
    "bt.col.naive_mae": {
        "zh": "朴素法平均绝对误差（百分点）",
        "en": "Naive mean absolute error (points)",
    },
    "proj.backtest_rate": {
        "zh": "从{first}至{last}年每年年末出发、只用当时已公布的数据（跨七普口径变更）预测1—5年后，共{n}次：平均绝对误差{mae:.2f}个百分点，朴素法（最新值+最近年变化）为{naive:.2f}个百分点；95%区间包含已公布值的比例为{coverage:.0%}（样本外）。",
        "en": "As of each year's end {first}–{last}, with only the figures public then (across the census break), forecasting 1–5 years ahead, {n} forecasts: mean absolute error {mae:.2f} points, against {naive:.2f} for the naive last value + last change; the 95% band held {coverage:.0%} of the published values (out of sample).",
    },
    "proj.backtest_rate_short": {
        "zh": "低于95%：区间偏窄，应理解为比标称的更不确定。",
        "en": " Below 95%: the band is too narrow; read it as less certain than it says.",
    },
    "bt.col.period": {"zh": "预测期", "en": "For"},
    "bt.col.forecast": {"zh": "预测值", "en": "Forecast"},
    "bt.col.interval": {"zh": "95%区间", "en": "95% interval"},
    "bt.col.actual": {"zh": "实际值", "en": "Actual"},
    "bt.col.error": {"zh": "误差", "en": "Error"},
    "bt.col.covered": {"zh": "区间含实际值", "en": "Interval held it"},
    "bt.yes": {"zh": "是", "en": "yes"},
    "bt.no": {"zh": "否", "en": "no"},
    "skill.heading": {
        "zh": "预测有多准：与简单方法比较",
        "en": "How good is this forecast: against simple methods",
    },
    "skill.note": {
        "zh": "全省季度落户数，从过去每个季度出发只用当时的数据，预测1至8个季度后，与实际比较（M4竞赛的做法）。MASE：平均绝对误差除以样本内季节差分的平均绝对值（越小越好）；技能：相对季节朴素法的改进（1 − MASE比值）；覆盖率：区间包含实际值的比例；区间评分：区间宽度加上落在区间外的罚分（越小越好）。",
        "en": "The province's quarterly settlements, forecast 1 to 8 quarters ahead from every past quarter with only the data known then, against what happened (the M4 competition's practice). MASE: mean absolute error over the in-sample mean absolute seasonal difference (lower is better); skill: improvement on the seasonal naive (1 − MASE ratio); coverage: share of outcomes inside the interval; interval score: the width plus a penalty for outcomes outside (lower is better).",
    },
    "skill.show": {
        "zh": "显示各方法的得分",
        "en": "Show each method's scores",
    },
    "skill.col.h": {"zh": "提前季度数", "en": "Quarters ahead"},
    "skill.col.method": {"zh": "方法", "en": "Method"},
    "skill.col.skill": {"zh": "技能", "en": "Skill"},
    "skill.col.cov80": {"zh": "80%区间覆盖", "en": "80% coverage"},
    "skill.col.cov95": {"zh": "95%区间覆盖", "en": "95% coverage"},
    "skill.col.is95": {"zh": "95%区间评分", "en": "95% interval score"},
    "skill.method.ets": {"zh": "本产品ETS", "en": "This product's ETS"},
    "skill.method.ets_add": {"zh": "ETS加性（A,Ad,A）", "en": "Additive ETS (A,Ad,A)"},
    "skill.method.snaive": {
        "zh": "季节朴素（去年同季）",
        "en": "Seasonal naive (same quarter last year)",
    },
    "skill.method.drift": {"zh": "带漂移的随机游走", "en": "Random walk with drift"},
    "skill.method.theta": {"zh": "Theta法", "en": "Theta"},
    "skill.diagonal": {"zh": "理想（名义=实际）", "en": "Ideal (nominal = empirical)"},
    "skill.nominal": {"zh": "名义覆盖率", "en": "Nominal coverage"},
    "skill.empirical": {"zh": "实际覆盖率", "en": "Empirical coverage"},
    "skill.best": {
        "zh": "按各提前期95%区间评分的平均值，最优的是：{method}。",
        "en": "By the mean 95% interval score over the horizons, the best is: {method}.",
    },
    "skill.method.logit": {
        "zh": "logit趋势（联合国城乡增长差法）",
        "en": "Logit trend (UN urban-rural growth difference)",
    },
    "skill.method.naive": {"zh": "上年值（朴素法）", "en": "Last value (naive)"},
    "cal.picked": {
        "zh": "预测方法按规则选定：回测中经校准的95%区间评分（各提前期平均）最低者，即{method}。",
        "en": "The method is picked by rule: the lowest mean 95% interval score of the calibrated band in the backtest, here {method}.",
    },
    "cal.coverage": {
        "zh": "样本外（每个起点只用当时已知的结果定放宽系数）：提前1至{through}个季度的95%区间覆盖了{oos}的回测结果（{cases}次）；用全部结果定系数再回看（样本内）为{lo}至{hi}。更远的提前期按幂律外推放宽系数，未经检验。",
        "en": "Out of sample (each origin's stretch from the outcomes known then), the 95% band held {oos} of {cases} backtest outcomes 1 to {through} quarters ahead; scored on the outcomes it was made from (in sample), {lo} to {hi}. Beyond that the stretch is extrapolated by a power law, not tested.",
    },
    "cal.too_short": {
        "zh": "回测起点只有{origins}个（每个提前期至少需要{min}个），无法判定区间覆盖率：这里的区间和概率未经校准。",
        "en": "Only {origins} backtest origins (each horizon needs {min}): the coverage cannot be judged, so this band and probability are not calibrated.",
    },
    "cal.compare": {"zh": "与简单方法比较", "en": "Against simple methods"},
    "cal.col.is95": {
        "zh": "校准后95%区间评分（越小越好）",
        "en": "Calibrated 95% interval score (lower is better)",
    },
    "cal.col.mase": {"zh": "季度落户数MASE", "en": "MASE of quarterly settlements"},
    "cal.col.picked": {"zh": "选用", "en": "Used"},
    "cal.col.before": {"zh": "校准前95%覆盖", "en": "95% coverage before"},
    "cal.col.after": {"zh": "校准后（样本内）", "en": "After (in sample)"},
    "cal.col.oos": {"zh": "样本外", "en": "Out of sample"},
    "cal.short_of_goal": {
        "zh": "样本外覆盖率{oos}低于产品要求的90%：这条序列的历史还不足以把区间校准到位，实际区间应理解为比标称的更窄。",
        "en": "Out of sample the band held {oos}, below the 90% the product aims at: this series' history is too short to calibrate it fully, so read the band as narrower than it says.",
    },
    "cal.col.factor": {"zh": "放宽系数", "en": "Stretch"},
    "cal.col.cases": {"zh": "起点数", "en": "Origins"},
    "cal.heading": {
        "zh": "累计落户数的区间校准（所选方法）",
        "en": "Calibration of the cumulative settlements band (the method used)",
    },
    "cal.note": {
        "zh": "放宽系数：在每个回测起点，95%区间需要围绕中位数放宽多少倍才能包含实际值；取各起点的95%分位数（分裂共形校准）。起点少于{min}个的提前期不判定。",
        "en": "Stretch: at each backtest origin, how many times the 95% band must be widened about its median to hold the outcome; the factor is the 95% quantile over the origins (split-conformal). Horizons with fewer than {min} origins are not judged.",
    },
    "cal.not_judged": {"zh": "起点太少，不判定", "en": "too few origins"},
    "skill.brier_heading": {
        "zh": "目标达成概率的Brier评分",
        "en": "Brier score of the probability of meeting a target",
    },
    "skill.brier_note": {
        "zh": "在目标期前1至8个季度的每个起点预测“到期能否达成”，与实际结果比较（0为完美；校准的系数来自同一批起点）。",
        "en": "From every origin 1 to 8 quarters before a target's date, the forecast probability that it is met, against what happened (0 is perfect; the calibration factors come from the same origins).",
    },
    "skill.brier_none": {
        "zh": "没有可判定的目标：目标期尚未到来，或其前8个季度内没有足够的历史。",
        "en": "No target can be judged: its date has not come, or the 8 quarters before it lack enough history.",
    },
    "skill.col.calibrated": {"zh": "校准", "en": "Calibrated"},
    "skill.col.brier": {"zh": "Brier评分", "en": "Brier score"},
    "skill.col.reached": {"zh": "实际达成", "en": "Met"},
    "skill.col.events": {"zh": "目标数", "en": "Targets"},
    "skill.col.mean_p": {"zh": "平均预测概率", "en": "Mean probability given"},
    "skill.brier_too_few": {
        "zh": "只有 {events} 个目标可判定：同一结果从多个重叠起点反复预测，不构成校准检验，故不给Brier评分（至少需要 {min} 个独立结果）；下表列出实际结果与各方法给出的平均概率。",
        "en": "Only {events} target(s) can be judged: one outcome forecast from overlapping origins is not a calibration check, so no Brier score is given (it needs {min} independent outcomes); the table shows what happened and the mean probability each method gave.",
    },
    "skill.rate_heading": {
        "zh": "城镇化率（年度）的滚动起点评估",
        "en": "Urbanization rate (annual): rolling-origin evaluation",
    },
    "skill.rate_note": {
        "zh": "每个普查口径单独评估，从不跨越口径断点。已公布年份太少：每个提前期最多{most}个起点，不足{min}个，无法判定区间覆盖率，故只列平均绝对误差。",
        "en": "Each census basis on its own, never across the break. Too few published years: at most {most} origins per horizon, fewer than {min}, so the interval coverage cannot be judged and only the mean absolute error is shown.",
    },
    "skill.col.basis": {"zh": "口径", "en": "Basis"},
    "skill.cities_show": {
        "zh": "各市的覆盖率（每市一次完整回测，首次约需半分钟）",
        "en": "Each city's coverage (one full backtest per city: about half a minute the first time)",
    },
    "skill.cities_heading": {
        "zh": "各市（区）的95%区间样本外覆盖率",
        "en": "Each city's 95% band, coverage out of sample",
    },
    "skill.cities_note": {
        "zh": "每个市（及杨凌示范区）用自己的季度落户数单独回测，规则与全省相同：每个起点只用当时已知的结果校准区间，再与之后的实际值比较。目标：至少{goal}。",
        "en": "Each city (and Yangling) is backtested on its own quarterly settlements by the province's rule: at every origin the band is calibrated on the outcomes known then, and checked against what came after. Goal: at least {goal}.",
    },
    "skill.cities_below": {
        "zh": "未达到{goal}目标：{cities}。这些市的区间比实际波动窄，解读其概率时需留有余地。",
        "en": "Below the {goal} goal: {cities}. Their bands are narrower than what happened; read their odds with that in mind.",
    },
    "skill.cities_all_meet": {
        "zh": "每个市（区）都达到了{goal}的目标。",
        "en": "Every city meets the {goal} goal.",
    },
    "skill.cities_short": {"zh": "历史太短，无法判定", "en": "Too short to judge"},
    "skill.cities_col.city": {"zh": "市（区）", "en": "City"},
    "skill.cities_col.method": {"zh": "方法", "en": "Method"},
    "skill.cities_col.cases": {"zh": "样本外次数", "en": "Cases out of sample"},
    "skill.cities_col.coverage": {"zh": "95%区间覆盖率", "en": "95% band held"},
    "skill.cities_col.goal": {"zh": "达到目标", "en": "Meets the goal"},
    "skill.col.mae": {"zh": "平均绝对误差（百分点）", "en": "Mean absolute error (points)"},
    "skill.col.years": {"zh": "提前年数", "en": "Years ahead"},
    "skill.calibrated_point": {
        "zh": "校准后：{method}（累计，95%）",
        "en": "Calibrated: {method} (cumulative, 95%)",
    },
    "proj.backtest_short": {
        "zh": "{n} 次预测，平均误差 {mape:.1f}%；不足{min}次，无法判定区间覆盖率",
        "en": "{n} forecasts, mean error {mape:.1f}%; fewer than {min}, so the interval coverage cannot be judged",
    },
    "proj.backtest_calibrated": {
        "zh": "{n} 次预测（{method}），平均误差 {mape:.1f}%，样本外区间覆盖率 {out_of_sample:.0%}（每个起点只用当时已知的结果校准；样本内 {coverage:.0%}）",
        "en": "{n} forecasts ({method}), mean error {mape:.1f}%, interval coverage out of sample {out_of_sample:.0%} (each origin calibrated on the outcomes known then; in sample {coverage:.0%})",
    },
    "proj.backtest": {"zh": "回测（滚动起点）", "en": "Backtest (rolling origin)"},
    "proj.backtest_note": {
        "zh": "从过去每个时点出发、只用当时已知的数据预测（落户：4个季度后；城镇化率：每年年末、只用当时已公布的数据，1—5年后），与实际值比较。误差：落户为平均绝对百分比误差，城镇化率为平均绝对误差（百分点）；覆盖率为95%区间包含实际值的比例（理想约95%）。",
        "en": "From each past origin, forecast with only the data known then (settlements 4 quarters ahead; the urbanization rate as of each year's end, from the figures public then, 1–5 years ahead) and compare with what happened. Error: for settlements the mean absolute percentage error, for the rate the mean absolute error in points; coverage: share of outcomes inside the 95% interval (about 95% is right).",
    },
    "proj.backtest_summary": {
        "zh": "{n} 次预测，平均误差 {mape:.1f}%，区间覆盖率 {coverage:.0%}",
        "en": "{n} forecasts, mean error {mape:.1f}%, interval coverage {coverage:.0%}",
    },
    "proj.alternative": {
        "zh": "备选方法：阻尼趋势指数平滑",
        "en": "Alternative: damped-trend smoothing",
    },
    "proj.alternative_note": {
        "zh": "备选方法：{method}；按期完成概率 {p:.0%}。",
        "en": "Alternative method: {method}; probability of meeting it on time {p:.0%}.",
    },
    "proj.reach_distribution": {
        "zh": "达成季度分布（模拟路径占比）：",
        "en": "Quarter reached (share of simulated paths): ",
    },
    "proj.fitted": {"zh": "拟合趋势", "en": "Fitted trend"},
}
