"""A protocol's page and its actions, one form each (FORMULARIOS): each action validates its form,
calls one service and redirects; a refusal comes back on the page with what was typed."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from consumidor.apresentacao import linha_publica
from protocolo import anexos, canais, relogio, remocao, selectors, services
from protocolo.contas import segundo_fator
from protocolo.contas.decorators import atendimento, poder_de_supervisor
from protocolo.evidencias import pdf
from protocolo.exceptions import DadosInvalidos, ErroProtocolo, VersaoDesatualizada
from protocolo.forms import ComAnexos
from protocolo.models import EQUIPE_DO_NIVEL, NIVEL_MAXIMO, Contato, EscolhaDeCanal, Mensagem, Situacao, nome_de
from protocolo.services import preferencias, respostas
from protocolo.services.contatos import mascarar_contato
from protocolo.services.movimentos import DEMANDA_REGISTRADA

from .. import forms
from .comum import categorias_ativas, exigir, protocolo_ou_404, url_do_protocolo


@dataclass
class Formulario:
    classe: type
    permissao: str | None = None
    extras: tuple = field(default=())
    # The `_pode` flag under which the page shows the form; None: always shown.
    mostrado_se: str | None = "alterar"


FORMULARIOS = {
    "identificar": Formulario(forms.IdentificarForm),
    "vincular": Formulario(forms.VincularContatoForm),
    "preferencia": Formulario(forms.PreferenciaForm),
    "canal_telefone": Formulario(forms.CanalDoTelefoneForm),
    "categoria": Formulario(forms.CategoriaForm, extras=("categorias",), mostrado_se="demanda"),
    "objeto": Formulario(forms.ObjetoForm, mostrado_se="demanda"),
    "interacao": Formulario(forms.InteracaoForm, mostrado_se=None),
    "situacao": Formulario(forms.SituacaoForm, mostrado_se="mudar"),
    "assumir": Formulario(forms.AssumirForm),
    "atribuir": Formulario(forms.AtribuirForm, "atribuir_protocolo", extras=("atendentes",)),
    "escalar": Formulario(forms.MotivoForm, "escalar_protocolo", mostrado_se="escalar"),
    "resolver": Formulario(forms.ResolverForm, mostrado_se="resolver"),
    "reabrir": Formulario(forms.MotivoForm, mostrado_se="reabrir"),
    "duplicado": Formulario(forms.DuplicadoForm, mostrado_se="duplicar"),
    "sem_demanda": Formulario(forms.MotivoForm, mostrado_se="sem_demanda"),
    "cancelar": Formulario(forms.MotivoForm, "cancelar_protocolo", mostrado_se="cancelar"),
    "prorrogar": Formulario(forms.ProrrogarForm, "prorrogar_prazo", mostrado_se="prorrogar"),
}


class _Fontes:
    """What the forms' choices come from, read at most once per request."""

    def __init__(self, usuario):
        self.usuario = usuario

    def categorias(self):
        if not hasattr(self, "_categorias"):
            self._categorias = categorias_ativas()
        return self._categorias

    def atendentes(self):
        if not hasattr(self, "_atendentes"):
            self._atendentes = list(selectors.atendentes_ativos())
        return self._atendentes


def _formulario(nome, protocolo, fontes, dados=None, request=None):
    """The named form; bound to a request, with its files and, for a form that takes files, what
    the upload handler refused while reading the body (protocolo/anexos.py)."""
    definicao = FORMULARIOS[nome]
    extras = {extra: getattr(fontes, extra)() for extra in definicao.extras}
    if request is not None and issubclass(definicao.classe, ComAnexos):
        extras |= {"files": request.FILES, "recusa": getattr(request, "anexos_recusados", "")}
    return definicao.classe(dados, protocolo=protocolo, prefix=nome, **extras)


def _demanda_aberta(protocolo):
    return not protocolo.finalizado and protocolo.situacao != Situacao.RESOLVIDO


