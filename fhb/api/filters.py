"""The API's filter backend: django-filter, with every filter that picks a related object (a
citizen, a consultant, an event, a batch) choosing among the user's own municipality's only. An id
of another municipality's object is then refused exactly like an id that does not exist (400),
instead of answering an empty list that tells it exists."""

from __future__ import annotations

from django_filters import ModelChoiceFilter, ModelMultipleChoiceFilter
from django_filters.rest_framework import DjangoFilterBackend

from fhb.selectors import visible_to


class MunicipalityFilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        for filter_ in filterset.filters.values():
            if isinstance(filter_, ModelChoiceFilter | ModelMultipleChoiceFilter):
                model = filter_.queryset.model if filter_.queryset is not None else None
                if model is None or not any(f.name == "municipality" for f in model._meta.fields):
                    continue
                filter_.queryset = visible_to(request.user, model)
        return filterset
