"""
The data subject's rights (LGPD arts. 16 and 18): the export of everything we hold about a consumer,
and anonymisation once the retention period is over (docs/dominio.md §2).

Anonymisation is the one sanctioned rewrite of the record (docs/dominio.md §1): it replaces the consumer's
personal data in place, masks it inside the texts and details of their protocols' timelines, and
appends to each chain one `anonimizacao` entry naming every redacted entry with the MAC of its
redacted content, so `verificar_integridade` still passes. Nothing else may pass the append-only
trigger, and nothing here runs for a consumer under legal hold.
"""

import datetime
import re

import pgtrigger
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from . import anexos, integridade, relogio, services
from .exceptions import DadosInvalidos
from .models import (
    EM_ABERTO,
    AcessoDadoPessoal,
    Anexo,
    CodigoDeConfirmacao,
    Consumidor,
    Contato,
    Interacao,
    Mensagem,
    Protocolo,
    formatar_cpf,
    mascarar_cpf,
    nome_de,
)
from .validators import normalizar_cpf

GATILHO = "protocolo.Interacao:interacao_somente_acrescimo"
NOME_ANONIMO = "Titular anonimizado"
REMOVIDO = {
    "cpf": "[CPF removido]",
    "email": "[e-mail removido]",
    "telefone": "[telefone removido]",
    "nome": "[nome removido]",
}
# Words of a name too common to mask on their own ("Maria da Silva" masks Maria and Silva, not "da").
PARTICULAS = {"da", "das", "de", "do", "dos", "e", "di", "del", "van", "von"}

# Any CPF, formatted or not, not glued to other digits (a protocol number is 16 digits in groups of
# four and never matches); only the ones whose check digits are right are masked.
CPF_QUALQUER = re.compile(r"(?<![\d.\-])(\d{3})[.\s]?(\d{3})[.\s]?(\d{3})[\s\-]?(\d{2})(?![\d])")
EMAIL_QUALQUER = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
# Hashes and MACs are no personal data, and eleven digits of one can pass for a CPF: never masked.
INTOCAVEIS = {"sha256", "redigidas"}


def retencao():
    return datetime.timedelta(days=settings.PROTOCOLO_RETENCAO_DIAS)


# Masking ------------------------------------------------------------------------------------------


def _cpf_valido(digitos):
    try:
        normalizar_cpf(digitos)
    except ValidationError:
        return False
    return True


def mascarar_cpfs(texto):
    """Every valid CPF inside a text shown as ***.456.789-** (what screens show of a CPF)."""

    def trocar(achado):
        digitos = "".join(achado.groups())
        return mascarar_cpf(digitos) if _cpf_valido(digitos) else achado.group(0)

    return CPF_QUALQUER.sub(trocar, texto) if texto else texto


def _digitos_flexiveis(digitos):
    """A pattern for these digits typed with any spaces, dots, dashes or parentheses between them."""
    return r"(?<!\d)" + r"[\s().\-]*".join(re.escape(d) for d in digitos) + r"(?!\d)"


