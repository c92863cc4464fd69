"""
Everything that changes a protocol. Each service locks the row, refuses an illegal move with a
domain exception before it touches anything, writes exactly one timeline entry and the outbox rows
the change causes, and saves only the fields it changed.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from . import integridade, numeracao, outbox, prazos, relogio
from .exceptions import DadosInvalidos, PermissaoNegada, TransicaoInvalida, VersaoDesatualizada
from .links import link_consumidor, link_protocolo
from .models import (
    FINAIS,
    NIVEL_MAXIMO,
    AcessoDadoPessoal,
    Canal,
    Consumidor,
    Feriado,
    Interacao,
    Protocolo,
    Situacao,
    formatar_cpf,
    mascarar_cpf,
    nome_de,
)
from .validators import normalizar_cpf

Tipo = Interacao.Tipo
Origem = Interacao.Origem

TEXTO_MAXIMO = 20_000
EMAIL_MAXIMO = Consumidor._meta.get_field("email").max_length
# Entries that do not change the version: a stale form is never blamed on them.
SEM_VERSAO = (Tipo.MENSAGEM, Tipo.MENSAGEM_CONSUMIDOR, Tipo.NOTA_INTERNA, Tipo.OBJETO, Tipo.ENVIO_NUMERO)


# Helpers ------------------------------------------------------------------------------------------


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
    return interacao


def _salvar(protocolo, *campos, nova_versao=True):
    if nova_versao:
        protocolo.versao += 1
        campos = (*campos, "versao")
    protocolo.save(update_fields=campos)


def _calcular_prazo(protocolo, categoria):
    locais = Feriado.objects.filter(data__gte=timezone.localdate(protocolo.aberto_em)).values_list("data", flat=True)
    return prazos.calcular(
        aberto_em=protocolo.aberto_em,
        tipo_prazo=categoria.tipo_prazo,
        dias=categoria.prazo_dias,
        calendario=categoria.calendario,
        locais=locais,
    )


def _avisar(protocolo, assunto, modelo, **contexto):
    """Queue a message to the consumer, when there is an e-mail on file."""
    consumidor = protocolo.consumidor
    if consumidor is None or not consumidor.email:
        return None
    contexto |= {
        "protocolo": protocolo,
        "consumidor": consumidor,
        "url_portal": settings.PROTOCOLO_URL_BASE + "/",
        # The way in for whoever has no CPF on file yet, or no number at hand (DESIGN §5).
        "link_protocolo": link_protocolo(protocolo),
        "dias_validade": settings.PROTOCOLO_LINK_DIAS,
    }
    return outbox.enfileirar(
        protocolo=protocolo,
        destinatario=consumidor.email,
        assunto=f"Protocolo {protocolo.numero_formatado}: {assunto}",
        corpo=render_to_string(f"mensagens/{modelo}.txt", contexto),
    )


def _exigir_nao_anonimizado(consumidor):
    """Lock the consumer (consumer before protocol, the order anonymisation takes too), so an
    anonymisation under way finishes first and a protocol never joins a record it emptied."""
    anonimizado_em = (
        Consumidor.objects.select_for_update().values_list("anonimizado_em", flat=True).get(pk=consumidor.pk)
    )
    if anonimizado_em is not None:
        raise DadosInvalidos("Os dados deste consumidor foram anonimizados (LGPD): identifique-o de novo pelo CPF.")


def _contato(*, nome, email, telefone):
    return {
        "nome": _texto(nome, campo="nome", obrigatorio=False)[:200],
        "email": _email(email),
        "telefone": _texto(telefone, campo="telefone", obrigatorio=False)[:20],
    }


def _origem_de(autor):
    return Origem.ATENDENTE if autor is not None else Origem.SISTEMA


# Consumers ----------------------------------------------------------------------------------------


def consumidor_identificar(*, cpf, nome="", email="", telefone=""):
    """(consumidor, created) for a CPF. An existing record keeps what it has: only empty fields
    are filled, so a public form can never overwrite someone's e-mail."""
    cpf = _cpf(cpf)
    dados = _contato(nome=nome, email=email, telefone=telefone)
    with transaction.atomic():
        consumidor, criado = Consumidor.objects.select_for_update().get_or_create(cpf=cpf, defaults=dados)
        if not criado:
            vazios = [campo for campo, valor in dados.items() if valor and not getattr(consumidor, campo)]
            for campo in vazios:
                setattr(consumidor, campo, dados[campo])
            if vazios:
                consumidor.save(update_fields=vazios)
    return consumidor, criado


