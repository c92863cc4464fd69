"""
What the demand is about: its categoria, which sets the prazo (a correction never moves a deadline
later unless a supervisor makes it, nor undoes an extension), and its objeto in the consumer's words.
"""

from django.db import transaction

from ..exceptions import DadosInvalidos
from ..models import Situacao
from .historico import (
    Tipo,
    _calcular_prazo,
    _conferir_versao,
    _exigir_aberto,
    _exigir_equipe,
    _origem_de,
    _salvar,
    _texto,
    _travar,
    anexar_ao_historico,
)


def _exigir_demanda_aberta(protocolo):
    """A resolved protocol's demand is what was answered: it is reopened before its categoria or
    objeto change (a closed one is refused by _exigir_aberto)."""
    _exigir_aberto(protocolo)
    if protocolo.situacao == Situacao.RESOLVIDO:
        raise DadosInvalidos("Protocolo resolvido. Reabra o protocolo para mudar a categoria ou o objeto.")


def protocolo_definir_categoria(*, protocolo, categoria, autor=None, versao=None):
    """Set the subject, and with it the prazo (docs/dominio.md §4)."""
    if not categoria.ativa:
        raise DadosInvalidos(f"A categoria “{categoria}” não está mais em uso.")
    with transaction.atomic():
        protocolo = _travar(protocolo)
        _conferir_versao(protocolo, versao)
        _exigir_equipe(protocolo, autor)
        _exigir_demanda_aberta(protocolo)
        if protocolo.categoria_id == categoria.pk:
            raise DadosInvalidos(f"O protocolo já está na categoria “{categoria}”.")
        anterior, prazo_anterior = protocolo.categoria, protocolo.prazo
        protocolo.categoria = categoria
        protocolo.prazo = _calcular_prazo(protocolo, categoria)
        if prazo_anterior is not None and (anterior is not None or protocolo.prazo < prazo_anterior):
            # Only supervisors move a categoria's deadline later (docs/dominio.md §4): the 7 days of a
            # protocol without one only wait for it. A correction of the subject never undoes the
            # extension a supervisor gave.
            pode_prorrogar = autor is not None and autor.has_perm("protocolo.prorrogar_prazo")
            adiaria = protocolo.prazo > prazo_anterior and not pode_prorrogar
            desfaria = protocolo.prazo < prazo_anterior and protocolo.interacoes.filter(tipo=Tipo.PRORROGACAO).exists()
            if adiaria or desfaria:
                protocolo.prazo = prazo_anterior
        anexar_ao_historico(
            protocolo,
            tipo=Tipo.CATEGORIZACAO,
            origem=_origem_de(autor),
            autor=autor,
            publica=True,
            texto=f"Categoria: {categoria}. Prazo de resposta: {protocolo.prazo:%d/%m/%Y}.",
            detalhes={
                "de": anterior.codigo if anterior else None,
                "para": categoria.codigo,
                "prazo_anterior": prazo_anterior.isoformat() if prazo_anterior else None,
                "prazo_novo": protocolo.prazo.isoformat(),
            },
        )
        _salvar(protocolo, "categoria", "prazo")
    return protocolo


def protocolo_registrar_objeto(*, protocolo, objeto, autor=None):
    """Record (or correct) what the consumer asks for; the entry keeps every earlier wording."""
    objeto = _texto(objeto, campo="objeto")
    with transaction.atomic():
        protocolo = _travar(protocolo)
        _exigir_equipe(protocolo, autor)
        _exigir_demanda_aberta(protocolo)
        protocolo.objeto = objeto
        anexar_ao_historico(
            protocolo, tipo=Tipo.OBJETO, origem=_origem_de(autor), autor=autor, publica=True, texto=objeto
        )
        _salvar(protocolo, "objeto", nova_versao=False)
    return protocolo