class Mascara:
    """Removes one consumer's personal data (and any other CPF or e-mail address) from a text."""

    def __init__(self, consumidor, contatos=()):
        padroes = []
        if consumidor.cpf:
            padroes.append((re.compile(_digitos_flexiveis(consumidor.cpf)), REMOVIDO["cpf"]))
            padroes.append((re.compile(re.escape(mascarar_cpf(consumidor.cpf))), REMOVIDO["cpf"]))
        for contato in contatos:
            if contato.tipo == Contato.Tipo.EMAIL and contato.valor:
                padroes.append((re.compile(re.escape(contato.valor), re.IGNORECASE), REMOVIDO["email"]))
        for contato in contatos:
            if contato.tipo == Contato.Tipo.TELEFONE:
                self._telefone(padroes, contato.valor)
        self._nome(padroes, consumidor)
        self.padroes = padroes

    @staticmethod
    def _telefone(padroes, valor):
        telefone = re.sub(r"\D", "", valor or "")
        if len(telefone) >= 8:
            padroes.append((re.compile(_digitos_flexiveis(telefone)), REMOVIDO["telefone"]))
            if len(telefone) >= 10:
                # Without the area code (and the country code), as people often write it.
                padroes.append((re.compile(_digitos_flexiveis(telefone[-9:])), REMOVIDO["telefone"]))
                padroes.append((re.compile(_digitos_flexiveis(telefone[-8:])), REMOVIDO["telefone"]))

    @staticmethod
    def _nome(padroes, consumidor):
        nome = " ".join((consumidor.nome or "").split())
        if nome:
            padroes.append((re.compile(r"\b" + re.escape(nome) + r"\b", re.IGNORECASE), REMOVIDO["nome"]))
            partes = sorted(
                {p for p in nome.split() if len(p) >= 3 and p.lower() not in PARTICULAS}, key=len, reverse=True
            )
            for parte in partes:
                padroes.append((re.compile(r"\b" + re.escape(parte) + r"\b", re.IGNORECASE), REMOVIDO["nome"]))

    def texto(self, texto):
        if not texto:
            return texto
        for padrao, substituto in self.padroes:
            texto = padrao.sub(substituto, texto)
        texto = CPF_QUALQUER.sub(lambda a: REMOVIDO["cpf"] if _cpf_valido("".join(a.groups())) else a.group(0), texto)
        return EMAIL_QUALQUER.sub(REMOVIDO["email"], texto)

    def dados(self, valor):
        """The same, through every string of a JSON value (keys kept)."""
        if isinstance(valor, str):
            return self.texto(valor)
        if isinstance(valor, list):
            return [self.dados(item) for item in valor]
        if isinstance(valor, dict):
            return {chave: item if chave in INTOCAVEIS else self.dados(item) for chave, item in valor.items()}
        return valor


# Retention ----------------------------------------------------------------------------------------


def _pendentes(limite):
    """Protocols that keep their consumer's data: still open, or ended at `limite` or later (the
    retention must be over, not just reached)."""
    return Protocolo.objects.filter(consumidor=OuterRef("pk")).filter(
        Q(situacao__in=EM_ABERTO) | Q(encerrado_em__isnull=True) | Q(encerrado_em__gte=limite)
    )


def elegiveis(agora=None, *, guarda_legal=False):
    """Consumers whose retention is over: every protocol ended more than the retention ago (and the
    record itself is that old), not anonymised yet and not under legal hold (or, with
    guarda_legal=True, the ones a legal hold alone keeps)."""
    limite = (agora or relogio.agora()) - retencao()
    return (
        Consumidor.objects.filter(anonimizado_em__isnull=True, retencao_suspensa=guarda_legal, criado_em__lt=limite)
        .exclude(Exists(_pendentes(limite)))
        .order_by("pk")
    )


def motivo_da_recusa(consumidor, agora=None):
    """Why this consumer may not be anonymised now, in plain Portuguese; None when they may."""
    agora = agora or relogio.agora()
    limite = agora - retencao()
    if consumidor.anonimizado_em:
        return f"já foi anonimizado em {timezone.localtime(consumidor.anonimizado_em):%d/%m/%Y}."
    if consumidor.retencao_suspensa:
        motivo = consumidor.motivo_retencao.strip() or "sem motivo registrado"
        return f"está sob guarda legal ({motivo})."
    aberto = consumidor.protocolos.filter(situacao__in=EM_ABERTO).order_by("aberto_em").first()
    if aberto:
        return f"o protocolo {aberto.numero_formatado} ainda está {aberto.get_situacao_display()}."
    recente = (
        consumidor.protocolos.filter(Q(encerrado_em__isnull=True) | Q(encerrado_em__gte=limite))
        .order_by("-encerrado_em")
        .first()
    )
    if recente:
        fim = recente.encerrado_em or recente.aberto_em
        return (
            f"o protocolo {recente.numero_formatado} terminou em {timezone.localtime(fim):%d/%m/%Y}; "
            f"os dados ficam guardados até {timezone.localtime(fim + retencao()):%d/%m/%Y} "
            f"({settings.PROTOCOLO_RETENCAO_DIAS} dias de retenção)."
        )
    if consumidor.criado_em >= limite:
        return (
            f"o cadastro é de {timezone.localtime(consumidor.criado_em):%d/%m/%Y}; "
            f"a retenção de {settings.PROTOCOLO_RETENCAO_DIAS} dias ainda não terminou."
        )
    return None


