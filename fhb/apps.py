from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FhbConfig(AppConfig):
    name = "fhb"
    verbose_name = _("Forebyggende hjemmebesøg")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(reset_own_failed_logins, dispatch_uid="fhb-reset-own-failed-logins")


def reset_own_failed_logins(sender, request, user, **kwargs) -> None:
    """A user who logs in has their own failed attempts forgotten, and nobody else's."""
    from axes.utils import reset

    reset(username=user.get_username())
