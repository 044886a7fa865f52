"""The load bench's sessions without a browser (bench/protocol.py): what counts as a page drawn
with a problem, and which sessions of a run go to Chromium (bench/load.py). The sessions
themselves are driven through nginx in tests/e2e/test_deploy.py."""

from __future__ import annotations

import pytest
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.TextInput_pb2 import TextInput

from bench.load import browser_indices
from bench.protocol import PageError, Run


def _run(*elements: Element) -> Run:
    run = Run()
    for element in elements:
        run.add(element)
    return run


def _markdown(body: str) -> Element:
    element = Element()
    element.markdown.body = body
    return element


def test_a_page_with_its_heading_and_no_problem_passes():
    title = Element()
    title.heading.body = "数据上报"
    run = _run(_markdown("### 落户进展地图"), title, _markdown("说明"))
    run.check("map", "落户进展地图")
    run.check("returns", "数据上报")
    assert run.texts == ["落户进展地图", "数据上报", "说明"]


def test_a_page_without_the_heading_asked_for_is_an_error():
    with pytest.raises(PageError) as err:
        _run(_markdown("### 趋势")).check("map", "落户进展地图")
    assert str(err.value) == "/map: the heading '落户进展地图' was not shown"


def test_an_exception_on_the_page_is_an_error_even_with_the_heading():
    crash = Element()
    crash.exception.type = "KeyError"
    crash.exception.message = "'settled_total'"
    with pytest.raises(PageError) as err:
        _run(_markdown("### 落户进展地图"), crash).check("map", "落户进展地图")
    assert str(err.value) == "/map: KeyError: 'settled_total'"


@pytest.mark.parametrize(
    ("fmt", "is_error"), [(Alert.ERROR, True), (Alert.WARNING, False), (Alert.INFO, False)]
)
def test_only_an_error_box_is_an_error(fmt, is_error):
    box = Element()
    box.alert.format = fmt
    box.alert.body = "用户名或密码错误"
    run = _run(_markdown("# 登录"), box)
    if is_error:
        with pytest.raises(PageError) as err:
            run.check("", "登录")
        assert str(err.value) == "/: 用户名或密码错误"
    else:
        run.check("", "登录")


def test_the_form_inputs_and_its_submit_button_are_found():
    name, secret, submit, other = Element(), Element(), Element(), Element()
    name.text_input.id, name.text_input.type = "name-id", TextInput.DEFAULT
    secret.text_input.id, secret.text_input.type = "secret-id", TextInput.PASSWORD
    submit.button.id, submit.button.is_form_submitter = "submit-id", True
    other.button.id = "plain-button"
    run = _run(name, secret, other, submit)
    assert [(w.id, w.type) for w in run.inputs] == [
        ("name-id", TextInput.DEFAULT),
        ("secret-id", TextInput.PASSWORD),
    ]
    assert run.submitters == ["submit-id"]


@pytest.mark.parametrize(
    ("sessions", "browsers", "chosen"),
    [
        (30, 5, {0, 6, 12, 18, 24}),
        (30, 30, set(range(30))),
        (7, 3, {0, 2, 4}),
        (5, 0, set()),
        (2, 5, {0, 1}),
    ],
)
def test_browsers_are_spread_over_the_arrivals(sessions, browsers, chosen):
    assert browser_indices(sessions, browsers) == chosen