# Anonymisation ------------------------------------------------------------------------------------


def anonimizar(consumidor, *, agora=None):
    """Anonymise one consumer, in one transaction; DadosInvalidos (with the reason) when the
    retention or a legal hold does not allow it. Returns how many timeline entries were redacted."""
    with transaction.atomic():
        consumidor = Consumidor.objects.select_for_update().get(pk=consumidor.pk)
        protocolos = list(
            Protocolo.objects.select_for_update(of=("self",)).filter(consumidor=consumidor).order_by("pk")
        )
        # Checked under the locks: nobody changes the consumer or their protocols meanwhile.
        if motivo := motivo_da_recusa(consumidor, agora):
            raise DadosInvalidos(f"{consumidor} não pode ser anonimizado: {motivo}")
        contatos = list(_contatos_do_titular(consumidor, protocolos).select_for_update())
        mascara = Mascara(consumidor, contatos)
        redigidas = 0
        for protocolo in protocolos:
            redigidas += _redigir_protocolo(protocolo, mascara)
        _limpar_mensagens(contatos, protocolos)
        agora = relogio.agora()
        # Emptied and closed, never deleted: the record still shows a contact existed and when.
        Contato.objects.filter(pk__in=[c.pk for c in contatos]).update(valor="", encerrado_em=agora)
        consumidor.nome = NOME_ANONIMO
        consumidor.cpf = None
        consumidor.anonimizado_em = agora
        consumidor.save(update_fields=["nome", "cpf", "anonimizado_em"])
        # The admin's log names the consumer (a legal hold set or lifted there): not any more.
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Consumidor), object_id=str(consumidor.pk)
        ).update(object_repr=NOME_ANONIMO)
    return redigidas


def _redigir_protocolo(protocolo, mascara):
    """Mask the protocol's texts in place and record, in its chain, what was redacted."""
    numero = protocolo.numero
    entradas = list(Interacao.objects.filter(protocolo=protocolo).order_by("ordem"))
    redigidas = {}
    mac_anterior = ""
    with pgtrigger.ignore(GATILHO):
        for entrada in entradas:
            texto = mascara.texto(entrada.texto)
            # The files go with the rest of the personal data: their records say so, hash kept.
            detalhes = mascara.dados(anexos.marcar_removidos(entrada.detalhes, Anexo.Remocao.ANONIMIZACAO))
            if (texto, detalhes) != (entrada.texto, entrada.detalhes):
                entrada.texto, entrada.detalhes = texto, detalhes
                # The base manager: the record's own manager refuses every update, as it should.
                Interacao._base_manager.filter(pk=entrada.pk).update(texto=texto, detalhes=detalhes)
                redigidas[str(entrada.ordem)] = integridade.calcular_mac(entrada, numero, mac_anterior)
            # The next entry's MAC covers this one's stored MAC, which the redaction leaves as it was.
            mac_anterior = entrada.mac
    objeto = mascara.texto(protocolo.objeto)
    if objeto != protocolo.objeto:
        protocolo.objeto = objeto
        protocolo.save(update_fields=["objeto"])
    removidos = _remover_anexos(protocolo, Anexo.Remocao.ANONIMIZACAO)
    detalhes = {"redigidas": redigidas}
    if removidos:
        detalhes["anexos_removidos"] = removidos
    services.anexar_ao_historico(
        protocolo,
        tipo=Interacao.Tipo.ANONIMIZACAO,
        origem=Interacao.Origem.SISTEMA,
        texto="Dados pessoais do consumidor anonimizados (LGPD): fim do prazo de retenção."
        + (f" {len(removidos)} arquivo(s) anexado(s) removido(s)." if removidos else ""),
        detalhes=detalhes,
    )
    return len(redigidas)


