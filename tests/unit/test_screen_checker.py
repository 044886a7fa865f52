"""The screen checker (tests/fixtures/screen.py) finds what a person should never read."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.fixtures.screen import screen_problems

RAW = """
import pandas as pd
import streamlit as st
frame = pd.DataFrame({"region_code": ["610000"], "地区": ["陕西省"], "人口": [None]})
st.dataframe(frame)
st.caption("最近更新：None")
st.json({"new_values": 3})
st.markdown("地区 610402")
st.markdown("610402")
"""

CLEAN = """
import pandas as pd
import streamlit as st
frame = pd.DataFrame({"region_code": ["610000"], "地区": ["陕西省"], "人口": [None]})
st.dataframe(frame, placeholder="—", column_config={"region_code": "代码"})
st.caption("运行 `urbdash demo --if-empty` 载入示例数据")
"""


def test_raw_screens_are_caught_and_clean_ones_pass():
    problems = screen_problems(AppTest.from_string(RAW).run())
    assert "dataframe header: internal name 'region_code': 'region_code'" in problems
    assert "dataframe cell in '人口': 'None' shown: 'None'" in problems
    assert "caption: 'None' shown: '最近更新：None'" in problems
    assert "raw JSON shown: '{\"new_values\": 3}'" in problems
    assert "json: internal name 'new_values': '{\"new_values\": 3}'" in problems
    assert "markdown: a region code where its name belongs: '610402'" in problems
    assert len(problems) == 6, problems  # a code beside its name (地区 610402) is fine
    assert screen_problems(AppTest.from_string(CLEAN).run()) == []


MIXED_ZH = """
import pandas as pd
import streamlit as st
st.caption("数据来源：2021年陕西省国民经济和社会发展统计公报 (press copy)")
st.dataframe(pd.DataFrame({"地区": ["西安市"], "code": ["610100"]}))
st.caption("下载 PDF；文件 demo_return_2020Q1.xlsx；用户 demo-admin；`urbdash demo`")
"""

MIXED_EN = """
import streamlit as st
st.caption("Departments: 省公安厅")
st.caption("Source of the set: 《陕西省新型城镇化规划（2014—2020年）》（2014-09-23）：2020年目标")
st.markdown("Xi'an · Yangling Demonstration Zone")
"""


def test_text_in_the_other_language_is_caught():
    from tests.fixtures.screen import language_problems

    at = AppTest.from_string(MIXED_ZH).run()
    # acronyms, file names, user names and code in backticks are not English prose
    assert language_problems(at, "zh", {"demo-admin"}) == [
        "caption: English ['press copy'] on a Chinese screen: "
        "'数据来源：2021年陕西省国民经济和社会发展统计公报 (press copy)'",
        "dataframe header: English ['code'] on a Chinese screen: 'code'",
    ]
    assert screen_problems(at) == ["dataframe header: internal column name 'code'"]
    en = language_problems(AppTest.from_string(MIXED_EN).run(), "en")
    # a department in Chinese is caught; a cited document's title and quote are not
    assert en == ["caption: Chinese on an English screen: 'Departments: 省公安厅'"]
