"""The consumer search, for a caller who lost the number."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from protocolo import selectors
from protocolo.contas.decorators import atendimento

from .. import forms


@require_safe
@atendimento
def consumidores(request):
    """A caller who lost the number: by CPF or name, the consumer(s) with all their protocols."""
    form = forms.BuscaConsumidorForm(request.GET or None)
    resultados = None
    if form.is_bound and form.is_valid():
        resultados = selectors.consumidores_por_busca(form.cleaned_data["q"])
    return render(
        request,
        "atendimento/consumidores.html",
        {"form": form, "resultados": resultados, "limite": selectors.LIMITE_CONSUMIDORES},
    )
