"""用户与审计 / Users and audit (admins): accounts, roles and assignments, lock-outs, and the
audit trail with filters and export."""

from datetime import UTC, datetime, time

import pandas as pd
import streamlit as st

import ui
from analytics.targets import set_target
from data.accounts.passwords import RULES
from data.accounts.policy import ROLE_NAMES, ROLES, PermissionDenied
from data.downloads import csv_bytes, xlsx_bytes
from data.i18n.formats import local_time
from data.i18n.messages import MESSAGES
from data.reference import periods
from data.reference.plan import departments as plan_departments
from data.reference.targets import TARGET_INDICATORS
from data.refusal import Refusal
from data.store import users as user_store
from data.store.audit import read_audit
from data.store.reminders import read_log
from geo.regions import PROVINCE_CODE

AUDIT_KINDS = (
    "submission", "file", "user", "task", "target", "target_set", "scenario", "store", "quarter",
    "reminder",
)  # fmt: skip
lang = ui.lang()
me = ui.user()
if not me.may("user_admin"):
    st.error(ui.tr("auth.no_permission"))
    st.stop()
st.title(ui.tr("page.admin"))
role_label = {r: ROLE_NAMES[r][0 if lang == "zh" else 1] for r in ROLES}
# regions a statistician may be assigned: the province, the ten cities, 杨凌示范区, any county
units = ui.scope_options()
reg = ui.registry()
units |= ui.scope_options(tuple(reg[reg.level == "county"].code))
dept_names = plan_departments().name_zh.tolist()
# a department as the page's language names it (the plan's Chinese name is the stored key)
dept_label = (
    dict(zip(plan_departments().name_zh, plan_departments().name_en, strict=True))
    if ui.lang() == "en"
    else {}
)


dept_choice = {d: dept_label.get(d, d) for d in dept_names}  # a multiselect's labels


def dept_text(name: str) -> str:
    return dept_label.get(name, name)


def _done(what: str) -> None:
    st.session_state["admin_done"] = ui.tr("admin.done", what=what)
    st.rerun()


def _attempt(fn, *args) -> bool:
    try:
        fn(*args)
    except (PermissionDenied, Refusal) as exc:
        st.error(exc.message(lang))
        return False
    return True