def consumidor_revelar_cpf(*, consumidor, usuario, protocolo=None):
    """The full CPF, for someone allowed to see it; every time is recorded (LGPD art. 37)."""
    _exigir_permissao(usuario, "ver_cpf", "Você não tem permissão para ver o CPF completo.")
    if not consumidor.cpf:
        raise DadosInvalidos("Este consumidor não tem CPF registrado.")
    AcessoDadoPessoal.objects.create(
        usuario=usuario, consumidor=consumidor, protocolo=protocolo, tipo=AcessoDadoPessoal.Tipo.VER_CPF
    )
    return formatar_cpf(consumidor.cpf)


# Protocols ----------------------------------------------------------------------------------------


def _validar_abertura(*, canal, categoria, objeto, obrigatorio=False):
    """The objeto as stored, or DadosInvalidos before anything is written."""
    if canal not in Canal.values:
        raise DadosInvalidos("Canal de atendimento inválido.")
    if categoria is not None and not categoria.ativa:
        raise DadosInvalidos(f"A categoria “{categoria}” não está mais em uso.")
    return _texto(objeto, campo="objeto", obrigatorio=obrigatorio)


def protocolo_abrir(*, canal, atendente=None, consumidor=None, categoria=None, objeto=""):
    """Open a protocol: its number exists from this moment. The transaction does nothing slow, since
    the day's sequence row stays locked until it commits."""
    objeto = _validar_abertura(canal=canal, categoria=categoria, objeto=objeto)
    with transaction.atomic():
        if consumidor is not None:
            _exigir_nao_anonimizado(consumidor)
        protocolo, _ = _abrir(
            canal=canal, atendente=atendente, consumidor=consumidor, categoria=categoria, objeto=objeto
        )
    return protocolo


def _abrir(*, canal, atendente, consumidor, categoria, objeto):
    """(protocol, its opening entry), inside the caller's transaction, the consumer already locked."""
    if atendente is not None:
        origem = Origem.ATENDENTE
    elif canal == Canal.PORTAL:
        origem = Origem.CONSUMIDOR
    else:
        origem = Origem.SISTEMA
    agora = relogio.agora()
    protocolo = Protocolo(
        canal=canal,
        consumidor=consumidor,
        categoria=categoria,
        objeto=objeto,
        responsavel=atendente,
        aberto_em=agora,
    )
    if categoria is not None:
        protocolo.prazo = _calcular_prazo(protocolo, categoria)
    # The number last: the day's sequence row stays locked from here until the commit, and every
    # opening of the day waits for it.
    protocolo.numero = numeracao.gerar(timezone.localdate(agora))
    protocolo.save(force_insert=True)
    abertura = anexar_ao_historico(
        protocolo,
        cabeca=(0, ""),
        tipo=Tipo.ABERTURA,
        origem=origem,
        autor=atendente,
        publica=True,
        texto=objeto,
        situacao_nova=Situacao.ABERTO,
        nivel_novo=protocolo.nivel,
        detalhes={
            "canal": canal,
            "categoria": categoria.codigo if categoria else None,
            "prazo": protocolo.prazo.isoformat() if protocolo.prazo else None,
            "cpf": mascarar_cpf(consumidor.cpf) if consumidor else None,
        },
    )
    return protocolo, abertura


