"""
The moves of the situação, each one a row of TRANSICOES: em atendimento ⇄ aguardando, resolution,
reopening, closing, cancellation and closing as a duplicate; and the consumer's answer to a
resolution, which closes it or reopens and escalates it.
"""

from django.db import transaction
from django.utils import timezone

from .. import relogio
from ..exceptions import DadosInvalidos, PermissaoNegada, TransicaoInvalida
from ..models import NIVEL_MAXIMO, Protocolo, Situacao
from .historico import (
    Origem,
    Tipo,
    _avisar,
    _conferir_versao,
    _exigir_equipe,
    _exigir_permissao,
    _mover,
    _origem_de,
    _salvar,
    _texto,
    _travar,
    anexar_ao_historico,
)
from .nivel import protocolo_escalar


def protocolo_mudar_situacao(*, protocolo, situacao, autor=None, texto="", versao=None):
    """The moves an attendant makes by choosing the situação (em atendimento ⇄ aguardando)."""
    texto = _texto(texto, obrigatorio=False)
    with transaction.atomic():
        protocolo = _travar(protocolo)
        _conferir_versao(protocolo, versao)
        _exigir_equipe(protocolo, autor)
        anterior = _mover(protocolo, situacao, "mudar")
        anexar_ao_historico(
            protocolo,
            tipo=Tipo.SITUACAO,
            origem=_origem_de(autor),
            autor=autor,
            publica=True,
            texto=texto,
            situacao_anterior=anterior,
            situacao_nova=situacao,
        )
        _salvar(protocolo, "situacao")
    return protocolo


def protocolo_resolver(*, protocolo, texto, autor=None, versao=None):
    """Answer the demand (first-call resolution included); the consumer is told."""
    texto = _texto(texto, campo="texto da resolução")
    with transaction.atomic():
        protocolo = _travar(protocolo)
        _conferir_versao(protocolo, versao)
        _exigir_equipe(protocolo, autor)
        anterior = _mover(protocolo, Situacao.RESOLVIDO, "resolver")
        protocolo.resolvido_em = relogio.agora()
        protocolo.atendente_escreveu_em = protocolo.resolvido_em
        anexar_ao_historico(
            protocolo,
            tipo=Tipo.RESOLUCAO,
            origem=_origem_de(autor),
            autor=autor,
            publica=True,
            texto=texto,
            situacao_anterior=anterior,
            situacao_nova=Situacao.RESOLVIDO,
        )
        _salvar(protocolo, "situacao", "resolvido_em", "atendente_escreveu_em")
        _avisar(protocolo, "sua demanda foi resolvida", "resolucao", texto=texto)
    return protocolo


def protocolo_reabrir(*, protocolo, motivo, autor=None, origem=None, versao=None):
    """Back to em atendimento after a resolution; the consumer may dispute within 20 days."""
    origem = origem or _origem_de(autor)
    motivo = _texto(motivo, campo="motivo")
    with transaction.atomic():
        protocolo = _travar(protocolo)
        _conferir_versao(protocolo, versao)
        _exigir_equipe(protocolo, autor)
        _mover(protocolo, Situacao.EM_ATENDIMENTO, "reabrir")
        if origem == Origem.CONSUMIDOR and not protocolo.dentro_da_contestacao:
            raise TransicaoInvalida("O prazo de 20 dias para contestar a resolução já terminou.")
        protocolo.resolvido_em = None
        anexar_ao_historico(
            protocolo,
            tipo=Tipo.REABERTURA,
            origem=origem,
            autor=autor,
            publica=True,
            texto=motivo,
            situacao_anterior=Situacao.RESOLVIDO,
            situacao_nova=Situacao.EM_ATENDIMENTO,
        )
        _salvar(protocolo, "situacao", "resolvido_em")
    return protocolo


def protocolo_encerrar(*, protocolo, autor=None, origem=None, avaliacao=None, comentario=""):
    """Close a resolved protocol: the consumer confirms (with an optional 1–5 rating), or 20 days
    passed without a dispute."""
    origem = origem or _origem_de(autor)
    comentario = _texto(comentario, campo="comentário", obrigatorio=False)
    if avaliacao is not None and not (type(avaliacao) is int and 1 <= avaliacao <= 5):
        raise DadosInvalidos("A avaliação vai de 1 a 5.")
    with transaction.atomic():
        protocolo = _travar(protocolo)
        _mover(protocolo, Situacao.ENCERRADO, "encerrar")
        protocolo.encerrado_em = relogio.agora()
        protocolo.avaliacao = avaliacao
        anexar_ao_historico(
            protocolo,
            tipo=Tipo.ENCERRAMENTO,
            origem=origem,
            autor=autor,
            publica=True,
            texto=comentario,
            situacao_anterior=Situacao.RESOLVIDO,
            situacao_nova=Situacao.ENCERRADO,
            detalhes={"avaliacao": avaliacao},
        )
        _salvar(protocolo, "situacao", "encerrado_em", "avaliacao")
        if origem == Origem.SISTEMA:
            _avisar(protocolo, "demanda concluída", "encerramento")
    return protocolo


def protocolo_cancelar(*, protocolo, motivo, autor, versao=None):
    """Supervisors only, with a reason. The number stays accounted for."""
    _exigir_permissao(autor, "cancelar_protocolo", "Só supervisores cancelam protocolos.")
    motivo = _texto(motivo, campo="motivo")
    with transaction.atomic():
        protocolo = _travar(protocolo)
        _conferir_versao(protocolo, versao)
        anterior = _mover(protocolo, Situacao.CANCELADO, "cancelar")
        protocolo.encerrado_em = relogio.agora()
        anexar_ao_historico(
            protocolo,
            tipo=Tipo.CANCELAMENTO,
            origem=Origem.ATENDENTE,
            autor=autor,
            publica=True,
            texto=motivo,
            situacao_anterior=anterior,
            situacao_nova=Situacao.CANCELADO,
        )
        _salvar(protocolo, "situacao", "encerrado_em")
        _avisar(protocolo, "protocolo cancelado", "cancelamento", texto=motivo)
    return protocolo


