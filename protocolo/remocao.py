"""
The removal of a file by legal order (Marco Civil da Internet art. 21, ECA art. 241-A), the second
sanctioned rewrite of the record beside LGPD anonymisation (docs/anexos.md).

A supervisor, verified by the second factor, removes a file and records the reason and the order's
reference. The bytes leave the storage once the change commits; the entries that carried the file
keep its size and SHA-256 (the record still proves what there was, and the hash is what an
authority asks for) but lose its name, which may itself be the offending content, and say why. Like
anonymisation, one `remocao_anexo` entry names each rewritten entry with the MAC of its new content,
so `verificar_integridade` accepts the rewrite and nothing else.
"""

import pgtrigger
from django.db import transaction

from . import anexos, integridade, relogio
from .exceptions import DadosInvalidos
from .models import Anexo, Interacao
from .services.historico import Origem, Tipo, _exigir_permissao, _texto, _travar, anexar_ao_historico

GATILHO = "protocolo.Interacao:interacao_somente_acrescimo"
NOME_REMOVIDO = "[arquivo removido por ordem judicial]"
REFERENCIA_MAXIMA = 200


def _reescrever(detalhes, posicoes):
    novo = anexos.marcar_removidos(detalhes, Anexo.Remocao.ORDEM_JUDICIAL, posicoes)
    novo["anexos"] = [
        {**registro, "nome": NOME_REMOVIDO} if posicao in posicoes and isinstance(registro, dict) else registro
        for posicao, registro in enumerate(novo["anexos"], start=1)
    ]
    return novo


def anexo_remover_por_ordem_judicial(*, anexo, motivo, referencia, autor):
    """Remove `anexo` (and every copy of the same bytes in its protocol: one object, one content)
    by a legal order. Returns the entry that records it."""
    _exigir_permissao(autor, "remover_anexo", "Só supervisores removem anexos por ordem judicial.")
    motivo = _texto(motivo, campo="motivo")
    referencia = _texto(referencia, campo="número da ordem judicial")
    if len(referencia) > REFERENCIA_MAXIMA:
        raise DadosInvalidos(f"O número da ordem judicial passa de {REFERENCIA_MAXIMA} caracteres.")
    with transaction.atomic():
        protocolo = _travar(anexo.protocolo)
        alvos = list(
            Anexo.objects.select_for_update()
            .filter(protocolo=protocolo, chave=anexo.chave, removido_em__isnull=True)
            .select_related("interacao")
            .order_by("interacao__ordem", "posicao")
        )
        if not alvos:
            raise DadosInvalidos("Este arquivo já foi removido.")
        por_entrada = {}
        for alvo in alvos:
            por_entrada.setdefault(alvo.interacao_id, set()).add(alvo.posicao)
        redigidas = {}
        mac_anterior = ""
        with pgtrigger.ignore(GATILHO):
            for entrada in Interacao.objects.filter(protocolo=protocolo).order_by("ordem"):
                if entrada.pk in por_entrada:
                    entrada.detalhes = _reescrever(entrada.detalhes, por_entrada[entrada.pk])
                    # The base manager: the record's own manager refuses every update, as it should.
                    Interacao._base_manager.filter(pk=entrada.pk).update(detalhes=entrada.detalhes)
                    redigidas[str(entrada.ordem)] = integridade.calcular_mac(entrada, protocolo.numero, mac_anterior)
                # The next entry's MAC covers this one's stored MAC, which the rewrite leaves as it was.
                mac_anterior = entrada.mac
        Anexo.objects.filter(pk__in=[a.pk for a in alvos]).update(
            removido_em=relogio.agora(), remocao=Anexo.Remocao.ORDEM_JUDICIAL, nome=NOME_REMOVIDO
        )
        registro = anexar_ao_historico(
            protocolo,
            tipo=Tipo.REMOCAO_ANEXO,
            origem=Origem.ATENDENTE,
            autor=autor,
            publica=False,
            texto=f"Arquivo removido por ordem judicial ({referencia}): {motivo}",
            detalhes={
                "redigidas": redigidas,
                "anexos_removidos": [
                    {"ordem": a.interacao.ordem, "posicao": a.posicao, "sha256": a.sha256} for a in alvos
                ],
                "ordem_judicial": referencia,
                "motivo": motivo,
            },
        )
        chaves = [anexo.chave]
        transaction.on_commit(lambda: anexos.remover_do_armazenamento(chaves))
    return registro
