"""数据上报 / Returns: template, multi-file upload with located findings, preview and commit,
submission history with revert, completeness. Uploading and reverting are for statisticians
(their regions only, checked again in the core); every signed-in user sees who has reported."""

import streamlit as st

import ui
from ui import actions
from ui.views import returns as view

lang = ui.lang()
me = ui.user()
submits = me.may("ingest")
st.title(ui.tr("returns.heading"))
st.caption(ui.tr("returns.intro"))
mine = view.scope_of(me) if submits else None

# ----------------------------------------------------------------------------- 1. template
st.subheader(ui.tr("returns.template"))
scopes = ui.scope_options(mine)
if mine is not None:
    st.caption(ui.tr("auth.scope", regions=ui.tr("list.enum").join(scopes.values())))
c1, c2, c3 = st.columns([1, 1, 2], vertical_alignment="bottom")
raw_period = c1.text_input(ui.tr("returns.period"), value=ui.next_period(), key="tpl_period")
scope = c2.selectbox(
    ui.tr("returns.scope"), options=list(scopes), format_func=scopes.get, key="scope"
)
period, bad_period = view.template_period(raw_period)
if period:
    c3.download_button(
        ui.tr("returns.download_template", period=period, scope=scopes[scope]),
        ui.template(period, scope),
        file_name=f"return_{period}_{scope}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
    )
else:
    c3.error(bad_period)

# ----------------------------------------------------------------------------- 2. upload
st.subheader(ui.tr("returns.upload"))
files = []
if submits:
    limit_mb = view.upload_limit_mb(st.get_option("server.maxUploadSize"))
    if lang == "zh":  # Streamlit's own drop-zone text is English only: ours, in the page's words
        st.html(view.upload_zone_style())
        st.caption(ui.tr("returns.uploader_hint", mb=limit_mb))
    files = st.file_uploader(
        ui.tr("returns.uploader_label"),
        type=["xlsx", "xlsm", "xls", "csv", "txt", "htm", "html"],
        accept_multiple_files=True,
        # the widget says (and enforces) urbdash's own limit, not the larger transport limit
        max_upload_size=limit_mb,
    )
else:
    st.info(ui.tr("auth.read_only", roles=ui.role_names(me)), icon=":material/visibility:")
# one report per uploaded file and user: the user's regions decide which rows are allowed,
# and the commit checks once more against what is stored at that moment
checks = st.session_state.setdefault("checks", {})
todo = [f for f in files or [] if (f.file_id, me.name) not in checks]
if todo:
    bar = st.progress(0.0)
    for i, f in enumerate(todo, 1):
        bar.progress(
            (i - 1) / len(todo),
            text=ui.tr("returns.checking", name=ui.md_escape(f.name), i=i, n=len(todo)),
        )
        content = f.getvalue()
        checks[(f.file_id, me.name)] = (
            f.name,
            content,
            actions.check_return(content, f.name, me),
        )
    bar.empty()


# each file's marked copy, made once per file and language and kept for the session: not on
# every run of the page, and never deferred to the click (a page that refreshes itself while
# a result is computed would drop a deferred file between the click and its download)
marked = st.session_state.setdefault("marked_copies", {})


def marked_copy(key: str, content: bytes, problems: list) -> bytes:
    if (lang, len(problems)) != marked.get(key, (None, None, None))[:2]:
        marked[key] = (lang, len(problems), ui.annotated_copy(content, problems, lang))
    return marked[key][2]


