"""Signal receivers for infrastructure events we do not control (django-axes).

Domain writes never happen in signals; the lock-out is raised inside axes' authentication
machinery, which offers only this signal, so the receiver does nothing but call the service.
"""

from axes.signals import user_locked_out
from django.dispatch import receiver

from .services import login_lockout_record


@receiver(user_locked_out, dispatch_uid="ansinh.accounts.login_locked_out")
def record_login_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    login_lockout_record(username=username or "", ip_address=ip_address)