users_tab, targets_tab, audit_tab, remind_tab = st.tabs(
    [ui.tr("admin.users"), ui.tr("admin.targets"), ui.tr("admin.audit"), ui.tr("admin.reminders")]
)
with users_tab:
    if "admin_done" in st.session_state:
        st.success(st.session_state.pop("admin_done"))
    frame = user_store.list_users(ui.engine())

    def state(r) -> str:
        if r.disabled:
            return ui.tr("admin.state.disabled")
        if r.locked_until is not None and not pd.isna(r.locked_until):
            return ui.tr("admin.state.locked", until=f"{r.locked_until:%H:%M} UTC")
        if r.failed_attempts:  # wrong passwords since the last success (every address)
            return ui.tr("admin.state.failures", n=int(r.failed_attempts))
        return ui.tr("admin.state.active")

    shown = pd.DataFrame(
        {
            "name": [
                n + (ui.tr("admin.demo_user") if d else "")
                for n, d in zip(frame.name, frame.is_demo, strict=True)
            ],
            "roles": [ui.tr("list.enum").join(role_label[r] for r in rs) for rs in frame.roles],
            "regions": [
                ui.tr("list.enum").join(units[c] for c in rs if c in units) for rs in frame.regions
            ],
            "departments": [
                ui.tr("list.enum").join(map(dept_text, ds)) for ds in frame.departments
            ],
            "email": frame.email.tolist(),
            "state": [state(r) for r in frame.itertuples()],
        }
    )
    ui.table(
        st,
        shown.rename(columns={c: ui.tr(f"admin.col.{c}") for c in shown.columns}),
        hide_index=True,
        width="stretch",
    )

    with st.expander(ui.tr("admin.add"), icon=":material/person_add:"):
        with st.form("add_user", clear_on_submit=False, enter_to_submit=False):
            name = st.text_input(ui.tr("auth.name"), key="new_name")
            roles = st.multiselect(
                ui.tr("admin.roles"),
                ROLES,
                format_func=role_label.get,
                key="new_roles",
                placeholder=ui.tr("widget.choose"),
            )
            regions = st.multiselect(
                ui.tr("admin.regions"),
                list(units),
                format_func=units.get,
                key="new_regions",
                placeholder=ui.tr("widget.choose"),
            )
            depts = st.multiselect(
                ui.tr("admin.departments"),
                dept_names,
                key="new_depts",
                format_func=dept_choice.get,
                placeholder=ui.tr("widget.choose"),
            )
            password = st.text_input(
                ui.tr("admin.new_password"),
                type="password",
                key="new_password",
                autocomplete="new-password",
            )
            st.caption(RULES[lang])
            if st.form_submit_button(ui.tr("admin.create"), type="primary"):
                if _attempt(
                    user_store.add_user, ui.engine(), me, name, password, roles, regions, depts
                ):
                    _done(ui.tr("admin.created", name=name))

    if len(frame):
        pick = st.selectbox(
            ui.tr("admin.pick"),
            frame.name.tolist(),
            index=None,
            placeholder=ui.tr("admin.pick_placeholder"),
            key="admin_pick",
        )
        if pick is not None:
            row = frame.set_index("name").loc[pick]
            with st.form(f"edit_{pick}", enter_to_submit=False):
                roles = st.multiselect(
                    ui.tr("admin.roles"),
                    ROLES,
                    default=list(row.roles),
                    format_func=role_label.get,
                    placeholder=ui.tr("widget.choose"),
                )
                regions = st.multiselect(
                    ui.tr("admin.regions"),
                    list(units),
                    default=[c for c in row.regions if c in units],
                    format_func=units.get,
                    placeholder=ui.tr("widget.choose"),
                )
                depts = st.multiselect(
                    ui.tr("admin.departments"),
                    dept_names,
                    default=[d for d in row.departments if d in dept_names],
                    format_func=dept_choice.get,
                    placeholder=ui.tr("widget.choose"),
                )
                if st.form_submit_button(ui.tr("admin.save_roles")):
                    if _attempt(user_store.assign, ui.engine(), me, pick, roles, regions, depts):
                        _done(ui.tr("admin.saved", name=pick))
            with st.form(f"contact_{pick}", enter_to_submit=False):
                e1, e2 = st.columns([3, 1])
                address = e1.text_input(
                    ui.tr("admin.email"), value=row.email or "", key=f"email_{pick}"
                )
                mail_lang = e2.radio(
                    ui.tr("admin.mail_lang"),
                    ["zh", "en"],
                    index=["zh", "en"].index(row.lang or "zh"),
                    format_func={"zh": "中文", "en": "English"}.get,
                    horizontal=True,
                    key=f"mail_lang_{pick}",
                )
                if st.form_submit_button(ui.tr("admin.save_contact")):
                    if _attempt(
                        user_store.set_contact, ui.engine(), me, pick, address or None, mail_lang
                    ):
                        _done(ui.tr("admin.saved", name=pick))
            c1, c2, c3 = st.columns(3)
            if row.disabled:
                if c1.button(ui.tr("admin.enable"), key="enable"):
                    if _attempt(user_store.set_disabled, ui.engine(), me, pick, False):
                        _done(ui.tr("admin.enable") + " " + pick)
            elif c1.button(ui.tr("admin.disable"), key="disable", disabled=pick == me.name):
                if _attempt(user_store.set_disabled, ui.engine(), me, pick, True):
                    _done(ui.tr("admin.disable") + " " + pick)
            if c2.button(ui.tr("admin.unlock"), key="unlock"):
                if _attempt(user_store.unlock, ui.engine(), me, pick):
                    _done(ui.tr("admin.unlock") + " " + pick)
            with c3.popover(ui.tr("admin.set_password")):
                new = st.text_input(
                    ui.tr("admin.new_password"),
                    type="password",
                    key="reset_password",
                    autocomplete="new-password",
                )
                st.caption(RULES[lang])
                if st.button(ui.tr("admin.set_password"), key="reset_go"):
                    if _attempt(user_store.set_password, ui.engine(), me, pick, new):
                        _done(ui.tr("admin.set_password") + " " + pick)