# Entries that show a demand was recorded: past them, a protocol is no dropped call.
DEMANDA_REGISTRADA = (Tipo.OBJETO, Tipo.CATEGORIZACAO, Tipo.MENSAGEM, Tipo.MENSAGEM_CONSUMIDOR, Tipo.RESOLUCAO)


def protocolo_encerrar_sem_demanda(*, protocolo, motivo, autor, versao=None):
    """A contact that ended before any demand was recorded (the call dropped): the attendant who
    opened it closes it, on the opening day, with a reason. The number stays accounted for; anything
    later, or after a demand was recorded, is a supervisor's cancellation (docs/dominio.md §4)."""
    motivo = _texto(motivo, campo="motivo")
    with transaction.atomic():
        protocolo = _travar(protocolo)
        _conferir_versao(protocolo, versao)
        _exigir_equipe(protocolo, autor)
        abertura = protocolo.interacoes.filter(tipo=Tipo.ABERTURA).values_list("autor_id", flat=True).first()
        if autor is None or abertura != autor.pk:
            raise PermissaoNegada("Só quem abriu o protocolo o encerra sem demanda; depois, só o cancelamento.")
        if timezone.localdate(protocolo.aberto_em) != relogio.hoje():
            raise TransicaoInvalida("O encerramento sem demanda só vale no dia da abertura: peça o cancelamento.")
        registrada = protocolo.interacoes.filter(tipo__in=DEMANDA_REGISTRADA).exists()
        if registrada or protocolo.objeto or protocolo.categoria_id is not None:
            raise TransicaoInvalida("O protocolo já tem uma demanda registrada: resolva-o ou peça o cancelamento.")
        anterior = _mover(protocolo, Situacao.SEM_DEMANDA, "encerrar_sem_demanda")
        protocolo.encerrado_em = relogio.agora()
        anexar_ao_historico(
            protocolo,
            tipo=Tipo.SEM_DEMANDA,
            origem=Origem.ATENDENTE,
            autor=autor,
            publica=True,
            texto=motivo,
            situacao_anterior=anterior,
            situacao_nova=Situacao.SEM_DEMANDA,
        )
        _salvar(protocolo, "situacao", "encerrado_em")
    return protocolo


def protocolo_marcar_duplicado(*, protocolo, original, autor=None, versao=None):
    """Close a repeated demand with a link to the protocol that carries it, so the consumer never
    has to tell it twice."""
    if original.pk == protocolo.pk:
        raise DadosInvalidos("Um protocolo não pode ser duplicado de si mesmo.")
    with transaction.atomic():
        # Both rows locked, in a fixed order, before the checks: two protocols marked as each other's
        # duplicate at the same time would otherwise both pass them and deadlock on the foreign keys
        # at commit; this way the second one waits and is refused.
        travados = {
            p.pk: p
            for p in Protocolo.objects.select_for_update(of=("self",))
            .select_related("consumidor", "categoria")
            .filter(pk__in=[protocolo.pk, original.pk])
            .order_by("pk")
        }
        protocolo, original = travados[protocolo.pk], travados[original.pk]
        _conferir_versao(protocolo, versao)
        _exigir_equipe(protocolo, autor)
        if original.duplicado_de_id is not None:
            raise DadosInvalidos(
                f"O protocolo {original.numero_formatado} já é duplicado de outro: aponte para o original."
            )
        if original.situacao == Situacao.CANCELADO:
            raise DadosInvalidos(f"O protocolo {original.numero_formatado} foi cancelado.")
        if protocolo.duplicados.exists():
            raise DadosInvalidos("Outros protocolos apontam para este como original; ele não pode virar duplicado.")
        anterior = _mover(protocolo, Situacao.ENCERRADO, "duplicar")
        protocolo.encerrado_em = relogio.agora()
        protocolo.duplicado_de = original
        anexar_ao_historico(
            protocolo,
            tipo=Tipo.DUPLICIDADE,
            origem=_origem_de(autor),
            autor=autor,
            publica=True,
            texto=f"Esta demanda segue no protocolo {original.numero_formatado}.",
            situacao_anterior=anterior,
            situacao_nova=Situacao.ENCERRADO,
            detalhes={"original": original.numero},
        )
        _salvar(protocolo, "situacao", "encerrado_em", "duplicado_de")
        _avisar(protocolo, "demanda unificada", "duplicidade", original=original)
    return protocolo


def protocolo_responder_resolucao(*, protocolo, resolvido, avaliacao=None, comentario=""):
    """The consumer's answer to a resolution: "resolvido" closes it with a 1–5 rating, "não
    resolvido" (within 20 days) reopens it and escalates it to the next nível."""
    if resolvido:
        if avaliacao is None:
            raise DadosInvalidos("Dê uma nota de 1 a 5 para o atendimento.")
        return protocolo_encerrar(
            protocolo=protocolo, origem=Origem.CONSUMIDOR, avaliacao=avaliacao, comentario=comentario
        )
    motivo = _texto(comentario, campo="motivo")
    with transaction.atomic():
        protocolo = protocolo_reabrir(protocolo=protocolo, motivo=motivo, origem=Origem.CONSUMIDOR)
        if protocolo.nivel < NIVEL_MAXIMO:
            protocolo = protocolo_escalar(
                protocolo=protocolo,
                motivo="O consumidor informou que a demanda não foi resolvida.",
                origem=Origem.CONSUMIDOR,
            )
    return protocolo