def show_report(key: str, check_key: tuple, name: str, content: bytes, report) -> None:
    box = st.container(border=True)
    box.markdown(f"**{ui.md_escape(name)}**")
    status = report.status
    box_kind, headline, icon = view.headline(report)
    getattr(box, box_kind)(headline, icon=icon)
    if status in ("duplicate", "conflict"):  # nothing more to say of it: the stored one stands
        return
    box.caption(view.summary(report))
    problems = report.errors + report.warnings
    if problems:
        box.markdown(
            ui.tr("returns.problems", errors=len(report.errors), warnings=len(report.warnings))
        )
        kinds = view.finding_kinds()
        shown = box.pills(
            ui.tr("returns.filter"),
            options=list(kinds),
            format_func=kinds.get,
            selection_mode="multi",
            default=list(kinds),
            key=f"filter_{key}",
        )
        table, labels = view.findings(problems, shown)
        ui.table(
            box,
            table,
            hide_index=True,
            width="stretch",
            column_config=labels,
            column_order=view.FINDING_COLUMNS,
            row_height=72,  # long messages wrap (the grid wraps only in rows above 64 px)
        )
        box.download_button(
            ui.tr("returns.annotated"),
            marked_copy(key, content, problems),
            file_name=f"checked_{name.rsplit('.', 1)[0]}.xlsx",
            key=f"ann_{key}",
            icon=":material/download:",
        )
    if status not in ("checked", "needs_confirmation", "revision_refused"):
        return
    replace = accept = True
    if len(report.changes):
        box.markdown(ui.tr("returns.changes"))
        ui.table(
            box,
            view.changes_table(report.changes, ui.registry()),
            hide_index=True,
            width="stretch",
        )
        replace = box.checkbox(
            ui.tr("returns.confirm_replace", n=len(report.changes)), key=f"rep_{key}"
        )
    if report.warnings:
        accept = box.checkbox(
            ui.tr("returns.confirm_warnings", n=len(report.warnings)), key=f"acc_{key}"
        )
    if box.button(
        ui.tr("returns.commit"),
        key=f"commit_{key}",
        type="primary",
        disabled=not (replace and accept),
        icon=":material/save:",
    ):
        # checked again against what is stored now: another upload may have landed since
        fresh, stored = actions.commit_return(report, content, name, me, replace, accept)
        if not stored:
            st.session_state["stale"] = name
        checks[check_key] = (name, content, fresh)
        marked.pop(key, None)  # the new report's findings are marked anew
        st.rerun()


if st.session_state.get("stale"):
    st.warning(ui.tr("returns.stale", name=ui.md_escape(st.session_state.pop("stale"))))
for f in files or []:
    show_report(f.file_id, (f.file_id, me.name), *checks[(f.file_id, me.name)])

# ----------------------------------------------------------------------------- 3. history
st.subheader(ui.tr("returns.history"))
subs = ui.submissions()
if subs.empty:
    st.caption(ui.tr("returns.no_submissions"))
else:
    shown, columns = view.submissions_table(subs)
    ui.table(st, shown, hide_index=True, width="stretch", height=240, column_config=columns)
    if "reverted" in st.session_state:
        st.success(st.session_state.pop("reverted"))
    committed = subs[subs.status == "committed"].set_index("id")
    if submits:
        h1, h2 = st.columns([1, 3], vertical_alignment="bottom")
        target = h1.selectbox(
            ui.tr("returns.revert_id"),
            committed.index.tolist(),
            index=None,  # nothing chosen until the statistician picks one
            placeholder=ui.tr("returns.revert_pick"),
            format_func=view.revert_choices(committed).get,
            key="revert_id",
        )
        if target is not None:
            row = committed.loc[target]
            h2.warning(
                ui.tr(
                    "returns.revert_what",
                    id=target,
                    file=ui.md_escape(row.filename),
                    by=ui.md_escape(row.uploaded_by),
                    values=int(row.current_values),
                )
            )
            sure = st.checkbox(
                ui.tr("returns.revert_confirm", id=target), key=f"revert_ok_{target}"
            )
            if st.button(ui.tr("returns.revert"), disabled=not sure, icon=":material/undo:"):
                done, st.session_state["reverted"] = actions.revert_return(int(target), me)
                if done:
                    st.session_state.pop("revert_id", None)
                st.rerun()