with targets_tab:
    if "admin_target_done" in st.session_state:
        st.success(st.session_state.pop("admin_target_done"))
    st.caption(ui.tr("admin.targets_intro"))
    sets = ui.target_sets()
    ui.table(
        st,
        pd.DataFrame(
            {
                ui.tr("admin.tset.col.set"): [ui.target_set_label(n) for n in sets.name],
                ui.tr("admin.tset.col.horizon"): sets.horizon.fillna("—"),
                ui.tr("admin.tset.col.targets"): sets.targets,
                ui.tr("admin.tset.col.source"): sets.source,
            }
        ),
        hide_index=True,
        width="stretch",
    )
    held = ui.province_targets()
    ui.table(
        st,
        pd.DataFrame(
            {
                ui.tr("admin.tset.col.set"): held.set_name.map(ui.target_set_label),
                ui.tr("admin.tset.col.indicator"): held.indicator.map(
                    lambda i: ui.tr("proj.target_label." + i)
                ),
                ui.tr("admin.tset.col.value"): [
                    ui.fmt_target(v, u) for v, u in zip(held.value, held.unit, strict=True)
                ],
                ui.tr("admin.tset.col.period"): held.period,
                ui.tr("admin.tset.col.source"): held.source,
            }
        ),
        hide_index=True,
        width="stretch",
    )
    if me.may("target_set"):
        st.markdown(f"**{ui.tr('admin.tset.add')}**")
        NEW = "\u0000new"  # the "new set" choice (no set can be named so)
        t1, t2 = st.columns(2)
        chosen = t1.selectbox(
            ui.tr("admin.tset.set"),
            [*sets.name, NEW],
            format_func={
                **{n: ui.target_set_label(n) for n in sets.name},
                NEW: ui.tr("admin.tset.new"),
            }.get,
            key="tset_set",
        )
        new_name = new_source = None
        if chosen == NEW:
            new_name = t2.text_input(ui.tr("admin.tset.new_name"), key="tset_new_name")
            new_source = st.text_input(ui.tr("admin.tset.new_source"), key="tset_new_source")
        t3, t4, t5, t6 = st.columns(4)
        indicator = t3.selectbox(
            ui.tr("admin.tset.col.indicator"),
            list(TARGET_INDICATORS),
            format_func={i: ui.tr("proj.target_label." + i) for i in TARGET_INDICATORS}.get,
            key="tset_indicator",
        )
        persons = indicator == "settled_cumulative"
        amount = t4.number_input(
            ui.tr("admin.tset.value_persons" if persons else "admin.tset.value_rate"),
            min_value=0.0,
            max_value=None if persons else 100.0,
            value=None,
            step=10.0 if persons else 0.5,
            key="tset_value",
        )
        quarters = periods.quarter_range("2014Q1", "2040Q4")
        due = t5.selectbox(
            ui.tr("admin.tset.period"),
            quarters,
            index=quarters.index(periods.current_quarter()[:4] + "Q4"),
            key="tset_period",
        )
        baseline = t6.selectbox(
            ui.tr("admin.tset.baseline"),
            [None, *quarters],
            format_func={None: "—", **{q: q for q in quarters}}.get,
            key="tset_baseline",
            disabled=not persons,
        )
        source = st.text_input(ui.tr("admin.tset.source"), key="tset_source")
        clash = held[(held.indicator == indicator) & (held.period == due)]
        if len(clash):
            set_label = ui.target_set_label(clash.set_name.iloc[0])
            st.warning(ui.tr("admin.tset.replaces", set=set_label, period=due))
        if st.button(ui.tr("admin.tset.save"), type="primary", key="tset_save"):
            name = new_name if chosen == NEW else chosen
            if not (name or "").strip():
                st.error(ui.tr("admin.tset.need_name"))
            elif amount is None or amount <= 0:
                st.error(ui.tr("admin.tset.need_value"))
            elif _attempt(
                set_target,
                ui.engine(),
                indicator,
                PROVINCE_CODE,
                amount * 1e4 if persons else amount,
                due,
                baseline if persons else None,
                source,
                me,
                name,
                new_source,
            ):
                what = f"{ui.target_set_label(name.strip())} · {ui.tr('proj.target_label.' + indicator)} {due}"
                st.session_state["admin_target_done"] = ui.tr("admin.tset.saved", what=what)
                st.rerun()

