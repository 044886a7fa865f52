"""The chart-order checker (tests/fixtures/figures.py) catches what a person would see wrong."""

from __future__ import annotations

import json

import plotly.graph_objects as go

from tests.fixtures.figures import time_axis_problems


def spec(fig: go.Figure) -> dict:
    return json.loads(fig.to_json())


PAST = ["2019Q3", "2019Q4"]
FUTURE = ["2020Q1", "2020Q2"]


def test_future_named_first_on_a_category_axis_is_drawn_before_the_past():
    fig = go.Figure([go.Scatter(x=FUTURE, y=[3, 4], name="scenario")])
    fig.add_trace(go.Scatter(x=PAST + FUTURE, y=[1, 2, 3, 4], name="actual"))
    fig.update_xaxes(type="category")
    problems = time_axis_problems(spec(fig))
    assert problems[0].startswith("axis x: 2019Q3 is drawn after 2020Q2")
    assert "trace 'actual' runs back in time: 2019Q4 then 2020Q1" in problems


def test_an_axis_in_order_passes_and_so_do_bands():
    x = pd_like = PAST + FUTURE
    band = go.Scatter(x=x + x[::-1], y=[1, 2, 3, 4, 3, 2, 1, 0], fill="toself", name="band")
    fig = go.Figure([go.Scatter(x=PAST, y=[1, 2], name="actual"), band])
    fig.add_trace(go.Scatter(x=FUTURE, y=[3, 4], name="scenario"))
    fig.update_xaxes(type="category")
    assert time_axis_problems(spec(fig)) == []
    # the order can be given: then it is the order on screen, whatever the traces say
    fig = go.Figure([go.Scatter(x=FUTURE, y=[3, 4]), go.Scatter(x=pd_like, y=[1, 2, 3, 4])])
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=pd_like)
    assert time_axis_problems(spec(fig)) == []


def test_a_line_back_in_time_on_a_date_or_year_axis():
    dates = ["2020-03-31", "2019-12-31", "2020-06-30"]
    assert time_axis_problems(spec(go.Figure([go.Scatter(x=dates, y=[1, 2, 3], name="d")]))) == [
        "trace 'd' runs back in time: 2020-03-31 then 2019-12-31"
    ]
    years = go.Figure([go.Scatter(x=[2015, 2016, 2017], y=[1, 2, 3], name="y")])
    assert time_axis_problems(spec(years)) == []
    back = go.Figure([go.Scatter(x=[2015, 2017, 2016], y=[1, 2, 3], name="y")])
    assert time_axis_problems(spec(back)) == ["trace 'y' runs back in time: 2017 then 2016"]


def test_axes_that_are_not_time_are_left_alone():
    bars = go.Figure([go.Bar(x=["西安市", "宝鸡市"], y=[2, 1]), go.Bar(x=[5, 1], y=["a", "b"])])
    assert time_axis_problems(spec(bars)) == []