def protocolo_identificar_consumidor(*, protocolo, consumidor, autor=None, versao=None):
    with transaction.atomic():
        _exigir_nao_anonimizado(consumidor)
        protocolo = _travar(protocolo)
        _conferir_versao(protocolo, versao)
        _exigir_aberto(protocolo)
        if protocolo.consumidor_id == consumidor.pk:
            raise DadosInvalidos("Este consumidor já está identificado no protocolo.")
        anterior = protocolo.consumidor
        protocolo.consumidor = consumidor
        anexar_ao_historico(
            protocolo,
            tipo=Tipo.IDENTIFICACAO,
            origem=_origem_de(autor),
            autor=autor,
            detalhes={
                "de": mascarar_cpf(anterior.cpf) if anterior else None,
                "para": mascarar_cpf(consumidor.cpf),
            },
        )
        _salvar(protocolo, "consumidor")
    return protocolo


def protocolo_definir_categoria(*, protocolo, categoria, autor=None, versao=None):
    """Set the subject, and with it the prazo (DESIGN §4)."""
    if not categoria.ativa:
        raise DadosInvalidos(f"A categoria “{categoria}” não está mais em uso.")
    with transaction.atomic():
        protocolo = _travar(protocolo)
        _conferir_versao(protocolo, versao)
        _exigir_aberto(protocolo)
        if protocolo.categoria_id == categoria.pk:
            raise DadosInvalidos(f"O protocolo já está na categoria “{categoria}”.")
        anterior, prazo_anterior = protocolo.categoria, protocolo.prazo
        protocolo.categoria = categoria
        protocolo.prazo = _calcular_prazo(protocolo, categoria)
        if prazo_anterior is not None:
            # Only supervisors move a deadline later (DESIGN §4), and a correction of the subject
            # never undoes the extension a supervisor gave.
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
        _exigir_aberto(protocolo)
        protocolo.objeto = objeto
        anexar_ao_historico(
            protocolo, tipo=Tipo.OBJETO, origem=_origem_de(autor), autor=autor, publica=True, texto=objeto
        )
        _salvar(protocolo, "objeto", nova_versao=False)
    return protocolo


def protocolo_registrar_interacao(*, protocolo, texto, autor=None, publica=False, origem=Origem.ATENDENTE):
    """A message from the consumer, an answer to them (sent through the outbox) or an internal
    note. Never conflicts with other changes: it does not touch the version."""
    texto = _texto(texto, campo="texto")
    with transaction.atomic():
        protocolo = _travar(protocolo)
        agora = relogio.agora()
        if origem == Origem.CONSUMIDOR:
            _exigir_aberto(protocolo)
            tipo, publica = Tipo.MENSAGEM_CONSUMIDOR, True
            protocolo.consumidor_escreveu_em = agora
            campo = "consumidor_escreveu_em"
        else:
            tipo = Tipo.MENSAGEM if publica else Tipo.NOTA_INTERNA
            protocolo.atendente_escreveu_em = agora
            campo = "atendente_escreveu_em"
        interacao = anexar_ao_historico(protocolo, tipo=tipo, origem=origem, autor=autor, publica=publica, texto=texto)
        _salvar(protocolo, campo, nova_versao=False)
        if tipo == Tipo.MENSAGEM:
            _avisar(protocolo, "nova mensagem", "mensagem", texto=texto)
    return interacao


def protocolo_mudar_situacao(*, protocolo, situacao, autor=None, texto="", versao=None):
    """The moves an attendant makes by choosing the situação (em atendimento ⇄ aguardando)."""
    texto = _texto(texto, obrigatorio=False)
    with transaction.atomic():
        protocolo = _travar(protocolo)
        _conferir_versao(protocolo, versao)
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


