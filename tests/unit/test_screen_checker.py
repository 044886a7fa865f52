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
