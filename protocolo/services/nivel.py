"""
The nível (atendimento, supervisão, ouvidoria): raised by an attendant allowed to, by the deadline
job, or by the consumer, who may ask for supervision once the deadline has passed or after
disputing a resolution.
"""

from django.db import transaction

from ..exceptions import TransicaoInvalida
from ..models import EQUIPE_DO_NIVEL, NIVEL_MAXIMO, Protocolo, Situacao
from .historico import (
    Origem,
    Tipo,
    _avisar,
    _conferir_versao,
    _exigir_aberto,
    _exigir_equipe,
    _exigir_permissao,
    _origem_de,
    _salvar,
    _texto,
    _travar,
    anexar_ao_historico,
)


def protocolo_escalar(*, protocolo, motivo, autor=None, origem=None, versao=None):
    """Raise the nível by one: by an attendant, by the consumer, or by the deadline job."""
    origem = origem or _origem_de(autor)
    motivo = _texto(motivo, campo="motivo")
    if origem == Origem.ATENDENTE:
        _exigir_permissao(autor, "escalar_protocolo", "Você não tem permissão para escalar protocolos.")
    with transaction.atomic():
        protocolo = _travar(protocolo)
        _conferir_versao(protocolo, versao)
        _exigir_aberto(protocolo)
        if protocolo.situacao == Situacao.RESOLVIDO:
            # The case is answered; disputing it reopens it first (docs/dominio.md §4), then it can rise.
            raise TransicaoInvalida("O protocolo está resolvido: reabra-o antes de escalar.")
        if protocolo.nivel >= NIVEL_MAXIMO:
            raise TransicaoInvalida("O protocolo já está no último nível (ouvidoria).")
        _exigir_equipe(protocolo, autor)
        anterior = protocolo.nivel
        protocolo.nivel = anterior + 1
        # The protocol goes to the next nível's queue with nobody responsible, whoever raised it:
        # its team takes it or assigns it (docs/dominio.md §5).
        responsavel_anterior = protocolo.responsavel_id
        protocolo.responsavel = None
        campos = ["nivel", "responsavel"]
        if origem == Origem.SISTEMA and protocolo.prazo:
            protocolo.escalado_no_prazo = protocolo.prazo
            campos.append("escalado_no_prazo")
        anexar_ao_historico(
            protocolo,
            tipo=Tipo.ESCALONAMENTO,
            origem=origem,
            autor=autor,
            # An attendant's reason is for the team; the consumer sees the new nível on the page.
            publica=origem != Origem.ATENDENTE,
            texto=motivo,
            nivel_anterior=anterior,
            nivel_novo=protocolo.nivel,
            detalhes={"responsavel_anterior": responsavel_anterior},
        )
        _salvar(protocolo, *campos)
        # The consumer learns where the demand went in their own words, chosen by the cause; an
        # attendant's reason stays internal and is never in the message.
        equipe = EQUIPE_DO_NIVEL[protocolo.nivel]
        _avisar(protocolo, f"demanda encaminhada à {equipe}", "escalonamento", causa=origem, equipe=equipe)
    return protocolo


def protocolo_pedir_supervisao(*, protocolo):
    """The consumer asks for supervision (nível 2): only once the deadline has passed or after they
    disputed a resolution. Idempotent: (protocolo, False) when supervision already has it."""
    with transaction.atomic():
        protocolo = _travar(protocolo)
        _exigir_aberto(protocolo)
        if protocolo.situacao == Situacao.RESOLVIDO:
            raise TransicaoInvalida(
                "O protocolo foi resolvido: diga se a resposta resolveu; se não resolveu, ele vai para a supervisão."
            )
        if protocolo.nivel >= Protocolo.Nivel.SUPERVISAO:
            return protocolo, False
        vencido = protocolo.situacao_do_prazo == "vencido"
        contestado = protocolo.interacoes.filter(tipo=Tipo.REABERTURA, origem=Origem.CONSUMIDOR).exists()
        if not (vencido or contestado):
            raise TransicaoInvalida(
                "A análise da supervisão pode ser pedida depois que o prazo vence ou quando você contesta uma "
                "resolução."
            )
        motivo = "Prazo de resposta vencido." if vencido else "Resolução contestada pelo consumidor."
        protocolo = protocolo_escalar(
            protocolo=protocolo,
            motivo=f"O consumidor pediu a análise da supervisão. {motivo}",
            origem=Origem.CONSUMIDOR,
        )
    return protocolo, True