def protocolo_atribuir(*, protocolo, responsavel, autor, versao=None):
    """Take a protocol (responsavel is the author) or, for supervisors, assign it to someone."""
    if responsavel is not None and responsavel != autor:
        _exigir_permissao(autor, "atribuir_protocolo", "Só supervisores atribuem protocolos a outras pessoas.")
    if responsavel is not None and not (responsavel.is_active and responsavel.has_perm("protocolo.atender_protocolo")):
        raise DadosInvalidos(f"{nome_de(responsavel)} não faz parte do atendimento.")
    with transaction.atomic():
        protocolo = _travar(protocolo)
        _conferir_versao(protocolo, versao)
        _exigir_aberto(protocolo)
        if protocolo.responsavel_id == (responsavel.pk if responsavel else None):
            raise DadosInvalidos("O protocolo já está com esse responsável.")
        if protocolo.responsavel_id not in (None, autor.pk):
            # Taking a colleague's protocol, or releasing it, is a reassignment (DESIGN §5).
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
            # The case is answered; disputing it reopens it first (DESIGN §4), then it can rise.
            raise TransicaoInvalida("O protocolo está resolvido: reabra-o antes de escalar.")
        if protocolo.nivel >= NIVEL_MAXIMO:
            raise TransicaoInvalida("O protocolo já está no último nível (ouvidoria).")
        anterior = protocolo.nivel
        protocolo.nivel = anterior + 1
        campos = ["nivel"]
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
        )
        _salvar(protocolo, *campos)
    return protocolo


def protocolo_resolver(*, protocolo, texto, autor=None, versao=None):
    """Answer the demand (first-call resolution included); the consumer is told."""
    texto = _texto(texto, campo="texto da resolução")
    with transaction.atomic():
        protocolo = _travar(protocolo)
        _conferir_versao(protocolo, versao)
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
    return protocolo


def protocolo_enviar_numero(*, protocolo, autor=None):
    """Send the number to the consumer's e-mail (Decreto 6.523 art. 15); returns the message."""
    with transaction.atomic():
        protocolo = _travar(protocolo)
        if protocolo.consumidor is None or not protocolo.consumidor.email:
            raise DadosInvalidos("O consumidor não tem e-mail cadastrado: informe o número por telefone.")
        return _enviar_numero(protocolo, autor=autor)


def _enviar_numero(protocolo, *, autor=None, cabeca=None):
    """Queue the number to the consumer's e-mail and record it, inside the caller's transaction."""
    mensagem = _avisar(protocolo, "número do seu atendimento", "numero")
    anexar_ao_historico(
        protocolo,
        cabeca=cabeca,
        tipo=Tipo.ENVIO_NUMERO,
        origem=_origem_de(autor),
        autor=autor,
        publica=True,
        texto="Número do protocolo enviado por e-mail.",
        detalhes={"mensagem": mensagem.message_id},
    )
    return mensagem


# Portal do consumidor -----------------------------------------------------------------------------

# How many protocols the recovery e-mail lists one by one; the link to all demands covers the rest.
RECUPERACAO_MAXIMO = 50


def protocolo_abrir_pelo_portal(*, cpf, nome, email, categoria, objeto):
    """A demand the consumer opens online (canal portal), open the protocol and queue its number to
    the e-mail on record. A CPF already on file keeps its record exactly as it is, empty fields
    included: anyone may type a CPF here, and an e-mail filled in from this form would receive that
    consumer's protocols on the next recovery.

    One transaction without savepoints: the consumer read and locked in one query, the protocol, its
    opening entry, the message and the entry that records it (each chain head already known)."""
    objeto = _validar_abertura(canal=Canal.PORTAL, categoria=categoria, objeto=objeto, obrigatorio=True)
    cpf = _cpf(cpf)
    with transaction.atomic():
        # Consumer before protocol, the order anonymisation takes too (_exigir_nao_anonimizado).
        consumidor = next(iter(Consumidor.objects.select_for_update().filter(cpf=cpf).order_by()[:1]), None)
        if consumidor is None:
            consumidor, _ = consumidor_identificar(cpf=cpf, nome=nome, email=email)
        elif consumidor.anonimizado_em is not None:
            raise DadosInvalidos("Os dados deste consumidor foram anonimizados (LGPD): identifique-o de novo pelo CPF.")
        protocolo, abertura = _abrir(
            canal=Canal.PORTAL, atendente=None, consumidor=consumidor, categoria=categoria, objeto=objeto
        )
        if consumidor.email:
            _enviar_numero(protocolo, cabeca=(abertura.ordem, abertura.mac))
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


