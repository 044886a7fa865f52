"""The security headers every response carries, and the endpoints closed to the outside, in
one place: ``urbdash serve`` sends them itself (a replica, or the single server of ``make
run``), and ``deploy.local`` writes the same into nginx's site.

Streamlit (1.67, Starlette under uvicorn) sends none of these headers and serves
``/_stcore/metrics`` (its caches and sessions, Prometheus text) to anyone. ``Guard`` is an ASGI
middleware put first in Streamlit's stack by ``install``: it answers a closed path with 404 and
adds the headers to every other HTTP response (websockets pass untouched). ``/_stcore/host-
config`` stays open: the page fetches it before anyone can sign in, and it says only what the
browser client needs (allowed origins, upload limits)."""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from pathlib import Path

CLOSED_PATHS = ("/_stcore/metrics",)


def streamlit_static() -> Path:
    """The installed Streamlit's folder of content-hashed assets (served as /static/)."""
    import streamlit

    return Path(streamlit.__file__).parent / "static" / "static"


def script_hashes() -> str:
    """CSP sources for the inline scripts of the installed Streamlit's index.html (its one
    ``window.prerenderReady = false``), so the policy needs no 'unsafe-inline' for scripts."""
    html = (streamlit_static().parent / "index.html").read_text(encoding="utf-8")
    inline = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    return " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in inline
    )


@lru_cache(maxsize=1)
def headers() -> dict[str, str]:
    """The policy was checked page by page in Chromium (tests/e2e/test_deploy.py counts CSP
    violations): Streamlit's styles are inline (emotion), the map draws in a blob: worker,
    charts and tiles are data:/blob: images, the app talks over its own websocket, and the
    overview compiles WebAssembly ('wasm-unsafe-eval' allows that, never JS eval)."""
    csp = (
        f"default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {script_hashes()}; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
        "connect-src 'self'; worker-src 'self' blob:; child-src 'self' blob:; frame-src 'self'; "
        "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'"
    )
    return {
        "Content-Security-Policy": csp,
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "X-Content-Type-Options": "nosniff",
    }


def _is_closed(path: str) -> bool:
    path = "/" + path.strip("/")
    return any(path == p or path.endswith(p) for p in CLOSED_PATHS)  # also under a base URL


class Guard:
    """ASGI middleware: 404 for ``CLOSED_PATHS``, ``headers()`` on every HTTP response."""

    def __init__(self, app):
        self.app = app
        self.extra = [(k.lower().encode(), v.encode()) for k, v in headers().items()]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _is_closed(scope.get("path", "")):
            start = {"type": "http.response.start", "status": 404}
            start["headers"] = [(b"content-type", b"text/plain; charset=utf-8"), *self.extra]
            await send(start)
            await send({"type": "http.response.body", "body": b"Not Found"})
            return

        async def with_headers(message):
            if message["type"] == "http.response.start":
                own = list(message.get("headers", []))
                names = {k.lower() for k, _ in own}
                own += [(k, v) for k, v in self.extra if k not in names]
                message = {**message, "headers": own}
            await send(message)

        await self.app(scope, receive, with_headers)


def install() -> None:
    """Put ``Guard`` first in the middleware stack of the Streamlit server this process is
    about to start (Streamlit builds its app from ``create_streamlit_middleware``)."""
    from starlette.middleware import Middleware
    from streamlit.web.server.starlette import starlette_app

    made = starlette_app.create_streamlit_middleware
    if getattr(made, "urbdash_guard", False):
        return

    def with_guard():
        return [Middleware(Guard), *made()]

    with_guard.urbdash_guard = True
    starlette_app.create_streamlit_middleware = with_guard
