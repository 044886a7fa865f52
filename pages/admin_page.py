"""用户与审计 / Users and audit (admins): accounts, roles and assignments, lock-outs, and the
audit trail with filters and export."""

import streamlit as st

import ui
from ui import actions
from ui.views import admin as view

me = ui.user()
if not me.may("user_admin"):
    st.error(ui.tr("auth.no_permission"))
    st.stop()
st.title(ui.tr("page.admin"))
role_label = view.roles()
reg = ui.registry()
units = view.assignable_regions(reg)
dept_choice = view.department_names()  # a multiselect's labels
dept_names = list(dept_choice)


def _done(what: str) -> None:
    st.session_state["admin_done"] = ui.tr("admin.done", what=what)
    st.rerun()


def _attempt(step: str, *args) -> bool:
    """One change to the accounts, as the signed-in admin; its refusal shown."""
    refused = actions.account(step, me, *args)
    if refused:
        st.error(refused)
    return refused is None


users_tab, targets_tab, audit_tab, remind_tab = st.tabs(
    [ui.tr("admin.users"), ui.tr("admin.targets"), ui.tr("admin.audit"), ui.tr("admin.reminders")]
)
with users_tab:
    if "admin_done" in st.session_state:
        st.success(st.session_state.pop("admin_done"))
    frame = ui.users()
    ui.table(st, view.users_table(frame, units), hide_index=True, width="stretch")

    with st.expander(ui.tr("admin.add"), icon=":material/person_add:"):
        with st.form("add_user", clear_on_submit=False, enter_to_submit=False):
            name = st.text_input(ui.tr("auth.name"), key="new_name")
            roles = st.multiselect(
                ui.tr("admin.roles"),
                list(role_label),
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
            st.caption(view.password_rules())
            if st.form_submit_button(ui.tr("admin.create"), type="primary"):
                if _attempt("add", name, password, roles, regions, depts):
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
                    list(role_label),
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
                    if _attempt("assign", pick, roles, regions, depts):
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
                    if _attempt("set_contact", pick, address or None, mail_lang):
                        _done(ui.tr("admin.saved", name=pick))
            c1, c2, c3 = st.columns(3)
            if row.disabled:
                if c1.button(ui.tr("admin.enable"), key="enable"):
                    if _attempt("set_disabled", pick, False):
                        _done(ui.tr("admin.enable") + " " + pick)
            elif c1.button(ui.tr("admin.disable"), key="disable", disabled=pick == me.name):
                if _attempt("set_disabled", pick, True):
                    _done(ui.tr("admin.disable") + " " + pick)
            if c2.button(ui.tr("admin.unlock"), key="unlock"):
                if _attempt("unlock", pick):
                    _done(ui.tr("admin.unlock") + " " + pick)
            with c3.popover(ui.tr("admin.set_password")):
                new = st.text_input(
                    ui.tr("admin.new_password"),
                    type="password",
                    key="reset_password",
                    autocomplete="new-password",
                )
                st.caption(view.password_rules())
                if st.button(ui.tr("admin.set_password"), key="reset_go"):
                    if _attempt("set_password", pick, new):
                        _done(ui.tr("admin.set_password") + " " + pick)

with targets_tab:
    if "admin_target_done" in st.session_state:
        st.success(st.session_state.pop("admin_target_done"))
    st.caption(ui.tr("admin.targets_intro"))
    sets = ui.target_sets()
    ui.table(st, view.target_sets_table(sets), hide_index=True, width="stretch")
    held = ui.province_targets()
    ui.table(st, view.targets_table(held), hide_index=True, width="stretch")
    if me.may("target_set"):
        st.markdown(f"**{ui.tr('admin.tset.add')}**")
        NEW = view.NEW_SET
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
        indicators = view.target_indicators()
        indicator = t3.selectbox(
            ui.tr("admin.tset.col.indicator"),
            list(indicators),
            format_func=indicators.get,
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
        quarters, first = view.target_quarters()
        due = t5.selectbox(
            ui.tr("admin.tset.period"),
            quarters,
            index=first,
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
            elif refused := actions.set_target(
                indicator,
                ui.PROVINCE_CODE,
                amount * 1e4 if persons else amount,
                due,
                baseline if persons else None,
                source,
                me,
                name,
                new_source,
            ):
                st.error(refused)
            else:
                what = f"{ui.target_set_label(name.strip())} · {ui.tr('proj.target_label.' + indicator)} {due}"
                st.session_state["admin_target_done"] = ui.tr("admin.tset.saved", what=what)
                st.rerun()

with audit_tab:
    f1, f2, f3 = st.columns(3)
    since = f1.date_input(ui.tr("audit.since"), value=None, key="audit_since")
    who = f2.text_input(ui.tr("audit.user"), key="audit_user")
    kinds = view.audit_actions()
    action = f3.selectbox(
        ui.tr("audit.action"),
        [None, *kinds],
        format_func={None: ui.tr("audit.all"), **kinds}.get,
        key="audit_action",
    )
    log = ui.audit(view.audit_since(since), who.strip() or None, action)
    st.caption(ui.tr("audit.count", n=len(log)))
    export = view.audit_table(log, reg)
    ui.table(st, export, hide_index=True, width="stretch", height=420)
    d1, d2 = st.columns(2)
    # the files are made when a button is pressed, not on every run of the page
    d1.download_button(
        ui.tr("audit.download_csv"), lambda: ui.to_csv(export), "audit.csv", "text/csv"
    )
    d2.download_button(ui.tr("audit.download_xlsx"), lambda: ui.to_xlsx(export), "audit.xlsx")

with remind_tab:
    st.caption(ui.tr("admin.reminders_intro"))
    log = ui.reminder_log()
    if log.empty:
        st.caption(ui.tr("admin.reminders_none"))
    else:
        ui.table(
            st,
            view.reminders_table(log, reg),
            hide_index=True,
            width="stretch",
            height=360,
        )