def consumidor_enviar_protocolos(*, cpf):
    """Recovery by CPF: when the CPF has a consumer with an e-mail and protocols, queue one message
    listing them, each with a signed link. Returns the message or None; the caller shows the same
    answer either way."""
    cpf = _cpf(cpf)
    consumidor = Consumidor.objects.filter(cpf=cpf).exclude(email="").first()
    if consumidor is None:
        return None
    protocolos = list(
        consumidor.protocolos.select_related("categoria").order_by("-aberto_em")[: RECUPERACAO_MAXIMO + 1]
    )
    if not protocolos:
        return None
    contexto = {
        "consumidor": consumidor,
        "itens": [(p, link_protocolo(p)) for p in protocolos[:RECUPERACAO_MAXIMO]],
        "mais": len(protocolos) > RECUPERACAO_MAXIMO,
        "link_todos": link_consumidor(consumidor),
        "url_portal": settings.PROTOCOLO_URL_BASE + "/",
        "dias_validade": settings.PROTOCOLO_LINK_DIAS,
    }
    # Left to `enviar_mensagens` (every minute), never sent inside the request: a mail server's
    # latency would tell an existing CPF with an e-mail from any other by the answer's time alone.
    with outbox.entrega_adiada():
        return outbox.enfileirar(
            destinatario=consumidor.email,
            assunto="Seus protocolos de atendimento",
            corpo=render_to_string("mensagens/recuperacao.txt", contexto),
        )


# Retaguarda ---------------------------------------------------------------------------------------


def _consumidor_do_atendimento(*, cpf, nome, email, telefone):
    """(consumidor, criado): found or created by CPF, or, since the first contact may not demand
    the CPF (Decreto 11.034 art. 4 §4), a new record with the name and contact given. (None, False)
    when nothing was given."""
    if str(cpf or "").strip():
        return consumidor_identificar(cpf=cpf, nome=nome, email=email, telefone=telefone)
    dados = _contato(nome=nome, email=email, telefone=telefone)
    if not any(dados.values()):
        return None, False
    return Consumidor.objects.create(**dados), True


def protocolo_abrir_completo(*, canal, atendente, cpf="", nome="", email="", telefone="", categoria=None, objeto=""):
    """Chat and e-mail in one step: the consumer (found by CPF or created), the categoria (and so
    the prazo) and the objeto, all in the transaction that issues the number. Returns
    (protocolo, consumidor, criado) — criado is False when the CPF was already on file."""
    with transaction.atomic():
        consumidor, criado = _consumidor_do_atendimento(cpf=cpf, nome=nome, email=email, telefone=telefone)
        protocolo = protocolo_abrir(
            canal=canal, atendente=atendente, consumidor=consumidor, categoria=categoria, objeto=objeto
        )
    return protocolo, consumidor, criado


def protocolo_identificar_por_cpf(*, protocolo, cpf, autor, nome="", email="", telefone="", versao=None):
    """Find the consumer by CPF (an existing record keeps its data, only empty fields are filled)
    or create them, and link them to the protocol; without a CPF (the first contact may not demand
    it), a record with the name and contact given. One transaction, so a stale form leaves no
    consumer behind. Returns (protocolo, consumidor, criado)."""
    with transaction.atomic():
        consumidor, criado = _consumidor_do_atendimento(cpf=cpf, nome=nome, email=email, telefone=telefone)
        if consumidor is None:
            raise DadosInvalidos("Informe o CPF ou, sem ele, o nome e um contato do consumidor.")
        protocolo = protocolo_identificar_consumidor(
            protocolo=protocolo, consumidor=consumidor, autor=autor, versao=versao
        )
    return protocolo, consumidor, criado
