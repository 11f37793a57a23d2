"""三员分立 (等保 2.0 level 3): the system administrator, the security officer and the audit officer
are three people, and what each may do in the admin is this matrix, nothing more.

- The system administrator keeps the platform's configuration and data: organisation, catalogue,
  licences, exchange, calendar, accounts and their business posts. They cannot read the audit.
- The security officer keeps access: who holds which post (the three separated roles included),
  unlocking accounts, which posts need a second factor, the seal keys and the rotations of the
  personal-data key. They change no business
  configuration and cannot read the audit.
- The audit officer reads the audit trail and changes nothing.

The matrix is the only source of admin permissions (accounts.backends asks it; Django's groups and
per-user permissions are not used). A Django superuser is for a developer's machine only: in
production it cannot log in (accounts.services.user_authenticate)."""

from tongban.accounts.models import Post

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
EVERY = frozenset({VIEW, ADD, CHANGE, DELETE})
READ = frozenset({VIEW})

# Role → {app label, or "app_label.model"} → the actions allowed. A model entry wins over its app's.
ROLE_POWERS: dict[str, dict[str, frozenset[str]]] = {
    Post.ADMIN: {
        "org": EVERY,
        "catalog": EVERY,
        "licences": EVERY,
        "licences.sealkey": frozenset(),
        "exchange": EVERY,
        "core.calendarday": EVERY,
        "core.calendaryear": EVERY,
        "accounts.user": EVERY,
        "accounts.staff": frozenset({VIEW, ADD, CHANGE}),  # the user page's inline: department, scope, posts
        "accounts.person": frozenset({VIEW, CHANGE}),
        "accounts.legalperson": frozenset({VIEW, CHANGE}),
        "accounts.mandate": READ,
        "accounts.post": READ,
    },
    Post.SECURITY: {
        "accounts.user": frozenset({VIEW, CHANGE}),
        "accounts.staff": frozenset({VIEW, CHANGE}),
        "accounts.post": frozenset({VIEW, CHANGE}),
        "licences.sealkey": frozenset({VIEW, CHANGE}),
        "core.fieldkeyrotation": READ,
    },
    Post.AUDIT: {
        "core.auditentry": READ,
    },
}
ROLE_NAMES = {Post.ADMIN: "系统管理员", Post.SECURITY: "安全管理员", Post.AUDIT: "审计管理员"}


def separated_role_of(post_codes) -> str | None:
    """The one separated role among these posts, or None; two or more are refused."""
    held = [code for code in Post.SEPARATED_ROLES if code in set(post_codes)]
    if len(held) > 1:
        names = "、".join(ROLE_NAMES[code] for code in held)
        raise ValueError(f"三员分立：同一人不能兼任{names}，请只保留其一。")
    return held[0] if held else None


def role_allows(role: str | None, app_label: str, model: str, action: str) -> bool:
    powers = ROLE_POWERS.get(role or "", {})
    allowed = powers.get(f"{app_label}.{model}", powers.get(app_label, frozenset()))
    return action in allowed


def role_allows_app(role: str | None, app_label: str) -> bool:
    """Whether the role sees the app in the admin at all (any model of it with any action)."""
    powers = ROLE_POWERS.get(role or "", {})
    return any(key.split(".")[0] == app_label and allowed for key, allowed in powers.items())


def posts_change_refusal(*, actor_role: str | None, actor_is_self: bool, before, after) -> str | None:
    """Why this actor may not change a staff member's posts from `before` to `after`, or None.
    The system administrator gives business posts; only the security officer gives or takes a
    separated role; nobody changes their own posts."""
    before, after = set(before), set(after)
    if before == after:
        return None
    if actor_is_self:
        return "不能修改自己的岗位，请由其他管理员办理。"
    try:
        separated_role_of(after)
    except ValueError as error:
        return str(error)
    roles_changed = (before ^ after) & set(Post.SEPARATED_ROLES)
    if roles_changed and actor_role != Post.SECURITY:
        return "三员分立：系统管理员、安全管理员、审计管理员岗位只能由安全管理员授予或收回。"
    if actor_role not in (Post.ADMIN, Post.SECURITY):
        return "只有系统管理员或安全管理员可以调整工作人员岗位。"
    return None