# ----------------------------------------------------------------------------- 4. completeness
st.subheader(ui.tr("returns.completeness"))
groups = {None: "returns.group.any", "settlement": "returns.group.settlement"}
groups |= {"flows": "returns.group.flows", "stocks": "returns.group.stocks"}
group_labels = {g: ui.tr(k) for g, k in groups.items()}
group = st.radio(
    ui.tr("returns.group"),
    options=list(groups),
    format_func=group_labels.get,
    horizontal=True,
    key="completeness_group",
)
comp = ui.completeness(group)
if comp.period:
    data = comp.as_dict()
    st.metric(
        ui.tr(
            "returns.completeness_summary",
            period=comp.period,
            reported=data["reported"],
            expected=data["expected"],
        ),
        f"{data['reported']}/{data['expected']}",
    )
    if len(comp.missing):
        st.warning(
            ui.tr("returns.missing_by_city", period=comp.period) + "  \n" + view.missing_lines(comp)
        )
    else:
        st.success(ui.tr("returns.all_reported", period=comp.period))
    by_city, per_indicator = view.completeness_tables(comp)
    left, right = st.columns(2)
    ui.table(left, by_city, room_px=ui.MAIN_PX / 2, hide_index=True)
    ui.table(right, per_indicator, room_px=ui.MAIN_PX / 2, hide_index=True)
    st.caption(ui.tr("returns.matrix"))
    ui.table(st, ui.completeness_matrix(group), width="stretch", height=320)

# the newest quarter's totals while counties are still missing: reported + estimated
st.subheader(ui.tr("nowcast.heading"))
now = ui.nowcast()
if now is not None:
    p = now.province
    fmt = view.persons
    share = f"{ui.nowcast_min_share():.0%}"
    cities = now.units[now.units.code != p.name]
    if p.counties_reported == p.counties_expected:
        st.success(ui.tr("nowcast.all_in", period=now.period, total=fmt(p.total)))
    elif not p.enough:
        st.warning(
            ui.tr(
                "nowcast.too_few",
                period=now.period,
                reported=int(p.counties_reported),
                expected=int(p.counties_expected),
                cities=int((cities.counties_reported > 0).sum()),
                units=len(cities),
                share=share,
                total=fmt(p.reported),
            )
        )
        st.caption(ui.tr("nowcast.too_few_why", share=share))
    else:
        st.metric(
            ui.tr(
                "nowcast.metric",
                period=now.period,
                reported=int(p.counties_reported),
                expected=int(p.counties_expected),
            ),
            fmt(p.total),
        )
        st.markdown(
            ui.tr(
                "nowcast.summary",
                reported=fmt(p.reported),
                estimated=fmt(p.estimated),
                lower=fmt(p.lower),
                upper=fmt(p.upper),
            )
        )
        names = ui.scope_options()  # the cities and 杨凌示范区 in the page's language
        st.plotly_chart(
            view.nowcast_chart(now.units, names),
            width="stretch",
            config={"displaylogo": False},
        )
        units = now.units[now.units.counties_reported < now.units.counties_expected]
        ui.table(st, view.nowcast_table(now.units, names), hide_index=True, width="stretch")
        if not units.enough.all():
            st.caption(ui.tr("nowcast.city_too_few", share=share))
    unusual = ui.confirmed_unusual(now.period)
    if unusual:  # a confirmed outlier is in the total as sent: say which
        names = ui.registry().set_index("code").name
        st.warning(
            ui.tr(
                "nowcast.unusual",
                period=now.period,
                counties=ui.tr("list.enum").join(names.get(c, c) for c in unusual),
            ),
            icon=":material/flag:",
        )
    st.caption(ui.tr("nowcast.method"))
    # the backtest over every complete quarter (the results worker's), its table on request
    show = st.toggle(ui.tr("nowcast.show_backtest"), key="nowcast_backtest")
    scores = ui.nowcast_backtest() if show else None
    if scores is not None and len(scores):
        st.markdown(f"**{ui.tr('nowcast.backtest')}**")
        ui.table(st, view.backtest_table(scores), hide_index=True, width="stretch")
        narrow = view.narrow_line(scores)
        if narrow:  # the interval's honesty, said plainly
            st.warning(narrow)