def _sem_demanda(protocolo, usuario, linha_do_tempo):
    """Whether the page offers closing without demand: to whoever opened it, on the opening day,
    while nothing of a demand is recorded (the service checks it all again)."""
    abertura = linha_do_tempo[0] if linha_do_tempo else None
    return (
        protocolo.acao_para(Situacao.SEM_DEMANDA) == "encerrar_sem_demanda"
        and abertura is not None
        and abertura.autor_id == usuario.pk
        and timezone.localdate(protocolo.aberto_em) == relogio.hoje()
        and not protocolo.objeto
        and protocolo.categoria_id is None
        and not any(i.tipo in DEMANDA_REGISTRADA for i in linha_do_tempo)
    )


def _pode(protocolo, formularios, sem_demanda=False, trabalha=True):
    """Which action forms the protocol's state admits (the state machine decides, TRANSICOES) to
    this user: outside the nível's team only a supervisor's powers and internal notes remain
    (GRUPOS_DO_NIVEL; the services refuse the rest)."""
    aberto = not protocolo.finalizado
    if not trabalha:
        return {
            "trabalha": False,
            "alterar": False,
            "demanda": False,
            "mudar": False,
            "escalar": False,
            "resolver": False,
            "reabrir": False,
            "duplicar": False,
            "cancelar": protocolo.acao_para(Situacao.CANCELADO) == "cancelar",
            "prorrogar": aberto and protocolo.prazo is not None,
            "sem_demanda": False,
        }
    return {
        "trabalha": True,
        "alterar": aberto,
        # What the consumer asked and its categoria (hence the prazo) are settled once answered:
        # a resolved protocol is reopened before its demand changes.
        "demanda": _demanda_aberta(protocolo),
        "mudar": bool(formularios["situacao"].fields["situacao"].choices),
        # A resolved protocol is reopened before it rises (protocolo_escalar refuses it).
        "escalar": aberto and protocolo.nivel < NIVEL_MAXIMO and protocolo.situacao != Situacao.RESOLVIDO,
        "resolver": protocolo.acao_para(Situacao.RESOLVIDO) == "resolver",
        "reabrir": protocolo.acao_para(Situacao.EM_ATENDIMENTO) == "reabrir",
        "duplicar": protocolo.acao_para(Situacao.ENCERRADO) == "duplicar",
        "cancelar": protocolo.acao_para(Situacao.CANCELADO) == "cancelar",
        "prorrogar": aberto and protocolo.prazo is not None,
        "sem_demanda": sem_demanda,
    }


def _nao_enviado(form):
    """(label, text) of each field filled in; a choice by its label."""
    preenchidos = []
    for campo in form.visible_fields():
        valor = str(campo.value() or "").strip()
        if valor:
            preenchidos.append((campo.label, dict(getattr(campo.field, "choices", ())).get(valor, valor)))
    return preenchidos


