"""Who may do what with the audit log beyond reading it."""

from ansinh.core.scoping import scope_of

from .selectors import VIEW_PERM


def can_verify_chains(user) -> bool:
    """Only national readers (auditor, system administrator) may run the verification.

    It reads every province's chain, so a user who may read only part of the country must not
    start it (its result would tell them about events outside their area).
    """
    return scope_of(user, VIEW_PERM).national
