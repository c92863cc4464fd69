from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from protocolo import relogio, selectors

TAMANHO_DA_PAGINA = 25


@require_safe
@login_required
@permission_required("protocolo.atender_protocolo", raise_exception=True)
def painel(request):
    fila = selectors.fila()
    contexto = {
        "meus": list(selectors.fila(usuario=request.user)[:TAMANHO_DA_PAGINA]),
        "urgentes": list(fila[:TAMANHO_DA_PAGINA]),
        "vencidos": fila.filter(prazo__lt=relogio.hoje()).count(),
    }
    return render(request, "atendimento/painel.html", contexto)
