"""Per-request context that services read without it being passed through every call."""

import contextvars
import uuid

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("ansinh_request_id", default="")


def current_request_id() -> str:
    """The id of the request (or job run) being served; empty outside one."""
    return request_id_var.get()


def new_request_id() -> str:
    return uuid.uuid4().hex