def _remover_anexos(protocolo, motivo, filtro=None):
    """Mark the protocol's kept files removed and remove their bytes once this transaction
    commits. Only this protocol's keys: no other protocol's evidence shares them. Returns what
    the chain records of each."""
    linhas = list(
        Anexo.objects.filter(protocolo=protocolo, removido_em__isnull=True, **(filtro or {}))
        .select_related("interacao")
        .order_by("interacao__ordem", "posicao")
    )
    if not linhas:
        return []
    Anexo.objects.filter(pk__in=[a.pk for a in linhas]).update(removido_em=relogio.agora(), remocao=motivo)
    chaves = [a.chave for a in linhas]
    transaction.on_commit(lambda: anexos.remover_do_armazenamento(chaves))
    return [{"ordem": a.interacao.ordem, "posicao": a.posicao, "sha256": a.sha256} for a in linhas]


def _contatos_do_titular(consumidor, protocolos):
    """The contacts bound to the consumer and those typed on their protocols."""
    return Contato.objects.filter(Q(consumidor=consumidor) | Q(protocolo__in=protocolos)).order_by("pk")


def _limpar_mensagens(contatos, protocolos):
    """The outbox is not the record: its copies of messages to this consumer go, and so do the
    confirmation codes sent to their telephones (each keeps the telephone)."""
    CodigoDeConfirmacao.objects.filter(contato__in=contatos).delete()
    filtro = Q(protocolo__in=protocolos) | Q(contato__in=contatos)
    for valor in {c.valor for c in contatos if c.tipo == Contato.Tipo.EMAIL and c.valor}:
        filtro |= Q(destinatario__iexact=valor)
    # A replacement points at the message it replaced (PROTECT, which the collector would refuse
    # even with both going): the pointers go first, within the set.
    Mensagem.objects.filter(filtro, substitui__isnull=False).update(substitui=None)
    Mensagem.objects.filter(filtro).delete()


# The data subject's copy --------------------------------------------------------------------------


def _data(valor):
    if valor is None:
        return None
    if isinstance(valor, datetime.datetime):
        return timezone.localtime(valor).isoformat()
    return valor.isoformat()