def _pagina(request, protocolo, *, vinculados=None, status=200, cpf=None, fontes=None):
    fontes = fontes or _Fontes(request.user)
    vinculados = vinculados or {}
    formularios = {}
    for nome, definicao in FORMULARIOS.items():
        if definicao.permissao and not request.user.has_perm(f"protocolo.{definicao.permissao}"):
            continue
        formularios[nome] = vinculados.get(nome) or _formulario(nome, protocolo, fontes)
    linha_do_tempo = list(selectors.linha_do_tempo(protocolo))
    for entrada in linha_do_tempo:
        # From the sealed record each entry already carries: no query.
        entrada.arquivos = anexos.descrever(entrada)
    trabalha = protocolo.trabalhado_por(request.user)
    if not trabalha:
        interacao = formularios["interacao"]
        interacao.fields["tipo"].choices = [c for c in interacao.fields["tipo"].choices if c[0] == interacao.INTERNA]
    pode = _pode(protocolo, formularios, _sem_demanda(protocolo, request.user, linha_do_tempo), trabalha)
    escolha = _resposta_pronta(request, protocolo, formularios, vinculados)
    contexto = {
        "resposta_pronta": escolha,
        "protocolo": protocolo,
        "f": formularios,
        "abertos": set(vinculados),
        # A refused form whose action the protocol no longer admits is not on the page: what was
        # typed in it is shown apart, to be copied.
        "nao_enviados": [
            _nao_enviado(form)
            for nome, form in vinculados.items()
            if (flag := FORMULARIOS[nome].mostrado_se) and not pode[flag]
        ],
        "linha_do_tempo": linha_do_tempo,
        "contatos": _contatos(protocolo),
        "mensagens_enviadas": _mensagens(protocolo),
        "outros_em_aberto": selectors.outros_em_aberto(protocolo),
        "cpf_revelado": cpf,
        "pode": pode,
        # The supervisor not verified yet sees the way too: the page asks for the code first.
        "pode_remover_anexos": request.user.has_perm("protocolo.remover_anexo")
        or segundo_fator.falta_para(request.user, "protocolo.remover_anexo"),
        "sou_responsavel": protocolo.responsavel_id == request.user.pk,
        "equipe_do_nivel": EQUIPE_DO_NIVEL[protocolo.nivel],
        # A supervisor without the second factor yet: the page offers the code instead of the forms.
        "verificar_supervisao": (
            segundo_fator.pedir_codigo(url_do_protocolo(protocolo))
            if segundo_fator.falta_para_algum(request.user)
            else None
        ),
    }
    return render(request, "atendimento/protocolo.html", contexto, status=status)


def _contatos(protocolo):
    """[(contact, masked, channel states)] for the contacts section: each open confirmed telephone
    with the state of the channels the company sends by (one query, only when there is one)."""
    contatos = services.contatos_para_a_equipe(protocolo)
    ativos = preferencias.canais_de_telefone()
    telefones = [c for c in contatos if c.tipo == Contato.Tipo.TELEFONE and c.encerrado_em is None and c.confirmado_em]
    escolhas = canais.vigentes({c.valor for c in telefones}) if ativos and telefones else {}
    linhas = []
    for contato in contatos:
        estados = []
        if contato in telefones:
            for canal in ativos:
                escolha = escolhas.get((contato.valor, canal))
                estados.append((Mensagem.Canal(canal).label, canal, escolha))
        linhas.append((contato, mascarar_contato(contato), estados))
    return linhas


def _resposta_pronta(request, protocolo, formularios, vinculados):
    """The canned-answer picker; with one chosen (?resposta=), the interaction form starts from its
    text filled for the protocol, as a public answer. One query for the choices, none for the pick."""
    lista = list(respostas.respostas_para(protocolo).select_related("categoria"))
    dados = request.GET if request.method == "GET" and "resposta" in request.GET else None
    escolha = forms.RespostaProntaForm(dados, respostas=lista)
    if "interacao" not in vinculados and escolha.is_bound and escolha.is_valid():
        resposta = escolha.respostas.get(escolha.cleaned_data["resposta"])
        if resposta is not None:
            formularios["interacao"].initial.update(
                texto=respostas.preencher(resposta.texto, protocolo), tipo=forms.InteracaoForm.PUBLICA
            )
    return escolha


@require_safe
@atendimento
def protocolo(request, numero):
    return _pagina(request, protocolo_ou_404(numero))


def _agir(request, numero, nome, executar, sucesso):
    """Validate the named form, call the service; a refusal becomes a message. A refused form comes
    back with what was typed, on the protocol as it is now (a stale one carrying the current
    version, so sending it again applies it)."""
    protocolo = protocolo_ou_404(numero)
    if permissao := FORMULARIOS[nome].permissao:
        exigir(request, permissao)
    fontes = _Fontes(request.user)
    form = _formulario(nome, protocolo, fontes, request.POST, request)
    if not form.is_valid():
        return _pagina(request, protocolo, vinculados={nome: form}, fontes=fontes)
    try:
        resultado = executar(protocolo, form.cleaned_data)
    except ErroProtocolo as erro:
        messages.error(request, erro.mensagem)
        atual = protocolo_ou_404(numero)
        dados = request.POST.copy()
        dados[f"{nome}-versao"] = str(atual.versao)
        status = 409 if isinstance(erro, VersaoDesatualizada) else 200
        return _pagina(
            request, atual, vinculados={nome: _formulario(nome, atual, fontes, dados)}, status=status, fontes=fontes
        )
    mensagem = sucesso(resultado) if callable(sucesso) else sucesso
    if mensagem:
        messages.success(request, mensagem)
    return redirect(url_do_protocolo(protocolo))


