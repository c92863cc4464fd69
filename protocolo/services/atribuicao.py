"""
Who handles a protocol: an attendant takes a free one; only a supervisor assigns it to someone else,
takes it from a colleague or releases it.
"""

from django.db import transaction

from ..exceptions import DadosInvalidos
from ..models import SistemaIntegrado, nome_de
from .historico import (
    Origem,
    Tipo,
    _conferir_versao,
    _exigir_aberto,
    _exigir_equipe,
    _exigir_permissao,
    _salvar,
    _travar,
    anexar_ao_historico,
)


def protocolo_atribuir(*, protocolo, responsavel, autor, versao=None):
    """Take a protocol (responsavel is the author) or, for supervisors, assign it to someone."""
    if responsavel is not None and responsavel != autor:
        _exigir_permissao(autor, "atribuir_protocolo", "Só supervisores atribuem protocolos a outras pessoas.")
    if responsavel is not None and not (responsavel.is_active and responsavel.has_perm("protocolo.atender_protocolo")):
        raise DadosInvalidos(f"{nome_de(responsavel)} não faz parte do atendimento.")
    if responsavel is not None and SistemaIntegrado.objects.filter(usuario=responsavel).exists():
        # An integrated system's account acts through the API; a protocol in its name would have
        # nobody to answer it (docs/integracao.md).
        raise DadosInvalidos(f"{nome_de(responsavel)} é um sistema integrado: atribua a uma pessoa da equipe.")
    with transaction.atomic():
        protocolo = _travar(protocolo)
        _conferir_versao(protocolo, versao)
        _exigir_equipe(protocolo, autor)
        _exigir_aberto(protocolo)
        if protocolo.responsavel_id == (responsavel.pk if responsavel else None):
            raise DadosInvalidos("O protocolo já está com esse responsável.")
        if protocolo.responsavel_id not in (None, autor.pk):
            # Taking a colleague's protocol, or releasing it, is a reassignment (docs/dominio.md §5).
            _exigir_permissao(
                autor,
                "atribuir_protocolo",
                "Este protocolo está com outra pessoa: peça a um supervisor para reatribuir.",
            )
        anterior_id = protocolo.responsavel_id
        protocolo.responsavel = responsavel
        anexar_ao_historico(
            protocolo,
            tipo=Tipo.ATRIBUICAO,
            origem=Origem.ATENDENTE,
            autor=autor,
            texto=f"Responsável: {nome_de(responsavel) if responsavel else 'ninguém'}.",
            detalhes={"de": anterior_id, "para": responsavel.pk if responsavel else None},
        )
        _salvar(protocolo, "responsavel")
    return protocolo
