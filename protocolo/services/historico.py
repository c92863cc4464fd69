"""
What every service shares: the lock on the row, the checks that refuse before anything is written
(permission, a final situação, a stale form, a move TRANSICOES does not allow), the normalisation of
what is typed, the one way an entry joins a timeline, the save of only the changed fields and the
message to the consumer through the outbox. The underscored helpers belong to this package: its
modules import them, nothing outside it does.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from .. import integridade, prazos, relogio
from ..exceptions import DadosInvalidos, PermissaoNegada, TransicaoInvalida, VersaoDesatualizada
from ..models import EQUIPE_DO_NIVEL, FINAIS, Consumidor, Feriado, Interacao, Protocolo, Situacao, nome_de
from ..validators import normalizar_cpf
from ..webhooks import eventos

Tipo = Interacao.Tipo
Origem = Interacao.Origem

TEXTO_MAXIMO = 20_000
EMAIL_MAXIMO = 254
# Entries that do not change the version: a stale form is never blamed on them.
SEM_VERSAO = (
    Tipo.MENSAGEM,
    Tipo.MENSAGEM_CONSUMIDOR,
    Tipo.NOTA_INTERNA,
    Tipo.OBJETO,
    Tipo.ENVIO_NUMERO,
    Tipo.CONFIRMACAO_CONTATO,
    Tipo.VINCULACAO_CONTATO,
    Tipo.NAO_NOTIFICADO,
    Tipo.REMOCAO_ANEXO,
)


def _travar(protocolo):
    """Re-read the row under a lock: concurrent changes of one protocol run one after the other."""
    return (
        Protocolo.objects.select_for_update(of=("self",)).select_related("consumidor", "categoria").get(pk=protocolo.pk)
    )


def _texto(texto, *, campo="texto", obrigatorio=True):
    texto = str(texto or "").strip()
    if obrigatorio and not texto:
        raise DadosInvalidos(f"Preencha o {campo}.")
    if "\x00" in texto:
        raise DadosInvalidos(f"O {campo} contém um caractere inválido.")
    if len(texto) > TEXTO_MAXIMO:
        raise DadosInvalidos(f"O {campo} passa de {TEXTO_MAXIMO:,} caracteres.".replace(",", "."))
    return texto


def _cpf(valor):
    """The 11 digits of a CPF, or DadosInvalidos with the validator's Portuguese message."""
    try:
        return normalizar_cpf(valor)
    except ValidationError as erro:
        raise DadosInvalidos(" ".join(erro.messages)) from None