def _acao(nome, executar, sucesso):
    permissao = FORMULARIOS[nome].permissao

    @require_POST
    @atendimento
    @poder_de_supervisor(f"protocolo.{permissao}" if permissao else None)
    def view(request, numero):
        return _agir(request, numero, nome, lambda p, d: executar(request, p, d), sucesso)

    view.__name__ = view.__qualname__ = nome
    return view


def _identificado(resultado):
    _, consumidor, criado = resultado
    if criado:
        return f"Consumidor {consumidor} cadastrado e identificado no protocolo."
    return f"Consumidor já cadastrado ({consumidor}) identificado no protocolo; os dados existentes foram mantidos."


identificar = _acao(
    "identificar",
    lambda r, p, d: services.protocolo_identificar_por_cpf(protocolo=p, autor=r.user, **d),
    _identificado,
)


def _vincular(request, protocolo, dados):
    if protocolo.consumidor is None:
        raise DadosInvalidos("Identifique o consumidor pelo CPF antes de vincular um contato.")
    return services.consumidor_vincular_contato(
        consumidor=protocolo.consumidor,
        tipo=dados["tipo"],
        valor=dados["valor"],
        origem=Contato.Origem.ATENDIMENTO,
        verificacao=dados["verificacao"],
        autor=request.user,
        protocolo=protocolo,
    )


vincular = _acao(
    "vincular",
    _vincular,
    lambda c: (
        f"{c.get_tipo_display().capitalize()} vinculado ao consumidor; os contatos vinculados antes foram avisados."
    ),
)
preferencia = _acao(
    "preferencia",
    lambda r, p, d: services.protocolo_preferir_canal(
        protocolo=p, canal=d["canal_preferido"], origem=EscolhaDeCanal.Origem.ATENDIMENTO, autor=r.user
    ),
    "Preferência do consumidor registrada.",
)
canal_telefone = _acao(
    "canal_telefone",
    lambda r, p, d: services.protocolo_escolher_canal_do_telefone(
        protocolo=p,
        contato=d["contato"],
        canal=d["canal"],
        aceita=d["acao"] == forms.CanalDoTelefoneForm.RETOMAR,
        origem=EscolhaDeCanal.Origem.ATENDIMENTO,
        autor=r.user,
    ),
    "Pedido do consumidor registrado: vale a partir da próxima mensagem.",
)
categoria = _acao(
    "categoria",
    lambda r, p, d: services.protocolo_definir_categoria(
        protocolo=p, categoria=d["categoria"], autor=r.user, versao=d["versao"]
    ),
    lambda p: f"Categoria: {p.categoria}. Prazo de resposta: {p.prazo:%d/%m/%Y}.",
)
objeto = _acao(
    "objeto",
    lambda r, p, d: services.protocolo_registrar_objeto(protocolo=p, objeto=d["objeto"], autor=r.user),
    "Objeto da demanda registrado.",
)


def _tem_email(protocolo):
    """Whether the service sent a message at once (to a confirmed e-mail of this protocol)."""
    return any(c.confirmado for c in services.destinatarios(protocolo))


SEM_EMAIL = "nenhum e-mail confirmado acompanha este protocolo, então nada foi enviado: avise-o por telefone."


def _interacao_registrada(interacao):
    if not interacao.publica:
        return "Nota interna registrada."
    if _tem_email(interacao.protocolo):
        return "Resposta registrada e enviada ao consumidor."
    return f"Resposta registrada; {SEM_EMAIL}"


