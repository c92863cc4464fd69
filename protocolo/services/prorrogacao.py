"""
Extending a protocol's deadline: supervisors only, with a reason, and always later than the deadline
it replaces. How a deadline is counted is protocolo/prazos.py.
"""

from django.db import transaction

from ..exceptions import DadosInvalidos
from .historico import (
    Origem,
    Tipo,
    _avisar,
    _conferir_versao,
    _exigir_aberto,
    _exigir_permissao,
    _salvar,
    _texto,
    _travar,
    anexar_ao_historico,
)


def protocolo_prorrogar_prazo(*, protocolo, novo_prazo, motivo, autor, versao=None):
    """Supervisors only, with a reason, and only later than the current prazo."""
    _exigir_permissao(autor, "prorrogar_prazo", "Só supervisores prorrogam prazos.")
    motivo = _texto(motivo, campo="motivo")
    with transaction.atomic():
        protocolo = _travar(protocolo)
        _conferir_versao(protocolo, versao)
        _exigir_aberto(protocolo)
        if protocolo.prazo is None:
            raise DadosInvalidos("O protocolo ainda não tem prazo: defina a categoria primeiro.")
        if novo_prazo <= protocolo.prazo:
            raise DadosInvalidos(f"O novo prazo deve ser depois de {protocolo.prazo:%d/%m/%Y}.")
        anterior = protocolo.prazo
        protocolo.prazo = novo_prazo
        anexar_ao_historico(
            protocolo,
            tipo=Tipo.PRORROGACAO,
            origem=Origem.ATENDENTE,
            autor=autor,
            publica=True,
            texto=motivo,
            detalhes={"prazo_anterior": anterior.isoformat(), "prazo_novo": novo_prazo.isoformat()},
        )
        _salvar(protocolo, "prazo")
        # The consumer was told a date; the new one reaches them with the reason (it is public).
        _avisar(protocolo, "novo prazo de resposta", "prorrogacao", texto=motivo, prazo_anterior=anterior)
    return protocolo
