from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("Statistik og ledelsesinformation")

    def ready(self):
        # The writes that change a municipality's figures (one row at a time; the bulk imports say
        # so themselves): the cached year summaries (reports.figures) are read again.
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from fhb import freshness
        from fhb.models import Citizen, QualityStandard, RiskEvent
        from visits.models import Visit

        from .models import MonthApproval

        def municipality_changed(sender, instance, **kwargs):
            municipality_id = getattr(instance, "municipality_id", None)
            if municipality_id is None and hasattr(instance, "citizen_id"):
                municipality_id = (
                    Citizen.objects.filter(pk=instance.citizen_id).values_list("municipality_id", flat=True).first()
                )
            freshness.changed(municipality_id)

        for model in (Visit, Citizen, RiskEvent, QualityStandard, MonthApproval):
            post_save.connect(
                municipality_changed, sender=model, weak=False, dispatch_uid=f"fhb-fresh-{model.__name__}"
            )
            post_delete.connect(
                municipality_changed, sender=model, weak=False, dispatch_uid=f"fhb-fresh-del-{model.__name__}"
            )
        m2m_changed.connect(
            municipality_changed, sender=QualityStandard.risk_groups.through, weak=False, dispatch_uid="fhb-fresh-m2m"
        )
