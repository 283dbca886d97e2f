from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _

from . import hooks


class FhbConfig(AppConfig):
    name = "fhb"
    verbose_name = _("Forebyggende hjemmebesøg")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        user_logged_in.connect(reset_own_failed_logins, dispatch_uid="fhb-reset-own-failed-logins")
        hooks.discover()  # what visits, invitations and reports contribute to the core's pages


def reset_own_failed_logins(sender, request, user, **kwargs) -> None:
    """A user who logs in has their own failed attempts forgotten, and nobody else's."""
    from axes.utils import reset  # not at the top: axes' handlers load its models, not ready while apps load

    reset(username=user.get_username())
