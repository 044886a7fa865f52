"""A Streamlit session without a browser, for the load bench: it speaks Streamlit's websocket
protocol (the protobuf ``BackMsg``/``ForwardMsg`` of the installed Streamlit) the way the
frontend does, so one process can hold dozens of sessions while the replicas do all their real
work: each run of a page script, the sign-in (argon2), the figures and tables serialised and sent.

What it cannot measure is the browser's own drawing (JavaScript, plotly, the WebGL map): a page
counts as done when the server's run has ended and everything it drew has arrived. The load bench
therefore keeps some sessions in Chromium beside these and reports the two kinds apart.

    session = ProtocolSession("http://127.0.0.1:8080")
    await session.open()                       # the sign-in page, as a browser opens it
    await session.sign_in(name, password, heading)
    seconds = await session.visit("map", heading)
    await session.close()

Through nginx, the session first fetches the page like a browser (so it carries the sticky-route
cookie to the same replica) and sends an ``Origin`` the server accepts. A page that shows an
exception or an error box, or that does not show the heading asked for, raises ``PageError``.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import time
import urllib.request

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.TextInput_pb2 import TextInput
from websockets.asyncio.client import connect


class PageError(RuntimeError):
    """A page ended with an exception or an error box, or is not the page asked for."""


class Run:
    """What one script run sent: its texts, its widgets, the problems it showed."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.inputs: list[TextInput] = []
        self.submitters: list[str] = []
        self.problems: list[str] = []

    def add(self, element) -> None:
        kind = element.WhichOneof("type")
        if kind in ("heading", "markdown"):
            self.texts.append(getattr(element, kind).body.lstrip("#").strip())
        elif kind == "text_input":
            self.inputs.append(element.text_input)
        elif kind == "button" and element.button.is_form_submitter:
            self.submitters.append(element.button.id)
        elif kind == "exception":
            self.problems.append(f"{element.exception.type}: {element.exception.message}")
        elif kind == "alert" and element.alert.format == Alert.ERROR:
            self.problems.append(element.alert.body)

    def check(self, where: str, heading: str) -> None:
        if self.problems:
            raise PageError(f"/{where}: {self.problems[0].strip()[:200]}")
        if heading not in self.texts:
            raise PageError(f"/{where}: the heading {heading!r} was not shown")


def _route_cookie(base: str) -> str:
    """The cookies the first response sets (nginx's sticky route), as a ``Cookie`` header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + "/", timeout=60) as response:
        response.read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


class ProtocolSession:
    """One user's session over Streamlit's websocket, without a browser."""

    def __init__(self, base: str, timeout: float = 60.0) -> None:
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.pages: dict[str, str] = {}  # url path ("" for the default page) → script hash
        self._ws = None
        self.shown = Run()  # what the last run drew

    async def open(self) -> Run:
        """Connect and run the default page, as a browser opening the address does."""
        cookie = await asyncio.to_thread(_route_cookie, self.base)
        headers = {"Origin": self.base}
        if cookie:
            headers["Cookie"] = cookie
        self._ws = await connect(
            "ws" + self.base.removeprefix("http") + "/_stcore/stream",
            subprotocols=["streamlit"],
            additional_headers=headers,
            max_size=None,
            open_timeout=self.timeout,
        )
        self.shown = await self._run(None, {})
        return self.shown

    async def sign_in(self, name: str, password: str, heading: str) -> None:
        """Fill the sign-in form of the page just opened and submit it; the page that follows
        must show ``heading``."""
        form = self.shown
        plain = [w.id for w in form.inputs if w.type == TextInput.DEFAULT]
        secret = [w.id for w in form.inputs if w.type == TextInput.PASSWORD]
        if not (plain and secret and form.submitters):
            raise PageError("/: no sign-in form")
        values = {plain[0]: name, secret[0]: password, form.submitters[0]: True}
        self.shown = await self._run(None, values)
        self.shown.check("", heading)

    async def visit(self, path: str, heading: str) -> float:
        """Go to the page at ``path`` as the menu does; seconds until its run has ended and
        everything it drew has arrived."""
        if path not in self.pages:
            raise PageError(f"/{path}: not in this user's menu")
        t0 = time.perf_counter()
        self.shown = await self._run(self.pages[path], {})
        seconds = time.perf_counter() - t0
        self.shown.check(path, heading)
        return seconds

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()

    async def _run(self, page_hash: str | None, widgets: dict) -> Run:
        msg = BackMsg()
        state = msg.rerun_script
        state.context_info.timezone = "Asia/Shanghai"
        state.context_info.locale = "zh-CN"
        state.context_info.url = self.base + "/"
        if page_hash:
            state.page_script_hash = page_hash
        for wid, value in widgets.items():
            widget = state.widget_states.widgets.add(id=wid)
            if value is True:
                widget.trigger_value = True
            else:
                widget.string_value = value
        await self._ws.send(msg.SerializeToString())
        return await asyncio.wait_for(self._receive(), self.timeout)

    async def _receive(self) -> Run:
        run = Run()
        while True:
            reply = ForwardMsg()
            reply.ParseFromString(await self._ws.recv())
            kind = reply.WhichOneof("type")
            if kind == "navigation":
                self.pages = {
                    p.url_pathname: p.page_script_hash for p in reply.navigation.app_pages
                }
            elif kind == "delta" and reply.delta.WhichOneof("type") == "new_element":
                run.add(reply.delta.new_element)
            elif kind == "script_finished":
                if reply.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    run = Run()  # the script asked to run again: only the last run counts
                    continue
                if reply.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    run.problems.append("the page script did not compile")
                return run
