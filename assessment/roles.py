"""Who a user is in the app: analyst, reviewer or admin (Django groups)."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

ANALYST = "analyst"
REVIEWER = "reviewer"
ADMIN = "admin"


def _groups(user) -> set[str]:
    # Cached on the user object so a page asks the database once.
    if not hasattr(user, "_role_groups"):
        user._role_groups = set(user.groups.values_list("name", flat=True))
    return user._role_groups


def is_admin(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or ADMIN in _groups(user)))


def is_reviewer(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(user.is_authenticated and (is_admin(user) or REVIEWER in _groups(user)))


def is_analyst(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(user.is_authenticated and (is_admin(user) or ANALYST in _groups(user)))