def exportar_titular(consumidor, *, usuario):
    """Everything we hold about one consumer (LGPD art. 18 II), as JSON-ready data; recorded as an
    access to personal data (art. 37)."""
    AcessoDadoPessoal.objects.create(usuario=usuario, consumidor=consumidor, tipo=AcessoDadoPessoal.Tipo.EXPORTAR)
    protocolos = (
        Protocolo.objects.filter(consumidor=consumidor)
        .select_related("categoria", "responsavel", "duplicado_de")
        .order_by("aberto_em")
    )
    arquivos = {}
    for anexo in (
        Anexo.objects.filter(protocolo__consumidor=consumidor)
        .select_related("interacao")
        .order_by("protocolo", "interacao__ordem", "posicao")
    ):
        arquivos.setdefault(anexo.protocolo_id, []).append(anexo)
    interacoes = {}
    for entrada in (
        Interacao.objects.filter(protocolo__consumidor=consumidor)
        .select_related("autor")
        .order_by("protocolo", "ordem")
    ):
        interacoes.setdefault(entrada.protocolo_id, []).append(
            {
                "ordem": entrada.ordem,
                "em": _data(entrada.criada_em),
                "tipo": entrada.get_tipo_display(),
                "origem": entrada.get_origem_display(),
                "publica": entrada.publica,
                "texto": entrada.texto,
                "autor": nome_de(entrada.autor) or None,
                "situacao_anterior": entrada.situacao_anterior or None,
                "situacao_nova": entrada.situacao_nova or None,
                "nivel_anterior": entrada.nivel_anterior,
                "nivel_novo": entrada.nivel_novo,
                "detalhes": entrada.detalhes,
            }
        )
    return {
        "titular": {
            "nome": consumidor.nome,
            "cpf": formatar_cpf(consumidor.cpf) or None,
            "contatos": [
                {
                    "tipo": c.get_tipo_display(),
                    "valor": c.valor,
                    "origem": c.get_origem_display(),
                    "protocolo": c.protocolo.numero_formatado if c.protocolo_id else None,
                    "vinculado": c.vinculado,
                    "verificacao": c.verificacao or None,
                    "confirmado_em": _data(c.confirmado_em),
                    "vinculado_em": _data(c.vinculado_em),
                    "encerrado_em": _data(c.encerrado_em),
                }
                for c in _contatos_do_titular(consumidor, protocolos).select_related("protocolo")
            ],
            "cadastrado_em": _data(consumidor.criado_em),
            "anonimizado_em": _data(consumidor.anonimizado_em),
            "guarda_legal": consumidor.retencao_suspensa,
            "motivo_da_guarda_legal": consumidor.motivo_retencao or None,
        },
        "protocolos": [
            {
                "numero": p.numero_formatado,
                "canal": p.get_canal_display(),
                "categoria": p.categoria.nome if p.categoria else None,
                "objeto": p.objeto,
                "situacao": p.get_situacao_display(),
                "nivel": p.get_nivel_display(),
                "responsavel": nome_de(p.responsavel) or None,
                "aberto_em": _data(p.aberto_em),
                "prazo": _data(p.prazo),
                "resolvido_em": _data(p.resolvido_em),
                "encerrado_em": _data(p.encerrado_em),
                "duplicado_de": p.duplicado_de.numero_formatado if p.duplicado_de else None,
                "avaliacao": p.avaliacao,
                "linha_do_tempo": interacoes.get(p.pk, []),
                "anexos": [_anexo_exportado(p, a) for a in arquivos.get(p.pk, [])],
            }
            for p in protocolos
        ],
    }


def _anexo_exportado(protocolo, anexo):
    """One file in the export: its record, and where its bytes are inside the package (None once
    removed)."""
    return {
        "ordem": anexo.interacao.ordem,
        "posicao": anexo.posicao,
        "nome": anexo.nome,
        "tipo": anexo.tipo,
        "tamanho": anexo.tamanho,
        "sha256": anexo.sha256,
        "sha256_do_arquivo_recebido": anexo.sha256_original,
        "publico": anexo.publica,
        "enviado_em": _data(anexo.criado_em),
        "removido": anexo.get_remocao_display() if anexo.removido else None,
        "arquivo": None
        if anexo.removido
        else f"anexos/{protocolo.numero}/{anexo.interacao.ordem}-{anexo.posicao}-{anexo.nome}",
        "_chave": None if anexo.removido else anexo.chave,
    }


def pacote_de_exportacao(conteudo, destino):
    """Write the export to `destino` (a binary file): the JSON alone when no file is kept, or a ZIP
    with `titulares.json` and every kept file under the path the JSON names, streamed from the
    storage. Returns "json" or "zip"."""
    import json
    import shutil
    import zipfile

    arquivos = [
        anexo
        for titular in conteudo["titulares"]
        for protocolo in titular["protocolos"]
        for anexo in protocolo["anexos"]
        if anexo.get("_chave")
    ]
    chaves = {a["arquivo"]: a.pop("_chave") for a in arquivos}
    for titular in conteudo["titulares"]:
        for protocolo in titular["protocolos"]:
            for anexo in protocolo["anexos"]:
                anexo.pop("_chave", None)
    texto = json.dumps(conteudo, ensure_ascii=False, indent=2).encode()
    if not chaves:
        destino.write(texto)
        return "json"
    armazenamento = anexos.armazenamento()
    with zipfile.ZipFile(destino, "w", compression=zipfile.ZIP_DEFLATED) as pacote:
        pacote.writestr("titulares.json", texto)
        for caminho, chave in chaves.items():
            with armazenamento.open(chave, "rb") as origem, pacote.open(caminho, "w") as saida:
                shutil.copyfileobj(origem, saida, 1024 * 1024)
    return "zip"
