"""Template context: whether the user may keep question banks (the nav link)."""

from .access import can_edit_banks


def bank_editor(request) -> dict:
    user = getattr(request, "user", None)
    # A callable, so templates that never ask cost nothing.
    return {"can_edit_banks": (lambda: can_edit_banks(user)) if user is not None else False}
