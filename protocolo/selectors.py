"""Reads shared by several pages."""

from . import numeracao
from .exceptions import NumeroInvalido
from .models import Interacao, Protocolo


def protocolo_por_numero(texto, *, queryset=None):
    """The protocol with this number typed in any format, or None. An impossible number (wrong
    length or check digits) is refused before any query."""
    try:
        numero = numeracao.validar(texto)
    except NumeroInvalido:
        return None
    queryset = queryset if queryset is not None else Protocolo.objects.all()
    return queryset.select_related("consumidor", "categoria", "responsavel").filter(numero=numero).first()


def fila(*, usuario=None):
    """Open protocols, most urgent deadline first (served by the protocolo_fila_prazo index)."""
    queryset = Protocolo.objects.em_aberto().select_related("consumidor", "categoria", "responsavel")
    if usuario is not None:
        queryset = queryset.filter(responsavel=usuario)
    return queryset.order_by("prazo", "id")


def linha_do_tempo(protocolo, *, publica=False):
    interacoes = Interacao.objects.filter(protocolo=protocolo).select_related("autor").order_by("ordem")
    return interacoes.publicas() if publica else interacoes


def cabeca_da_cadeia(protocolo):
    """The latest entry: what a receipt issued now would seal."""
    return Interacao.objects.filter(protocolo=protocolo).order_by("-ordem").first()
