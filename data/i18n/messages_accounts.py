"""Messages of sign-in, accounts and the audit trail; merged into ``messages.MESSAGES``."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "auth.heading": {"zh": "登录", "en": "Sign in"},
    "app.database_down": {
        "zh": "数据库暂时无法连接（可能正在重启）。请稍后刷新页面，恢复后无需重新启动本平台。"
        "刚才的提交若未显示“已入库”，则没有写入，请重新提交。",
        "en": "The database cannot be reached right now (it may be restarting). Refresh in a "
        "moment: the app recovers by itself. A submission that did not say 'Stored' was not "
        "written; submit it again.",
    },
    "returns.status.conflict": {
        "zh": "未入库：检查之后，另一份上报修改了本文件比对的数据。文件已保留（第 {id} 号），"
        "请重新上传以再次检查。",
        "en": "Not stored: another upload changed the values this file was checked against. "
        "The file is kept (submission {id}); upload it again to check it anew.",
    },
    "returns.sub_status.conflict": {"zh": "冲突未入库", "en": "conflict, not stored"},
    "auth.intro": {
        "zh": "陕西省城镇化与户籍制度改革监测平台。请使用您的账户登录。",
        "en": "Shaanxi urbanization and hukou reform monitor. Sign in with your account.",
    },
    "auth.name": {"zh": "用户名", "en": "User name"},
    "auth.password": {"zh": "密码", "en": "Password"},
    "auth.submit": {"zh": "登录", "en": "Sign in"},
    "auth.sso": {"zh": "使用单位统一身份登录", "en": "Sign in with your organisation"},
    "auth.sso_unmapped": {
        "zh": "统一身份 {subject} 尚未对应本平台账户，请联系管理员。",
        "en": "The identity {subject} has no account here yet: ask an administrator.",
    },
    "auth.demo": {
        "zh": "这是演示版（示例数据）。每种角色各有一个示例账户，用户名和随机密码在服务器的 {path} 中"
        "（首次运行时也已打印在控制台）。",
        "en": "This is a demo (generated data). There is one demo account per role; names and "
        "random passwords are in {path} on the server (also printed on the console at first run).",
    },
    "auth.no_admin": {
        "zh": "尚无管理员账户。请在服务器上运行：urbdash user add 用户名 --role admin --password-stdin",
        "en": "There is no administrator yet. On the server, run: "
        "urbdash user add NAME --role admin --password-stdin",
    },
    "auth.idle": {
        "zh": "您已闲置超过 {minutes} 分钟，已自动退出，请重新登录。",
        "en": "You were signed out after {minutes} minutes without activity. Sign in again.",
    },
    "auth.expired": {
        "zh": "登录已超过 {hours} 小时，已自动退出，请重新登录。",
        "en": "You were signed out {hours} hours after signing in. Sign in again.",
    },
    "auth.gone": {
        "zh": "您的账户已停用或已删除，已退出登录。",
        "en": "Your account was disabled or removed: you are signed out.",
    },
    "auth.signed_in_as": {"zh": "已登录：{name}（{roles}）", "en": "Signed in: {name} ({roles})"},
    "auth.sign_out": {"zh": "退出登录", "en": "Sign out"},
    "auth.no_permission": {
        "zh": "您的角色无权查看此页。",
        "en": "Your roles do not give access to this page.",
    },
    "auth.read_only": {
        "zh": "您的角色（{roles}）可查看上报情况；上报与撤销由各市县统计人员完成。",
        "en": "Your roles ({roles}) can see the reporting state; statisticians of the cities "
        "and counties submit and revert returns.",
    },
    "auth.scope": {
        "zh": "您可上报的地区：{regions}",
        "en": "You may submit returns for: {regions}",
    },
    "page.admin": {"zh": "用户与审计", "en": "Users and audit"},
    "nav.admin": {"zh": "管理", "en": "Administration"},
    "admin.users": {"zh": "用户", "en": "Users"},
    "admin.audit": {"zh": "审计日志", "en": "Audit trail"},
    "admin.add": {"zh": "新建用户", "en": "Add a user"},
    "admin.roles": {"zh": "角色", "en": "Roles"},
    "admin.regions": {"zh": "填报地区（统计人员）", "en": "Regions (statisticians)"},
    "admin.departments": {"zh": "部门（责任部门用户）", "en": "Departments (department users)"},
    "admin.create": {"zh": "创建", "en": "Create"},
    "admin.created": {"zh": "已创建用户 {name}", "en": "User {name} created"},
    "admin.pick": {"zh": "选择用户", "en": "Choose a user"},
    "admin.pick_placeholder": {"zh": "选择要修改的用户…", "en": "Choose the user to change…"},
    "admin.save_roles": {"zh": "保存角色与分配", "en": "Save roles and assignments"},
    "admin.saved": {"zh": "已保存 {name}", "en": "{name} saved"},
    "admin.disable": {"zh": "停用", "en": "Disable"},
    "admin.enable": {"zh": "启用", "en": "Enable"},
    "admin.unlock": {"zh": "解锁", "en": "Unlock"},
    "admin.new_password": {"zh": "新密码", "en": "New password"},
    "admin.set_password": {"zh": "重设密码", "en": "Set password"},
    "admin.done": {"zh": "已完成：{what}", "en": "Done: {what}"},
    "admin.col.name": {"zh": "用户名", "en": "User"},
    "admin.col.roles": {"zh": "角色", "en": "Roles"},
    "admin.col.regions": {"zh": "地区", "en": "Regions"},
    "admin.col.departments": {"zh": "部门", "en": "Departments"},
    "admin.col.state": {"zh": "状态", "en": "State"},
    "admin.col.created_at": {"zh": "创建时间", "en": "Created"},
    "admin.state.active": {"zh": "正常", "en": "active"},
    "admin.state.disabled": {"zh": "已停用", "en": "disabled"},
    "admin.state.locked": {"zh": "已锁定至 {until}", "en": "locked until {until}"},
    "admin.demo_user": {"zh": "（示例账户）", "en": " (demo account)"},
    "audit.since": {"zh": "起始日期", "en": "From date"},
    "audit.kind.submission": {"zh": "上报", "en": "submission"},
    "audit.kind.file": {"zh": "文件", "en": "file"},
    "audit.kind.user": {"zh": "用户", "en": "user"},
    "audit.kind.task": {"zh": "任务", "en": "task"},
    "audit.kind.target": {"zh": "目标", "en": "target"},
    "audit.kind.scenario": {"zh": "情景", "en": "scenario"},
    "audit.kind.store": {"zh": "数据库", "en": "store"},
    "audit.act.restore": {"zh": "恢复备份", "en": "restore"},
    "audit.act.conflict": {"zh": "冲突未入库", "en": "conflict, not stored"},
    "audit.user": {"zh": "用户", "en": "User"},
    "audit.action": {"zh": "操作", "en": "Action"},
    "audit.all": {"zh": "全部", "en": "All"},
    "audit.count": {"zh": "共 {n} 条记录", "en": "{n} records"},
    "audit.download_csv": {"zh": "导出 CSV", "en": "Export CSV"},
    "audit.download_xlsx": {"zh": "导出 Excel", "en": "Export Excel"},
    "audit.col.at": {"zh": "时间（UTC）", "en": "Time (UTC)"},
    "audit.col.user": {"zh": "用户", "en": "User"},
    "audit.col.action": {"zh": "操作", "en": "Action"},
    "audit.col.target": {"zh": "对象", "en": "What"},
    "audit.col.before": {"zh": "修改前", "en": "Before"},
    "audit.col.after": {"zh": "修改后", "en": "After"},
    "audit.col.detail": {"zh": "详情", "en": "Detail"},
    "audit.act.init": {"zh": "初始化", "en": "initialise"},
    "audit.act.ingest": {"zh": "上报", "en": "submit"},
    "audit.act.revise": {"zh": "修订", "en": "revise"},
    "audit.act.revert": {"zh": "撤销", "en": "revert"},
    "audit.act.scenario_save": {"zh": "保存情景", "en": "save scenario"},
    "audit.act.task_update": {"zh": "任务进展", "en": "task update"},
    "audit.act.target_set": {"zh": "设定目标", "en": "set target"},
    "audit.act.user_add": {"zh": "新建用户", "en": "add user"},
    "audit.act.user_assign": {"zh": "修改用户", "en": "change user"},
    "audit.act.user_password": {"zh": "修改密码", "en": "change password"},
    "audit.act.user_disable": {"zh": "停用用户", "en": "disable user"},
    "audit.act.user_enable": {"zh": "启用用户", "en": "enable user"},
    "audit.act.user_unlock": {"zh": "解锁用户", "en": "unlock user"},
    "audit.act.signin_failed": {"zh": "登录失败", "en": "sign-in failed"},
}