interacao = _acao(
    "interacao",
    lambda r, p, d: services.protocolo_registrar_interacao(
        protocolo=p,
        texto=d["texto"],
        autor=r.user,
        publica=d["tipo"] == forms.InteracaoForm.PUBLICA,
        preparados=d["arquivos"],
    ),
    _interacao_registrada,
)
situacao = _acao(
    "situacao",
    lambda r, p, d: services.protocolo_mudar_situacao(
        protocolo=p, situacao=d["situacao"], texto=d["texto"], autor=r.user, versao=d["versao"]
    ),
    lambda p: f"Situação: {p.get_situacao_display()}.",
)
assumir = _acao(
    "assumir",
    lambda r, p, d: services.protocolo_atribuir(protocolo=p, responsavel=r.user, autor=r.user, versao=d["versao"]),
    "Você é o responsável por este protocolo.",
)
atribuir = _acao(
    "atribuir",
    lambda r, p, d: services.protocolo_atribuir(
        protocolo=p, responsavel=d["responsavel"], autor=r.user, versao=d["versao"]
    ),
    lambda p: f"Responsável: {nome_de(p.responsavel)}." if p.responsavel else "Protocolo devolvido à fila.",
)
escalar = _acao(
    "escalar",
    lambda r, p, d: services.protocolo_escalar(protocolo=p, motivo=d["motivo"], autor=r.user, versao=d["versao"]),
    lambda p: f"Protocolo escalado para o nível {p.get_nivel_display()}.",
)
resolver = _acao(
    "resolver",
    lambda r, p, d: services.protocolo_resolver(protocolo=p, texto=d["texto"], autor=r.user, versao=d["versao"]),
    lambda p: (
        "Protocolo resolvido; o consumidor foi avisado." if _tem_email(p) else f"Protocolo resolvido; {SEM_EMAIL}"
    ),
)
reabrir = _acao(
    "reabrir",
    lambda r, p, d: services.protocolo_reabrir(protocolo=p, motivo=d["motivo"], autor=r.user, versao=d["versao"]),
    "Protocolo reaberto.",
)


def _duplicar(request, protocolo, dados):
    original = selectors.protocolo_por_numero(dados["numero"])
    if original is None:
        raise DadosInvalidos("Nenhum protocolo com esse número.")
    return services.protocolo_marcar_duplicado(
        protocolo=protocolo, original=original, autor=request.user, versao=dados["versao"]
    )


duplicado = _acao(
    "duplicado",
    _duplicar,
    lambda p: f"Protocolo encerrado como duplicado de {p.duplicado_de.numero_formatado}.",
)
sem_demanda = _acao(
    "sem_demanda",
    lambda r, p, d: services.protocolo_encerrar_sem_demanda(
        protocolo=p, motivo=d["motivo"], autor=r.user, versao=d["versao"]
    ),
    "Protocolo encerrado sem demanda; o número continua registrado.",
)
cancelar = _acao(
    "cancelar",
    lambda r, p, d: services.protocolo_cancelar(protocolo=p, motivo=d["motivo"], autor=r.user, versao=d["versao"]),
    "Protocolo cancelado.",
)
prorrogar = _acao(
    "prorrogar",
    lambda r, p, d: services.protocolo_prorrogar_prazo(
        protocolo=p, novo_prazo=d["novo_prazo"], motivo=d["motivo"], autor=r.user, versao=d["versao"]
    ),
    lambda p: f"Prazo prorrogado para {p.prazo:%d/%m/%Y}.",
)


def _mensagens(protocolo):
    """The protocol's messages, oldest first as the timeline runs; a given-up one knows the
    replacements it got (substitutas_na_pagina), a replacement the one it replaces (substituida),
    without a query more."""
    mensagens = list(protocolo.mensagens.order_by("criada_em", "pk"))
    por_id = {m.pk: m for m in mensagens}
    for mensagem in mensagens:
        mensagem.substitutas_na_pagina = []
    for mensagem in mensagens:
        mensagem.substituida = por_id.get(mensagem.substitui_id)
        if mensagem.substituida is not None:
            mensagem.substituida.substitutas_na_pagina.append(mensagem)
    return mensagens


