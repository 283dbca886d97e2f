from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FhbConfig(AppConfig):
    name = "fhb"
    verbose_name = _("Forebyggende hjemmebesøg")
    default_auto_field = "django.db.models.BigAutoField"
