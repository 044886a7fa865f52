"""ui.table sizes each grid column from its widest text (the browser tier checks the result
as drawn: tests/e2e/clipped.py)."""

import pandas as pd

from ui.widgets import _CELL_PAD_PX, fitted_columns, text_px, wrapped_lines


def test_a_column_is_as_wide_as_its_widest_text():
    frame = pd.DataFrame(
        {
            "Region": ["Yangling Demonstration Zone", "Xi'an"],
            "人数": [1234567.891, 2.0],
            "短": ["a", "b"],
        }
    )
    config = {"人数": {"type_config": {"format": "%.1f"}}}
    widths = {k: v["width"] for k, v in fitted_columns(frame, config).items()}
    assert widths["Region"] >= text_px("Yangling Demonstration Zone") + _CELL_PAD_PX - 1
    assert widths["人数"] >= text_px("1,234,567.9") + _CELL_PAD_PX - 1  # as its format writes
    assert widths["短"] >= text_px("短") + _CELL_PAD_PX - 1  # the header, when it is wider
    # Chinese characters take a full em, Latin letters less
    assert text_px("城镇化率") > text_px("rate") and text_px("城镇化率") == 4 * 14


def test_a_time_is_measured_as_the_grid_writes_it():
    frame = pd.DataFrame({"at": pd.to_datetime(["2021-02-14 00:00:00"])})
    assert fitted_columns(frame)["at"]["width"] >= text_px("2021-02-14 00:00:00") + _CELL_PAD_PX


def test_a_width_or_a_hidden_column_set_by_the_page_is_kept():
    frame = pd.DataFrame({"a": ["x" * 50], "b": ["y"], "c": ["z"]})
    out = fitted_columns(frame, {"a": {"width": 90}, "b": None, "c": "Label"})
    assert out["a"] == {"width": 90} and out["b"] is None
    assert out["c"]["label"] == "Label" and out["c"]["width"] >= text_px("Label")


def test_wrapped_rows_need_narrower_columns_and_the_index_is_sized_when_shown():
    long = "省发展改革委、省教育厅、省民政厅、省人力资源社会保障厅、省国土资源厅"
    frame = pd.DataFrame({"部门": [long]}, index=["610304 Chencang District"])
    one = fitted_columns(frame)["部门"]["width"]
    three = fitted_columns(frame, lines=3)["部门"]["width"]
    assert three < one and three * 3 * 0.8 >= text_px(long)
    assert fitted_columns(frame.assign(部门="未开始"), lines=3)["部门"]["width"] < 300  # one line
    assert [wrapped_lines(h) for h in (None, 35, 64, 72)] == [1, 1, 1, 2]  # Streamlit: > 4 rem
    shown = fitted_columns(frame, index=True)
    assert shown["_index"]["width"] >= text_px("610304 Chencang District") + _CELL_PAD_PX - 1
    assert "_index" not in fitted_columns(frame)


def test_a_grid_wider_than_its_room_wraps_its_long_texts_to_fit():
    from ui.widgets import MAIN_PX, fitted_to, row_px

    long = "Unify urban and rural household registration province-wide and build the system"
    frame = pd.DataFrame(
        {"No.": [1, 2], "Task": [long, "Short"], "Lead": ["Public Security Department"] * 2}
    )
    fits, lines = fitted_to(frame, None, MAIN_PX)
    assert lines == 1 and "pinned" not in fits["No."]  # fits as it is: left alone
    config, lines = fitted_to(frame, None, 450)
    widths = {k: v["width"] for k, v in config.items()}
    assert sum(widths.values()) <= 450 and lines > 1
    assert widths["Task"] * lines * 0.8 >= text_px(long)  # every word still shown
    assert widths["No."] >= text_px("No.") + _CELL_PAD_PX - 1  # numbers never wrap
    assert row_px(lines) > 64 and row_px(1) is None  # Streamlit wraps only above 4 rem


def test_a_grid_that_cannot_fit_scrolls_with_its_first_column_pinned():
    from ui.widgets import fitted_to

    frame = pd.DataFrame({"City": ["Xi'an"], **{f"2020Q{q}": [1234567.0] for q in range(1, 5)}})
    config, lines = fitted_to(frame, None, 200)
    assert lines == 1 and config["City"]["pinned"] is True
    assert not any(v.get("pinned") for k, v in config.items() if k != "City")
    shown, _ = fitted_to(frame.set_index("City"), None, 200, index=True)
    assert shown["_index"]["pinned"] is True