@require_POST
@atendimento
def enviar_numero(request, numero):
    protocolo = protocolo_ou_404(numero)
    try:
        enviadas = services.protocolo_enviar_numero(protocolo=protocolo, autor=request.user)
    except ErroProtocolo as erro:
        messages.error(request, erro.mensagem)
    else:
        if enviadas:
            para = ", ".join(m.destinatario for m in enviadas)
            messages.success(request, f"Número enviado para {para}; acompanhe a entrega abaixo.")
        else:
            messages.warning(
                request,
                "O consumidor recusou todos os canais que tem (SMS e WhatsApp) e não tem e-mail: o número não foi "
                "enviado, e o histórico registra isso. Informe o número por telefone.",
            )
    return redirect(url_do_protocolo(protocolo))


@require_POST
@atendimento
def mostrar_cpf(request, numero):
    """The full CPF in this response only; every time is recorded (LGPD art. 37)."""
    protocolo = protocolo_ou_404(numero)
    if protocolo.consumidor is None:
        messages.error(request, "O protocolo ainda não tem consumidor identificado.")
        return redirect(url_do_protocolo(protocolo))
    try:
        cpf = services.consumidor_revelar_cpf(
            consumidor=protocolo.consumidor, usuario=request.user, protocolo=protocolo
        )
    except ErroProtocolo as erro:
        messages.error(request, erro.mensagem)
        return redirect(url_do_protocolo(protocolo))
    return _pagina(request, protocolo, cpf=cpf)


@require_safe
@never_cache
@atendimento
def dossie_pdf(request, numero):
    """The consumer's dossiê as they download it (public entries only, signed), for the team to hand
    over, e.g. to Procon: never the back-office's view of the protocol."""
    protocolo = protocolo_ou_404(numero)
    linha = linha_publica(selectors.linha_do_tempo(protocolo, publica=True))
    dados, _ = pdf.documento(pdf.html_do_dossie(protocolo, linha, pdf.anexos_do_dossie(linha)))
    resposta = HttpResponse(dados, content_type="application/pdf")
    resposta["Content-Disposition"] = f'attachment; filename="dossie-{protocolo.numero}.pdf"'
    resposta["X-Content-Type-Options"] = "nosniff"
    return resposta


@require_safe
@never_cache
@atendimento
def anexo(request, numero, ordem, posicao):
    """A file of the protocol, public or internal, to whoever may see its page; streamed from the
    storage as a download."""
    protocolo = protocolo_ou_404(numero)
    arquivo = selectors.anexo_do_protocolo(protocolo, ordem, posicao, publica=False)
    resposta = anexos.resposta(arquivo) if arquivo is not None else None
    if resposta is None:
        raise Http404("Anexo não encontrado.")
    return resposta


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@atendimento
@poder_de_supervisor("protocolo.remover_anexo")
def remover_anexo(request, numero, ordem, posicao):
    """A supervisor removes a file by legal order (protocolo/remocao.py): the page names the file,
    the form takes the order's number and reason; a refusal keeps what was typed."""
    exigir(request, "remover_anexo")
    protocolo = protocolo_ou_404(numero)
    arquivo = selectors.anexo_do_protocolo(protocolo, ordem, posicao, publica=False)
    if arquivo is None:
        raise Http404("Anexo não encontrado.")
    form = forms.RemoverAnexoForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            remocao.anexo_remover_por_ordem_judicial(
                anexo=arquivo,
                autor=request.user,
                motivo=form.cleaned_data["motivo"],
                referencia=form.cleaned_data["referencia"],
            )
        except ErroProtocolo as erro:
            form.add_error(None, erro.mensagem)
        else:
            messages.success(request, "Arquivo removido por ordem judicial; a remoção ficou registrada no histórico.")
            return redirect(url_do_protocolo(protocolo))
    contexto = {"protocolo": protocolo, "anexo": arquivo, "form": form}
    return render(request, "atendimento/remover_anexo.html", contexto, status=200)