with audit_tab:
    f1, f2, f3 = st.columns(3)
    since = f1.date_input(ui.tr("audit.since"), value=None, key="audit_since")
    who = f2.text_input(ui.tr("audit.user"), key="audit_user")
    actions = {
        a: ui.tr(f"audit.act.{a}")
        for a in (
            "ingest",
            "revise",
            "revert",
            "scenario_save",
            "task_update",
            "target_set",
            "target_set_add",
            "user_add",
            "user_assign",
            "user_password",
            "user_disable",
            "user_enable",
            "user_unlock",
            "signin_failed",
            "conflict",
            "restore",
            "init",
            "approve",
            "return",
            "resubmit",
            "unapprove",
            "release",
            "unrelease",
            "remind",
            "user_contact",
        )
    }
    action = f3.selectbox(
        ui.tr("audit.action"),
        [None, *actions],
        format_func={None: ui.tr("audit.all"), **actions}.get,
        key="audit_action",
    )
    when = datetime.combine(since, time.min, tzinfo=UTC) if since else None
    log = read_audit(ui.engine(), when, who.strip() or None, action)
    st.caption(ui.tr("audit.count", n=len(log)))

    def what(target: str) -> str:
        """The record's object in the page's language: its kind word translated, the rest
        (ids, names, codes) as recorded."""
        kind, _, rest = target.partition(" ")
        key = f"audit.kind.{kind}"
        parts = rest.split(" ")
        if kind == "quarter" and len(parts) == 2:  # "region period": the region's name
            rest = f"{names.get(parts[0], parts[0])} {parts[1]}"
        if kind == "reminder" and len(parts) == 2:  # "period stage": the stage in words
            rest = f"{parts[0]} {ui.tr('admin.stage.' + parts[1])}"
        if kind == "target" and len(parts) == 3:  # "indicator region period": their names
            indicator, region, period = parts
            label = f"proj.target_label.{indicator}"
            parts = [ui.tr(label) if label in MESSAGES else indicator, names.get(region, region)]
            rest = " ".join([*parts, period])
        return f"{ui.tr(key)} {rest}" if kind in AUDIT_KINDS else target

    names = {**dict(zip(reg.code, reg.name, strict=True)), **dept_label}
    table = pd.DataFrame(
        {
            "at": pd.to_datetime(log["at"]).dt.strftime("%Y-%m-%d %H:%M:%S"),
            "user": log["user"],
            "action": [actions.get(a, a) for a in log["action"]],
            "target": log["target"].fillna("").map(what),
            "before": [ui.audit_text(v, lang, names) for v in log["before"]],
            "after": [ui.audit_text(v, lang, names) for v in log["after"]],
            "detail": [ui.audit_text(v, lang, names) for v in log["detail"]],
        }
    )
    export = table.rename(columns={c: ui.tr(f"audit.col.{c}") for c in table.columns})
    ui.table(st, export, hide_index=True, width="stretch", height=420)
    d1, d2 = st.columns(2)
    d1.download_button(ui.tr("audit.download_csv"), csv_bytes(export), "audit.csv", "text/csv")
    d2.download_button(ui.tr("audit.download_xlsx"), xlsx_bytes(export), "audit.xlsx")

with remind_tab:
    st.caption(ui.tr("admin.reminders_intro"))
    log = read_log(ui.engine())
    if log.empty:
        st.caption(ui.tr("admin.reminders_none"))
    else:
        every = ui.registry().set_index("code").name.to_dict()
        shown = log.assign(
            at=[local_time(a) for a in log["at"]],
            region_code=log.region_code.map(every),
            stage=log.stage.map(lambda s: ui.tr(f"admin.stage.{s}")),
            recipients=[ui.tr("list.enum").join(r) for r in log.recipients],
            status=log.status.map(lambda s: ui.tr(f"admin.mail.{s}")),
        )
        ui.table(
            st,
            shown.rename(columns={c: ui.tr(f"admin.remind_col.{c}") for c in shown.columns}),
            hide_index=True,
            width="stretch",
            height=360,
        )
