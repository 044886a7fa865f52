"""Messages of the returns: the upload page, every finding of the reader and the rules
(``rule.<name>``), and the data-quality page; merged into ``messages.MESSAGES``."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "quality.heading": {
        "zh": "各上报单位的数据质量",
        "en": "Data quality of each reporting office",
    },
    "quality.intro": {
        "zh": "按上报时间、完整性、报后修订和已确认的警告为各市、县打分。按期：季度结束后{due}天以内首次报送（可在设置中改为本单位的规定期限）。",
        "en": "Each city and county office scored on when its returns arrived, how complete they are, how often they were revised after submission and the warnings confirmed on them. On time: first submitted within {due} days of the quarter's end (a setting: set it to the bureau's own deadline).",
    },
    "quality.level": {"zh": "单位", "en": "Offices"},
    "quality.level.city": {"zh": "市（含杨凌示范区）", "en": "Cities (and Yangling)"},
    "quality.level.county": {"zh": "县（区、市）", "en": "Counties"},
    "quality.through": {"zh": "截至季度", "en": "Through quarter"},
    "quality.window": {"zh": "统计季度数", "en": "Quarters covered"},
    "quality.city_filter": {"zh": "按市筛选", "en": "Filter by city"},
    "quality.grades": {"zh": "{grade}级", "en": "Grade {grade}"},
    "quality.window_note": {
        "zh": "{first}至{last}，共{n}个季度。",
        "en": "{first} to {last}, {n} quarters.",
    },
    "quality.col.rank": {"zh": "名次", "en": "Rank"},
    "quality.col.office": {"zh": "单位", "en": "Office"},
    "quality.col.city": {"zh": "所属市", "en": "City"},
    "quality.col.grade": {"zh": "等级", "en": "Grade"},
    "quality.col.score": {"zh": "得分", "en": "Score"},
    "quality.col.on_time": {"zh": "按期报送", "en": "On time"},
    "quality.col.days": {"zh": "天数", "en": "Days"},
    "quality.col.completeness": {"zh": "完整性", "en": "Completeness"},
    "quality.col.revised": {"zh": "修订季度", "en": "Revised"},
    "quality.col.revised_values": {"zh": "修订数值", "en": "Values"},
    "quality.col.unit_slip": {"zh": "单位错位警告", "en": "Unit-slip warnings"},
    "quality.col.outlier": {"zh": "异常值警告", "en": "Outlier warnings"},
    "quality.col.other_flags": {"zh": "其他警告", "en": "Other warnings"},
    "quality.col.indicator": {"zh": "指标", "en": "Indicator"},
    "quality.col.flags": {"zh": "警告", "en": "Warnings"},
    "quality.never": {"zh": "未报", "en": "never"},
    "quality.legend": {
        "zh": "天数：季度结束到首次报送的天数（中位数）；修订季度：报送后有数值被修订的季度占比；修订数值：被修订的数值个数；警告：上报时经确认的警告个数（下载的表格按单位错位、异常值和其他分列）。",
        "en": "Days: from the quarter's end to the first submission (median); Revised: share of quarters with a value revised after submission; Values: how many values were revised; Warnings: warnings confirmed at upload (the downloads list unit slips, outliers and others apart).",
    },
    "quality.rule": {
        "zh": "评分规则：得分 = 40 × 按期报送的季度占比 + 30 × 完整性 + 15 × (1 − 有修订的季度占比) + 15 × (1 − 有已确认警告的季度占比)；90分及以上为A，75分及以上为B，60分及以上为C，其余为D。市的某季度：所辖各县均按期才算按期，任一县有修订或警告即算有。警告为上报时经确认的单位错位、异常值等提示。",
        "en": "Grade rule: score = 40 x share of quarters on time + 30 x completeness + 15 x (1 - share of quarters revised) + 15 x (1 - share of quarters with a confirmed warning); A from 90, B from 75, C from 60, else D. A city's quarter is on time when every county's is, revised or flagged when any county's is. Warnings are the unit-slip, outlier and other notices confirmed at upload.",
    },
    "quality.trend": {"zh": "得分走势", "en": "Score by quarter"},
    "quality.trend_offices": {
        "zh": "显示的单位（默认得分最低的三个）",
        "en": "Offices shown (the three lowest by default)",
    },
    "quality.trend_axis": {"zh": "得分", "en": "Score"},
    "quality.by_indicator": {
        "zh": "分指标完整性（各县）",
        "en": "Completeness by indicator (counties)",
    },
    "quality.download_csv": {"zh": "下载评分表 CSV", "en": "Download scorecard (CSV)"},
    "quality.download_xlsx": {"zh": "下载评分表 XLSX", "en": "Download scorecard (XLSX)"},
    "quality.empty": {
        "zh": "数据库中还没有上报数据，无从评分。",
        "en": "The store holds no returns yet: nothing to score.",
    },
    "quality.demo_note": {
        "zh": "示例数据的报送日期由示例生成器按固定规则编排（多数单位季后一至三周报送，两个单位惯常迟报，偶有单位报错一个落户数并随后更正），不是真实的报送记录。",
        "en": "The demo returns' receipt dates follow the demo generator's fixed calendar (most offices send one to three weeks after the quarter, two are habitually late, now and then one sends a settlement count with a digit too many and corrects it later); they are not real submission records.",
    },
    "returns.heading": {"zh": "数据上报", "en": "Quarterly returns"},
    "returns.intro": {
        "zh": "下载模板，填写后上传（可一次上传多个文件）。系统逐格检查，错误必须改正；警告需确认后方可入库。每次入库都保留原文件和历史版本，可随时撤回。",
        "en": "Download the template, fill it in and upload (several files at once). Every cell is checked: errors must be fixed, warnings need your confirmation. Each upload keeps its original file and history and can be reverted.",
    },
    "returns.template": {"zh": "1. 下载模板", "en": "1. Download the template"},
    "returns.period": {"zh": "填报期", "en": "Period"},
    "returns.scope": {"zh": "填报范围", "en": "Reporting scope"},
    "returns.province": {"zh": "全省", "en": "Whole province"},
    "returns.download_template": {
        "zh": "下载 {period} 模板（{scope}）",
        "en": "Download the {period} template ({scope})",
    },
    "returns.upload": {"zh": "2. 上传报表", "en": "2. Upload returns"},
    "returns.uploader_hint": {
        "zh": "把文件拖到下框中，或点击框内按钮选择；每个文件不超过 {mb} MB，可一次选多个。",
        "en": "Drag files into the box below or use its button; up to {mb} MB per file, several at once.",
    },
    "returns.upload_button": {"zh": "选择文件", "en": "Upload"},
    "returns.uploader_label": {
        "zh": "选择Excel文件（.xlsx / .xlsm / .xls）或CSV文件",
        "en": "Choose Excel files (.xlsx / .xlsm / .xls) or CSV files",
    },
    "returns.checking": {"zh": "正在检查 {name}（{i}/{n}）…", "en": "Checking {name} ({i}/{n})…"},
    "returns.status.checked": {"zh": "检查通过，可以入库", "en": "Checked: ready to store"},
    "returns.status.checked_warnings": {
        "zh": "无错误；有 {n} 个警告，核实并确认后方可入库",
        "en": "No errors; {n} warning(s) to check and confirm before it can be stored",
    },
    "returns.status.rejected": {
        "zh": "有错误，未入库：请按下表改正后重新上传",
        "en": "Errors: nothing stored. Fix them as listed and upload again",
    },
    "returns.status.duplicate": {
        "zh": "与第 {id} 号已入库文件完全相同，无需重复上传",
        "en": "Identical to stored submission {id}: nothing to do",
    },
    "returns.status.committed": {"zh": "已入库（第 {id} 号）", "en": "Stored (submission {id})"},
    "returns.status.committed_quarters": {
        "zh": "已入库：每个季度一份，第 {ids} 号（{periods}）",
        "en": "Stored, one submission per quarter: {ids} ({periods})",
    },
    "returns.status.unchanged": {
        "zh": "数值与已入库数据完全一致，未产生新版本",
        "en": "Values equal what is stored: no new version",
    },
    "returns.summary": {
        "zh": "{rows} 行，{regions} 个地区，填报期 {periods}；新增 {new} 个数值，{changed} 个修改，{unchanged} 个未变",
        "en": "{rows} rows, {regions} regions, for {periods}; {new} new values, {changed} changed, {unchanged} unchanged",
    },
    "returns.problems": {
        "zh": "检查结果（{errors} 个错误，{warnings} 个警告）",
        "en": "Findings ({errors} errors, {warnings} warnings)",
    },
    "returns.filter": {"zh": "显示", "en": "Show"},
    "returns.errors": {"zh": "错误", "en": "Errors"},
    "returns.warnings": {"zh": "警告", "en": "Warnings"},
    "returns.severity.error": {"zh": "错误", "en": "Error"},
    "returns.severity.warning": {"zh": "警告", "en": "Warning"},
    "returns.annotated": {
        "zh": "下载标注版工作簿（问题单元格已标色并批注）",
        "en": "Download the annotated workbook (problem cells coloured and commented)",
    },
    "returns.changes": {"zh": "将修改的已入库数值", "en": "Stored values this file changes"},
    "returns.confirm_warnings": {
        "zh": "我已核实以上 {n} 个警告，确认数据无误",
        "en": "I have checked the {n} warnings above and confirm the data",
    },
    "returns.confirm_replace": {
        "zh": "用本文件替换上述 {n} 个已入库数值（旧值保留为历史版本）",
        "en": "Replace the {n} stored values above (old values are kept as history)",
    },
    "returns.commit": {"zh": "入库", "en": "Store"},
    "returns.history": {"zh": "3. 上报记录", "en": "3. Submission history"},
    "returns.revert_id": {"zh": "撤回第几号上报", "en": "Submission to revert"},
    "returns.revert": {"zh": "撤回", "en": "Revert"},
    "returns.revert_pick": {"zh": "选择要撤回的上报", "en": "Choose a submission"},
    "returns.revert_what": {
        "zh": "将撤回第 {id} 号上报（{file}，{by} 上传）：其当前的 {values} 个数值失效，被它替代的数值恢复。",
        "en": "Reverting submission {id} ({file}, uploaded by {by}) withdraws its {values} current values and restores the values it replaced.",
    },
    "returns.revert_confirm": {
        "zh": "确认撤回第 {id} 号上报",
        "en": "Yes, revert submission {id}",
    },
    "returns.stale": {
        "zh": "“{name}”检查之后数据库已有变化，结果已按当前数据重新检查，请复核后再入库。",
        "en": "The store changed after '{name}' was checked; it has been checked again against what is stored now. Review it before storing.",
    },
    "returns.reverted": {
        "zh": "已撤回第 {id} 号：撤下 {withdrawn} 个数值，恢复 {restored} 个",
        "en": "Reverted submission {id}: {withdrawn} values withdrawn, {restored} restored",
    },
    "returns.completeness": {"zh": "4. 上报完整性", "en": "4. Completeness"},
    "returns.completeness_summary": {
        "zh": "{period} 已上报县（市、区）",
        "en": "Counties reported for {period}",
    },
    "returns.missing_by_city": {
        "zh": "{period} 尚未上报（按市分组）：",
        "en": "Not yet reported for {period} (by city):",
    },
    "returns.group": {"zh": "计为已上报的指标", "en": "What counts as reported"},
    "returns.group.any": {"zh": "任一指标", "en": "Any indicator"},
    "returns.group.settlement": {"zh": "落户人数", "en": "Settlement counts"},
    "returns.group.flows": {
        "zh": "季度流量（落户、居住证）",
        "en": "Quarterly flows (settlement, permits)",
    },
    "returns.group.stocks": {"zh": "人口存量", "en": "Population stocks"},
    "returns.missing": {
        "zh": "{period} 未上报：{names}",
        "en": "Not reported for {period}: {names}",
    },
    "returns.all_reported": {
        "zh": "{period} 所有县（市、区）均已上报",
        "en": "Every county has reported for {period}",
    },
    "returns.matrix": {
        "zh": "县 × 季度上报情况（✓ 已报，↻ 有修订，· 未报）",
        "en": "County × quarter (✓ submitted, ↻ revised, · missing)",
    },
    "returns.no_submissions": {"zh": "还没有上报记录。", "en": "No submissions yet."},
    "returns.col.severity": {"zh": "级别", "en": "Severity"},
    "returns.col.sheet": {"zh": "工作表", "en": "Sheet"},
    "returns.col.row": {"zh": "行", "en": "Row"},
    "returns.col.column": {"zh": "列", "en": "Column"},
    "returns.col.message": {"zh": "说明", "en": "Message"},
    "returns.col.field": {"zh": "字段", "en": "Field"},
    "returns.col.value": {"zh": "填报值", "en": "Value"},
    "returns.col.rule": {"zh": "规则", "en": "Rule"},
    "returns.sub_status.committed": {"zh": "已入库", "en": "Stored"},
    "returns.sub_status.superseded": {"zh": "已被替代", "en": "Superseded"},
    "returns.sub_status.reverted": {"zh": "已撤回", "en": "Reverted"},
    "returns.sub.id": {"zh": "编号", "en": "ID"},
    "returns.sub.filename": {"zh": "文件名", "en": "File"},
    "returns.sub.periods": {"zh": "填报期", "en": "Quarters"},
    "returns.sub.uploaded_by": {"zh": "填报人", "en": "By"},
    "returns.sub.uploaded_at": {"zh": "上传时间", "en": "Uploaded"},
    "returns.sub.status": {"zh": "状态", "en": "Status"},
    "returns.sub.rows": {"zh": "行数", "en": "Rows"},
    "returns.sub.values": {"zh": "写入数值", "en": "Written"},
    "returns.sub.is_demo": {"zh": "示例数据", "en": "Demo"},
    "returns.sub.current_values": {"zh": "现行数值", "en": "Current"},
    "rule.empty_file": {"zh": "文件为空。", "en": "The file is empty."},
    "rule.not_excel": {
        "zh": "不是Excel文件（.xlsx/.xlsm/.xls）或CSV文本表格：请上传统计报表工作簿，不要只改文件扩展名。",
        "en": "Not an Excel file (.xlsx/.xlsm/.xls) or a CSV text table: upload the return workbook; renaming another file does not make it one.",
    },
    "rule.corrupt_zip": {
        "zh": "文件已损坏，无法打开（压缩包结构错误）。请重新从Excel另存后上传。",
        "en": "The file is damaged and cannot be opened (broken zip structure). Save it again from Excel and upload.",
    },
    "rule.not_a_workbook": {
        "zh": "压缩包中没有Excel工作簿。",
        "en": "The zip archive holds no Excel workbook.",
    },
    "rule.zip_bomb": {
        "zh": "文件解压后约 {size_mb} MB，超过上限 {limit_mb} MB，已拒绝（疑似压缩炸弹）。",
        "en": "The file would expand to about {size_mb} MB, over the {limit_mb} MB limit: refused (suspected zip bomb).",
    },
    "rule.xml_entities": {
        "zh": "文件中含有XML实体声明（{part}），出于安全原因已拒绝。",
        "en": "The file contains XML entity declarations ({part}): refused for safety.",
    },
    "rule.encrypted": {
        "zh": "工作簿已加密（设置了打开密码），请取消密码后重新上传。",
        "en": "The workbook is encrypted (password to open): remove the password and upload again.",
    },
    "rule.formula_no_cache": {
        "zh": "工作表“{sheet}”中的公式没有计算结果（{cells}）：请在Excel中打开、重新计算并保存后上传。",
        "en": "Formulas in sheet '{sheet}' have no calculated values ({cells}): open the file in Excel, recalculate, save and upload again.",
    },
    "rule.unreadable": {
        "zh": "无法读取工作簿：{reason}",
        "en": "The workbook cannot be read: {reason}",
    },
    "rule.empty_workbook": {"zh": "工作簿中没有任何数据。", "en": "The workbook holds no data."},
    "rule.too_large": {
        "zh": "文件大小 {size_mb} MB，超过上限 {limit_mb} MB。",
        "en": "The file is {size_mb} MB, over the {limit_mb} MB limit.",
    },
    "rule.too_many_cells": {
        "zh": "工作簿有 {cells} 个单元格，超过上限 {limit}。请只保留报表所需的行和列后上传。",
        "en": "The workbook holds {cells} cells, over the limit of {limit}. Keep only the "
        "return's rows and columns and upload it again.",
    },
    "rule.too_many_rows": {
        "zh": "数据行数 {rows} 超过上限 {limit}。",
        "en": "{rows} data rows exceed the limit of {limit}.",
    },
    "rule.no_header": {
        "zh": "未找到可识别的表头（需要“区划代码”或“地区名称”及指标列）。已检查的工作表：{sheets}",
        "en": "No recognisable header (a region code or name column and indicator columns). Sheets checked: {sheets}",
    },
    "rule.header_hint": {
        "zh": "该表的表头行可能是：{cells}。请按模板的列名修改后重新上传",
        "en": "This sheet's header row may be: {cells}. Please name the columns as the template does and upload again",
    },
    "returns.not_carried": {
        "zh": "本文件未包含以下指标，保持未上报（不记为0）：{names}",
        "en": "Not in this file, left unreported (never stored as 0): {names}",
    },
    "rule.no_indicator_column": {
        "zh": "表中没有任何指标列：至少需要以下一列：{names}",
        "en": "No indicator column in the table: at least one of these is needed: {names}",
    },
    "rule.urban_gt_stored_total": {
        "zh": "{name} {value} 大于已入库的{other} {other_value}（{period}）",
        "en": "{name} {value} exceeds the stored {other} {other_value} ({period})",
    },
    "rule.ambiguous_header": {
        "zh": "列名“{label}”不能确定是哪一项：可能是 {names}。请写明（可参照模板的列名）",
        "en": "Column '{label}' could be any of: {names}. Please name it as the template does",
    },
    "rule.extra_column_near": {
        "zh": "未识别的列“{label}”已忽略；最接近的是“{column}”，如是请改用该列名。",
        "en": "Unrecognised column '{label}' ignored; the nearest is {column}: rename it if that is what it holds.",
    },
    "rule.formula_value": {
        "zh": "以下单元格的数值取自公式（Excel 上次保存的计算结果）：{cells}。请确认结果无误",
        "en": "These cells hold formulas; the values taken are the results Excel last saved: {cells}. Please confirm they are right",
    },
    "rule.code_name_mismatch": {
        "zh": "区划代码与地区名称不是同一地区：代码 {code} 是{code_name}，名称“{name}”是 {name_code}",
        "en": "Region code and name disagree: code {code} is {code_name}, the name '{name}' is {name_code}",
    },
    "rule.unknown_region_near": {
        "zh": "无法识别的地区：{region}。是否为“{near}”？",
        "en": "Unknown region: {region}. Did you mean '{near}'?",
    },
    "rule.other_span": {
        "zh": "列“{label}”是{span}，不是本季数，不能入库：请填报本季（当季）数。",
        "en": "Column '{label}' is {span}, not the quarter's own: it cannot be stored. Please "
        "report the quarter's figure.",
    },
    "rule.other_span_ignored": {
        "zh": "列“{label}”是{span}，已忽略（本季数取自该指标本季的列）。",
        "en": "Column '{label}' is {span}: ignored (the quarter's figure is in its own column).",
    },
    "rule.span.cumulative": {"zh": "累计数", "en": "a cumulative figure"},
    "rule.span.change": {"zh": "增减或增长率", "en": "a change or growth rate"},
    "rule.span.another_period": {"zh": "其他时期的数", "en": "another period's figure"},
    "rule.extra_column": {
        "zh": "未识别的列“{label}”已忽略。",
        "en": "Unrecognised column '{label}' ignored.",
    },
    "rule.unknown_region": {"zh": "无法识别的地区：{region}", "en": "Unknown region: {region}"},
    "rule.bad_period": {
        "zh": "无法识别的填报期：{value}（可写 2016Q3、2016年第三季度，或季末月份的日期如 2016-09-30）",
        "en": "Unrecognised period: {value} (write e.g. 2016Q3, 2016年第三季度, or a date in a quarter's last month such as 2016-09-30)",
    },
    "rule.excel_error": {
        "zh": "单元格为 Excel 错误值 {value}：请修正公式后重新上传",
        "en": "The cell holds the Excel error {value}: fix the formula and upload again",
    },
    "rule.wrong_unit": {
        "zh": "{name}的单位应为“{unit}”：{value}",
        "en": "{name} is counted in {unit}: {value}",
    },
    "rule.hidden_sheet": {
        "zh": "隐藏的工作表“{sheet}”含有报表，未读取；如需上报，请取消隐藏后重新上传。",
        "en": "Hidden sheet '{sheet}' holds a return and was not read; unhide it and upload again to report it.",
    },
    "rule.period_not_a_quarter": {
        "zh": "“{value}”不是一个季度（跨季度的累计或半年、全年）：请按季度填报，写明单季（如2023年4-6月或2023年第二季度）。",
        "en": "'{value}' is not one quarter (a span of several quarters): report a single quarter "
        "and name it (e.g. 2023年4-6月 or 2023Q2).",
    },
    "rule.no_period": {
        "zh": "未找到填报期：请在标题、期别列或年份/季度列中注明（如2016年第三季度）。",
        "en": "No period found: give it in the title, a period column or year and quarter columns (e.g. 2016Q3).",
    },
    "rule.not_a_number": {"zh": "{name}不是数字：{value}", "en": "{name} is not a number: {value}"},
    "rule.unknown_indicator": {
        "zh": "无法识别的指标：{value}（可写：{names}）",
        "en": "Unknown indicator: {value} (write one of: {names})",
    },
    "rule.unknown_unit": {
        "zh": "{name}的计量单位应为“{unit}”或“万{unit}”：{value}",
        "en": "The unit of {name} should be {unit}, or ten thousand {unit} (万): {value}",
    },
    "rule.negative": {
        "zh": "{name}不能为负数：{value}",
        "en": "{name} cannot be negative: {value}",
    },
    "rule.not_integer": {
        "zh": "{name}应为整数：{value}",
        "en": "{name} must be a whole number: {value}",
    },
    "rule.below_min": {
        "zh": "{name}不能小于 {min}：{value}",
        "en": "{name} cannot be below {min}: {value}",
    },
    "rule.above_max": {
        "zh": "{name} {value} 超过合理上限 {max}",
        "en": "{name} {value} is above the plausible maximum {max}",
    },
    "rule.not_quarter": {
        "zh": "填报期应为季度：{period}",
        "en": "The period must be a quarter: {period}",
    },
    "rule.bad_code": {"zh": "地区代码格式错误", "en": "Malformed region code"},
    "rule.bad_indicator": {"zh": "未知指标", "en": "Unknown indicator"},
    "rule.urban_gt_total": {
        "zh": "{name} {value} 大于 {other} {other_value}",
        "en": "{name} {value} is greater than {other} {other_value}",
    },
    # the refusal of data.store.approvals, said there in both languages
    "rule.locked": {"zh": "{zh}", "en": "{en}"},
    "rule.duplicate": {
        "zh": "地区 {region} 在 {period} 重复填报",
        "en": "Region {region} reported twice for {period}",
    },
    "rule.future_period": {
        "zh": "填报期 {period} 尚未到来",
        "en": "Period {period} is in the future",
    },
    "rule.totals_mismatch": {
        "zh": "“{label}”行的{name} {stated} 与各地区之和 {computed} 不符",
        "en": "Row '{label}': {name} {stated} differs from the sum of its regions {computed}",
    },
    "rule.parts_total_mismatch": {
        "zh": "“{label}”行的“{column}” {stated} 与其分项之和 {computed} 不符",
        "en": "Row '{label}': '{column}' {stated} differs from the sum of its parts, {computed}",
    },
    "rule.year_total_mismatch": {
        "zh": "“{label}”行的{name}全年合计 {stated} 与各季度之和 {computed} 不符",
        "en": "Row '{label}': the year's total of {name} {stated} differs from the sum of its quarters {computed}",
    },
    "rule.text_encoding": {
        "zh": "文本文件的编码无法识别：请在Excel中“另存为”CSV（UTF-8）或CSV（逗号分隔），或直接上传工作簿",
        "en": "The text file's encoding cannot be told: save it from Excel as CSV UTF-8 or CSV (comma delimited), or upload the workbook",
    },
    "rule.quarters_no_year": {
        "zh": "{columns}列是各季度的数，但标题、表头以上各行和工作表名都没有写年份（如“2019年”）",
        "en": "Columns {columns} hold quarters, but no year is given in the title, the lines above the header or the sheet's name (e.g. 2019年)",
    },
    "rule.quarters_no_indicator": {
        "zh": "{columns}列是各季度的数，但标题和这些列上方都没有写明是哪个指标（如“农业转移人口城镇落户人数”）",
        "en": "Columns {columns} hold quarters, but neither the title nor a cell above them says which indicator (e.g. 农业转移人口城镇落户人数)",
    },
    "rule.quarters_two_indicators": {
        "zh": "{columns}列是各季度的数，标题可能指{names}，请在标题或这些列上方写明其中一个指标",
        "en": "Columns {columns} hold quarters and the title may mean {names}: name one indicator in the title or above the columns",
    },
    "rule.out_of_scope": {
        "zh": "地区 {region} 不在您的填报范围（{scope}）内",
        "en": "Region {region} is outside your reporting scope ({scope})",
    },
    "rule.no_data": {"zh": "文件中没有可导入的数据", "en": "The file holds no data to import"},
    "rule.only_totals": {
        "zh": "表中只有合计或市级行（如“{label}”）：请按县（市、区）逐行填报",
        "en": "The file holds only total or city rows (e.g. '{label}'): report county by county",
    },
    "rule.outlier": {
        "zh": "{name} {value} 远离该地区近 {n} 个季度的水平（中位数 {median}，稳健z={z}），请核实",
        "en": "{name} {value} is far from this region's last {n} quarters (median {median}, robust z={z}): please check",
    },
    "rule.unit_slip": {
        "zh": "{name} {value} 与该地区通常水平 {typical} 相差约一万倍，疑似单位错误（万人/人）",
        "en": "{name} {value} is about 10,000 times off this region's usual {typical}: likely a unit slip (万人 vs persons)",
    },
    "rule.stock_jump": {
        "zh": "{name} {value} 较上季度 {prev} 变化 {pct}%，幅度异常",
        "en": "{name} {value} changed {pct}% from last quarter's {prev}: implausible jump",
    },
    "rule.missing_county": {
        "zh": "{city} {period} 缺少：{counties}",
        "en": "{city} {period} is missing: {counties}",
    },
    "rule.old_region": {
        "zh": "“{raw}”已按现行区划导入为 {code} {name}",
        "en": "'{raw}' was imported under the current unit {code} {name}",
    },
}