def _email(valor):
    """An e-mail as stored (blank allowed), or DadosInvalidos."""
    email = str(valor or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as erro:
            raise DadosInvalidos(" ".join(erro.messages)) from None
        if len(email) > EMAIL_MAXIMO:
            raise DadosInvalidos(f"O e-mail passa de {EMAIL_MAXIMO} caracteres.")
    return email


def _exigir_permissao(autor, permissao, mensagem):
    if autor is None or not autor.has_perm(f"protocolo.{permissao}"):
        raise PermissaoNegada(mensagem)


def _exigir_equipe(protocolo, autor):
    """Only the nível's team, or the person it made responsible, works a protocol (docs/dominio.md
    §5, GRUPOS_DO_NIVEL). Checked on the locked row, so a protocol that rose a moment ago is
    refused to the team it left."""
    if autor is not None and not protocolo.trabalhado_por(autor):
        raise PermissaoNegada(
            f"O protocolo {protocolo.numero_formatado} está no nível {protocolo.nivel} "
            f"({EQUIPE_DO_NIVEL[protocolo.nivel]}): só essa equipe, ou quem ela designar, trabalha nele."
        )


def _exigir_aberto(protocolo):
    if protocolo.situacao in FINAIS:
        raise TransicaoInvalida(
            f"O protocolo {protocolo.numero_formatado} está {protocolo.get_situacao_display()} e não aceita mudanças."
        )


def _conferir_versao(protocolo, versao):
    if versao is None or int(versao) == protocolo.versao:
        return
    ultima = protocolo.interacoes.exclude(tipo__in=SEM_VERSAO).select_related("autor").order_by("-ordem").first()
    quem = f"por {nome_de(ultima.autor)}" if ultima and ultima.autor else "pelo sistema ou pelo consumidor"
    quando = f" às {timezone.localtime(ultima.criada_em):%H:%M}" if ultima else ""
    o_que = ultima.get_tipo_display() if ultima else "uma alteração"
    raise VersaoDesatualizada(
        f"Este protocolo foi alterado {quem}{quando} ({o_que}) depois que você abriu a página. "
        "Confira a situação atual e envie de novo.",
        atual=protocolo,
    )


def _mover(protocolo, para, acao):
    """Move the locked protocol to `para` by `acao` as TRANSICOES allows; the situação it left."""
    if protocolo.acao_para(para) != acao:
        destino = Situacao(para).label if para in Situacao.values else str(para)
        raise TransicaoInvalida(f"Não é possível passar de “{protocolo.get_situacao_display()}” para “{destino}”.")
    anterior, protocolo.situacao = protocolo.situacao, para
    return anterior


def anexar_ao_historico(
    protocolo, *, tipo, origem, autor=None, publica=False, texto="", detalhes=None, cabeca=None, **mudancas
):
    """Append one entry to the locked protocol's chain: the only way an entry joins a timeline.
    cabeca: (ordem, mac) of the chain's last entry when the caller appended it in this same
    transaction; otherwise it is read."""
    if cabeca is None:
        cabeca = protocolo.interacoes.order_by("-ordem").values_list("ordem", "mac").first()
    ordem, mac_anterior = (cabeca[0] + 1, cabeca[1]) if cabeca else (1, "")
    interacao = Interacao(
        protocolo=protocolo,
        ordem=ordem,
        tipo=tipo,
        origem=origem,
        autor=autor,
        publica=publica,
        texto=texto,
        detalhes=detalhes or {},
        criada_em=relogio.agora(),
        **mudancas,
    )
    integridade.selar(interacao, protocolo.numero, mac_anterior)
    interacao.save()
    # The webhook events of this change, in its transaction: both commit or neither does.
    eventos.registrar(protocolo, interacao)
    return interacao


def _salvar(protocolo, *campos, nova_versao=True):
    if nova_versao:
        protocolo.versao += 1
        campos = (*campos, "versao")
    protocolo.save(update_fields=campos)


def _calcular_prazo(protocolo, categoria):
    """The categoria's deadline, or without one the 7 days every demand has (docs/dominio.md §4)."""
    locais = Feriado.objects.filter(data__gte=timezone.localdate(protocolo.aberto_em)).values_list("data", flat=True)
    if categoria is None:
        return prazos.padrao(protocolo.aberto_em, locais=locais)
    return prazos.calcular(
        aberto_em=protocolo.aberto_em,
        tipo_prazo=categoria.tipo_prazo,
        dias=categoria.prazo_dias,
        calendario=categoria.calendario,
        locais=locais,
    )


def _avisar(protocolo, assunto, modelo, *, contatos=None, **contexto):
    """Tell the consumer of the locked protocol: notice `modelo` by the first channel that reaches
    them (canais_de_envio.py), or by e-mail to `contatos`. Returns the messages."""
    from .canais_de_envio import avisar

    return avisar(protocolo, modelo, assunto, contatos=contatos, **contexto)


def _exigir_nao_anonimizado(consumidor):
    """Lock the consumer (consumer before protocol, the order anonymisation takes too), so an
    anonymisation under way finishes first and a protocol never joins a record it emptied."""
    anonimizado_em = (
        Consumidor.objects.select_for_update().values_list("anonimizado_em", flat=True).get(pk=consumidor.pk)
    )
    if anonimizado_em is not None:
        raise DadosInvalidos("Os dados deste consumidor foram anonimizados (LGPD): identifique-o de novo pelo CPF.")


def _origem_de(autor):
    return Origem.ATENDENTE if autor is not None else Origem.SISTEMA
