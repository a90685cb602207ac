"""The main navigation: every planned page, shown when it exists and the role may see it."""

from __future__ import annotations

from dataclasses import dataclass

from cxsteward.domain.access import Permission
from cxsteward.services.accounts.users import UserOut


@dataclass(frozen=True)
class NavItem:
    """One link of the header; visible with any of ``permissions``."""

    label: str
    path: str
    permissions: tuple[Permission, ...]

    def visible_to(self, user: UserOut) -> bool:
        return any(user.can(p) for p in self.permissions)

    def current(self, path: str) -> bool:
        """Whether the page at ``path`` belongs to this section."""
        if self.path == "/":
            return path == "/"
        return path == self.path or path.startswith(self.path.rstrip("/") + "/")


# A page appears in the header once a GET route with its path exists (see create_app), so
# each section shows up the moment it is built, in this order.
NAV: tuple[NavItem, ...] = (
    NavItem("Overview", "/", (Permission.OVERVIEW_VIEW,)),
    NavItem("Assessment", "/assessment", (Permission.ASSESSMENT_VIEW_REPORT,)),
    NavItem("Registry", "/registry", (Permission.REGISTRY_VIEW,)),
    NavItem("Monitoring", "/monitoring", (Permission.MONITORING_VIEW,)),
    NavItem("Adoption", "/adoption", (Permission.ADOPTION_VIEW,)),
    NavItem("Incidents", "/incidents", (Permission.INCIDENT_VIEW,)),
    NavItem("Feedback", "/feedback", (Permission.FEEDBACK_SUBMIT, Permission.FEEDBACK_VIEW)),
    NavItem("Reviews", "/reviews", (Permission.REVIEW_QUEUE,)),
    NavItem("Training", "/training", (Permission.TRAINING_VIEW,)),
    NavItem("Consent", "/consent", (Permission.CONSENT_VIEW,)),
    NavItem("Committee pack", "/pack", (Permission.PACK_VIEW,)),
    NavItem("Crosswalk", "/crosswalk", (Permission.CROSSWALK_VIEW,)),
    NavItem("Users", "/admin/users", (Permission.USERS_MANAGE,)),
    NavItem("API tokens", "/admin/tokens", (Permission.TOKENS_MANAGE,)),
)


def nav_for(items: tuple[NavItem, ...], user: UserOut | None) -> list[NavItem]:
    """The items ``user`` may see; none for an anonymous visitor."""
    if user is None:
        return []
    return [item for item in items if item.visible_to(user)]
