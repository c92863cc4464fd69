"""
The consumer portal (docs/dominio.md §2, §5). A visitor reaches a protocol only with its number and CPF
(posted, never in a URL or a log) or a signed link; anything else is the same 404 as a number that
does not exist. Views are thin: forms validate, selectors read, services change, domain refusals
become messages. Error reports hide the posted CPF (sensitive_post_parameters). Pages with a
protocol's contents are never_cache: the back button of a shared computer must not bring them back
once the access has expired.
"""

import json
import re

import segno
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from protocolo import anexos, integridade, numeracao, relogio, selectors, services, transparencia
from protocolo.exceptions import ErroProtocolo, NumeroInvalido
from protocolo.models import EQUIPE_DO_NIVEL, EscolhaDeCanal, Protocolo, Situacao
from protocolo.operacao import desafio, limites
from protocolo.operacao.rede import ip_do_cliente
from protocolo.services import codigos as servico_de_codigos
from protocolo.services import preferencias

from . import acesso, apresentacao
from .forms import (
    AberturaForm,
    CanalDoTelefoneForm,
    CodigoForm,
    ConsultaForm,
    MensagemForm,
    NovoCodigoForm,
    PreferenciaForm,
    RecuperacaoForm,
    RespostaForm,
    TitularForm,
)

LGPD = "lgpd"
# A receipt code: digits, base-32 letters and dashes, well under 80 characters.
CARACTERES_DO_CODIGO = re.compile(r"[0-9A-Za-z-]{1,80}")


# Helpers ------------------------------------------------------------------------------------------


def _nao_encontrado(request, *, link=False):
    """The one 404 of the portal: a wrong pair, a missing number and a protocol without access."""
    return render(request, "consumidor/nao_encontrado.html", {"link": link}, status=404)


def _limitado(request, erro):
    return limites.resposta(request, erro, "consumidor/limitado.html")


def _protocolo_do_visitante(request, numero):
    """The protocol this session may see, with what its pages show, or None (the caller answers 404).
    An impossible number and a session without any access answer before any query."""
    try:
        numero = numeracao.validar(numero)
    except NumeroInvalido:
        return None
    sessao = request.session
    if not sessao.get(acesso.CHAVE) and acesso.consumidor_acessivel(sessao) is None:
        return None
    protocolo = selectors.protocolo_do_portal(numero)
    if protocolo is None or not acesso.pode_ver(sessao, protocolo):
        return None
    return protocolo


def _conceder(request, protocolo=None, *, consumidor=None):
    """Grant this browser access under a new session key, as a login does: a key planted in the
    browser beforehand (a shared computer, a cookie set by a sibling domain) gains nothing."""
    request.session.cycle_key()
    if consumidor is not None:
        acesso.conceder_consumidor(request.session, consumidor)
    else:
        acesso.conceder(request.session, protocolo)


def _recusa_do_envio(request):
    """What the upload handler refused while reading the body (protocolo/anexos.py), or "". The
    body is read first: the handler runs as it is parsed."""
    request.POST  # noqa: B018
    return getattr(request, "anexos_recusados", "")


def _linha(protocolo):
    return list(selectors.linha_do_tempo_de_leitura(protocolo, publica=True))


# Home and lookup ----------------------------------------------------------------------------------


@require_safe
def inicio(request):
    # The empty form is written out in the template (consumidor/_consulta.html): none is built.
    return render(request, "consumidor/inicio.html")


def _regra(nome):
    return limites.regra(nome)[0]


def _pagina_da_consulta(request, form, *, status=200, avisos=(), com_desafio=False):
    """The lookup form as the visitor sent it (number and CPF still typed in: the page is the answer
    to a POST, never cached, and the CPF never goes into a URL), with what they are told and, when
    needed, a fresh proof-of-work challenge for the next try."""
    contexto = {"form": form, "avisos": avisos, "desafio": desafio.criar() if com_desafio else None}
    return render(request, "consumidor/inicio.html", contexto, status=status)


def _tentativas(falhas_ip, falhas_numero, falhas_cpf):
    """What is left, after a failure: tries before the challenge, and tries with this CPF."""
    antes_do_desafio = min(_regra("consulta_falhas_ip") - falhas_ip, _regra("consulta_falhas_numero") - falhas_numero)
    com_o_cpf = max(0, _regra("consulta_falhas_cpf") - falhas_cpf)
    horas = limites.regra("consulta_falhas_cpf")[1] // 3600
    avisos = ["Não encontramos um protocolo com esse número e esse CPF. Confira os dois e tente de novo."]
    if antes_do_desafio > 0:
        avisos.append(
            f"Você pode tentar mais {antes_do_desafio} vez(es) antes de pedirmos uma verificação rápida do seu "
            "aparelho."
        )
    else:
        avisos.append("As próximas tentativas pedem uma verificação rápida do seu aparelho, feita ao consultar.")
    if com_o_cpf:
        avisos.append(f"Com este CPF, restam {com_o_cpf} tentativa(s) nas próximas {horas} horas.")
    else:
        avisos.append(f"Com este CPF, não há mais tentativas nas próximas {horas} horas.")
    return avisos, antes_do_desafio <= 0


@require_POST
@sensitive_post_parameters("cpf")
@never_cache
def consultar(request):
    """Number + CPF → this session may see the protocol for 30 minutes (PRG to its page).

    A wrong pair and a missing number run the same code (two HMACs, one round trip to the cache, one
    query, one failure count) and get the same answer. Failures and requests per address and failures
    per number never refuse: past their limits the next try needs a solved proof-of-work challenge
    (strangers share addresses, and anyone can fail on someone else's number: the owner always gets
    in). Failures per CPF have a hard cap whatever the challenge: with a leaked CPF a day's numbers are
    few to guess, and number + CPF can accept a resolution. docs/seguranca.md has the numbers."""
    form = ConsultaForm(request.POST)
    valido = form.is_valid()
    rede = limites.rede(ip_do_cliente(request))
    falhas = [("consulta_falhas_ip", rede)]
    if valido:
        numero, cpf = form.cleaned_data["numero"], form.cleaned_data["cpf"]
        chave_numero, chave_cpf = limites.chave(f"numero:{numero}"), limites.chave(f"cpf:{cpf}")
        falhas.append(("consulta_falhas_numero", chave_numero))
    pedidos, contagens, travado = limites.contar_e_ler(
        "consulta_ip", rede, falhas=falhas, bloqueios=("consulta_falhas_cpf", [chave_cpf]) if valido else None
    )
    pede_desafio = pedidos > _regra("consulta_ip") or any(
        contagem >= _regra(nome) for (nome, _), contagem in zip(falhas, contagens, strict=True)
    )
    if not valido:
        return _pagina_da_consulta(request, form, com_desafio=pede_desafio)
    if travado:
        segundos = limites.regra("consulta_falhas_cpf")[1]
        aviso = (
            "Este CPF atingiu o limite de consultas erradas: por segurança, a consulta com ele fica bloqueada "
            f"por até {segundos // 3600} horas. Para ver os seus protocolos agora, receba-os por e-mail em "
            "“Perdi o número” ou ligue para a empresa."
        )
        pagina = _pagina_da_consulta(request, form, status=429, avisos=[aviso])
        pagina["Retry-After"] = str(segundos)
        return pagina
    if pede_desafio and not desafio.resolvido(request.POST.get("altcha")):
        aviso = (
            "Houve muitas tentativas seguidas desta rede ou com este número. Para continuar, o seu aparelho "
            "faz uma verificação rápida (alguns segundos) quando você clicar em Consultar."
        )
        return _pagina_da_consulta(request, form, status=429, avisos=[aviso], com_desafio=True)
    protocolo = selectors.protocolo_por_numero_e_cpf(numero, cpf)
    if protocolo is None:
        contagens = limites.registrar_falhas(
            ("consulta_falhas_ip", rede),
            ("consulta_falhas_numero", chave_numero),
            ("consulta_falhas_cpf", chave_cpf),
            travar=("consulta_falhas_cpf",),
        )
        avisos, com_desafio = _tentativas(*contagens)
        return _pagina_da_consulta(request, form, status=404, avisos=avisos, com_desafio=com_desafio)
    _conceder(request, protocolo)
    return redirect("consumidor:protocolo", numero=protocolo.numero)


# Signed links -------------------------------------------------------------------------------------


def entrar_pelo_link(request, protocolo):
    """The way in of every link sent to a consumer (the e-mail's signed one, the short one of an SMS
    or WhatsApp): this browser gets the protocol, or the portal's one 404 that says nothing of why."""
    if protocolo is None:
        return _nao_encontrado(request, link=True)
    _conceder(request, protocolo)
    return redirect("consumidor:protocolo", numero=protocolo.numero)


@require_safe
def acesso_por_link(request, token):
    return entrar_pelo_link(request, selectors.protocolo_do_link(token))


@require_safe
def acesso_as_demandas(request, token):
    consumidor = selectors.consumidor_do_link(token)
    if consumidor is None:
        return _nao_encontrado(request, link=True)
    _conceder(request, consumidor=consumidor)
    return redirect("consumidor:demandas")


# The protocol's page and the consumer's actions ---------------------------------------------------


def _pagina_do_protocolo(request, protocolo, *, status=200, nao_registrado="", **formularios):
    interacoes = _linha(protocolo)
    contestado = apresentacao.contestado(interacoes)
    # Once resolved, the consumer answers the resolution instead (resolved or not resolved).
    vencido = protocolo.situacao_do_prazo == "vencido"
    aberto = not protocolo.finalizado and protocolo.situacao != Situacao.RESOLVIDO
    pode_responder = protocolo.situacao == Situacao.RESOLVIDO and protocolo.dentro_da_contestacao
    contexto = {
        "protocolo": protocolo,
        "linha": apresentacao.linha_publica(interacoes),
        "explicacao": apresentacao.EXPLICACOES[protocolo.situacao],
        "andamento": apresentacao.andamento(protocolo),
        "proximo_passo": apresentacao.proximo_passo(protocolo),
        "quem_cuida": apresentacao.QUEM_CUIDA.get(protocolo.nivel, ""),
        "resposta_da_empresa": apresentacao.resposta_da_empresa(interacoes) if pode_responder else None,
        "texto_do_prazo": apresentacao.texto_do_prazo(protocolo),
        "vencido": vencido and aberto,
        "mostrar_procon": aberto and (vencido or contestado),
        "pode_escrever": not protocolo.finalizado,
        "pode_pedir_supervisao": aberto and protocolo.nivel < Protocolo.Nivel.SUPERVISAO and (vencido or contestado),
        "na_supervisao": aberto and protocolo.nivel >= Protocolo.Nivel.SUPERVISAO,
        "pode_responder": pode_responder,
        # The empty message form is written out in the template; the empty answer form is built
        # only when offered (a form's construction deep-copies its fields).
        "form_mensagem": formularios.get("form_mensagem"),
        "form_resposta": formularios.get("form_resposta") or (RespostaForm() if pode_responder else None),
        "nao_registrado": nao_registrado,
        "canais": preferencias.canais_do_protocolo(protocolo),
        "form_codigo": formularios.get("form_codigo"),
        "form_novo_codigo": formularios.get("form_novo_codigo"),
        "form_preferencia": formularios.get("form_preferencia"),
        "form_canal": formularios.get("form_canal"),
        "minutos_do_codigo": settings.PROTOCOLO_CODIGO_MINUTOS,
        "ajuda_dos_anexos": MensagemForm.base_fields["arquivos"].help_text,
        "erros_canais": [
            erro
            for nome in ("form_codigo", "form_novo_codigo", "form_preferencia", "form_canal")
            if (form := formularios.get(nome)) is not None
            for erros in form.errors.values()
            for erro in erros
        ],
    }
    return render(request, "consumidor/protocolo.html", contexto, status=status)


@require_safe
@never_cache
def protocolo(request, numero):
    # Queries: the session; the protocol with consumidor, categoria and duplicado_de (with its
    # consumer, whom the signed link to it binds); its public timeline with the authors.
    protocolo = _protocolo_do_visitante(request, numero)
    if protocolo is None:
        return _nao_encontrado(request)
    return _pagina_do_protocolo(request, protocolo)


def _recusado(request, numero, erro, **formularios):
    """A refused action, as the page stands now, with what the consumer typed still in front of
    them (in its form, or read-only when the form is no longer offered): nothing typed is lost."""
    messages.error(request, erro.mensagem)
    return _pagina_do_protocolo(request, _protocolo_do_visitante(request, numero), status=409, **formularios)


@require_POST
def enviar_mensagem(request, numero):
    protocolo = _protocolo_do_visitante(request, numero)
    if protocolo is None:
        return _nao_encontrado(request)
    form = MensagemForm(request.POST, request.FILES, recusa=_recusa_do_envio(request))
    if not form.is_valid():
        return _pagina_do_protocolo(request, protocolo, form_mensagem=form)
    try:
        limites.consumir("mensagem_protocolo", limites.chave(f"protocolo:{protocolo.pk}"))
        limites.consumir("mensagem_ip", limites.rede(ip_do_cliente(request)))
    except limites.Limitado as erro:
        messages.error(
            request,
            "Muitas mensagens seguidas: esta não foi registrada. Ela continua abaixo; envie-a de novo "
            f"em {max(1, erro.segundos // 60)} minuto(s).",
        )
        pagina = _pagina_do_protocolo(
            request, protocolo, status=429, form_mensagem=form, nao_registrado=form.cleaned_data["texto"]
        )
        pagina["Retry-After"] = str(erro.segundos)
        return pagina
    try:
        services.protocolo_registrar_interacao(
            protocolo=protocolo,
            texto=form.cleaned_data["texto"],
            origem=services.Origem.CONSUMIDOR,
            preparados=form.cleaned_data["arquivos"],
        )
    except ErroProtocolo as erro:
        return _recusado(request, numero, erro, form_mensagem=form, nao_registrado=form.cleaned_data["texto"])
    messages.success(request, "Mensagem enviada. A equipe responsável já pode vê-la.")
    return redirect("consumidor:protocolo", numero=protocolo.numero)


@require_POST
def pedir_supervisao(request, numero):
    protocolo = _protocolo_do_visitante(request, numero)
    if protocolo is None:
        return _nao_encontrado(request)
    try:
        protocolo, escalado = services.protocolo_pedir_supervisao(protocolo=protocolo)
    except ErroProtocolo as erro:
        messages.error(request, erro.mensagem)
    else:
        if escalado:
            messages.success(request, "Pedido registrado: a supervisão vai analisar o seu protocolo.")
        else:
            messages.info(request, f"O seu protocolo já está com a {EQUIPE_DO_NIVEL[protocolo.nivel]}.")
    return redirect("consumidor:protocolo", numero=protocolo.numero)


@require_POST
def responder_resolucao(request, numero):
    protocolo = _protocolo_do_visitante(request, numero)
    if protocolo is None:
        return _nao_encontrado(request)
    form = RespostaForm(request.POST)
    if not form.is_valid():
        return _pagina_do_protocolo(request, protocolo, form_resposta=form)
    resolvido = form.cleaned_data["resposta"] == RespostaForm.RESOLVIDO
    nivel_antes = protocolo.nivel
    try:
        protocolo = services.protocolo_responder_resolucao(
            protocolo=protocolo,
            resolvido=resolvido,
            avaliacao=form.cleaned_data["avaliacao"] if resolvido else None,
            comentario=form.cleaned_data["comentario"],
        )
    except ErroProtocolo as erro:
        return _recusado(request, numero, erro, form_resposta=form, nao_registrado=form.cleaned_data["comentario"])
    if resolvido:
        mensagem = "Obrigado pela avaliação. O protocolo foi encerrado."
    else:
        # The words follow the nível it reached (EQUIPE_DO_NIVEL), never a fixed "supervisão".
        equipe = EQUIPE_DO_NIVEL[protocolo.nivel]
        movimento = f"encaminhado à {equipe}" if protocolo.nivel > nivel_antes else f"segue com a {equipe}"
        mensagem = f"O protocolo foi reaberto e {movimento}."
    messages.success(request, mensagem)
    return redirect("consumidor:protocolo", numero=protocolo.numero)


# The telephone's code and the channels ------------------------------------------------------------


def _acao_de_contato(request, numero, classe, opcoes, executar, nome, sucesso):
    """A POST about the protocol's contacts. The form is built with `opcoes(protocolo)` (the
    telephones or channels it may pick, so a forged choice is a form error). Invalid, or refused by
    the service, the page comes back with the form and its error (nothing typed is lost); done, a
    message and the page again (PRG)."""
    protocolo = _protocolo_do_visitante(request, numero)
    if protocolo is None:
        return _nao_encontrado(request)
    form = classe(request.POST, **opcoes(protocolo))
    if form.is_valid():
        try:
            executar(protocolo, form.cleaned_data)
        except ErroProtocolo as erro:
            form.add_error(None, erro.mensagem)
        else:
            messages.success(request, sucesso(form.cleaned_data) if callable(sucesso) else sucesso)
            return redirect(reverse("consumidor:protocolo", args=[protocolo.numero]) + "#canais")
    return _pagina_do_protocolo(request, _protocolo_do_visitante(request, numero), **{nome: form})


def _a_confirmar(protocolo):
    return {"telefones": servico_de_codigos.telefones_a_confirmar(protocolo)}


@require_POST
@sensitive_post_parameters("codigo")
def confirmar_telefone(request, numero):
    """The code the telephone received, typed back: proves control of the telephone, never
    ownership of the CPF (docs/seguranca.md, "Confirmação por código")."""
    return _acao_de_contato(
        request,
        numero,
        CodigoForm,
        _a_confirmar,
        lambda p, d: services.protocolo_confirmar_telefone(protocolo=p, contato=d["telefone"], codigo=d["codigo"]),
        "form_codigo",
        "Telefone confirmado: ele passa a receber as mensagens deste protocolo.",
    )


@require_POST
def novo_codigo(request, numero):
    return _acao_de_contato(
        request,
        numero,
        NovoCodigoForm,
        _a_confirmar,
        lambda p, d: services.protocolo_pedir_codigo(protocolo=p, contato=d["telefone"]),
        "form_novo_codigo",
        "Enviamos um novo código ao telefone. O anterior não vale mais.",
    )


@require_POST
def preferir_canal(request, numero):
    return _acao_de_contato(
        request,
        numero,
        PreferenciaForm,
        lambda p: {"canais": preferencias.canais_possiveis(p)},
        lambda p, d: services.protocolo_preferir_canal(
            protocolo=p, canal=d["canal_preferido"], origem=EscolhaDeCanal.Origem.PORTAL
        ),
        "form_preferencia",
        "Preferência registrada.",
    )


@require_POST
def canal_do_telefone(request, numero):
    """Stop or resume SMS or WhatsApp for a confirmed telephone of the protocol: honoured from the
    next message on, for every protocol that telephone receives."""
    return _acao_de_contato(
        request,
        numero,
        CanalDoTelefoneForm,
        lambda p: {"telefones": preferencias.telefones_do_protocolo(p)},
        lambda p, d: services.protocolo_escolher_canal_do_telefone(
            protocolo=p,
            contato=d["telefone"],
            canal=d["canal"],
            aceita=d["acao"] == CanalDoTelefoneForm.RETOMAR,
            origem=EscolhaDeCanal.Origem.PORTAL,
        ),
        "form_canal",
        lambda d: (
            "Pronto: este telefone volta a receber por esse canal."
            if d["acao"] == CanalDoTelefoneForm.RETOMAR
            else "Pronto: este telefone não recebe mais mensagens por esse canal, a partir da próxima."
        ),
    )


# Receipt, verification, history -------------------------------------------------------------------


def _qr_svg(url):
    # segno writes presentation attributes only (no style=""), so the strict CSP holds.
    svg = segno.make(url, error="m").svg_inline(
        scale=4, omitsize=True, svgclass="qr", lineclass=None, title="Código QR para verificar este comprovante"
    )
    return svg.replace("<svg ", '<svg role="img" aria-label="Código QR para verificar este comprovante" ', 1)


@require_safe
@never_cache
def comprovante(request, numero):
    protocolo = _protocolo_do_visitante(request, numero)
    if protocolo is None:
        return _nao_encontrado(request)
    codigo = integridade.codigo_comprovante(protocolo, selectors.cabeca_da_cadeia(protocolo))
    caminho = reverse("consumidor:verificar", args=[codigo])
    contexto = {
        "protocolo": protocolo,
        "codigo": codigo,
        "caminho_verificacao": caminho,
        "url_verificacao": settings.PROTOCOLO_URL_BASE + caminho,
        "qr": _qr_svg(settings.PROTOCOLO_URL_BASE + caminho),
        "anexos": selectors.anexos_publicos(protocolo),
        # Who issued it: a receipt taken to Procon names the company (docs/operacao.md).
        "empresa": {
            "nome": settings.PROTOCOLO_EMPRESA_NOME,
            "cnpj": settings.PROTOCOLO_EMPRESA_CNPJ,
            "telefone": settings.PROTOCOLO_EMPRESA_TELEFONE,
        },
    }
    return render(request, "consumidor/comprovante.html", contexto)


@require_safe
def verificar_inicio(request):
    codigo = "".join(request.GET.get("codigo", "").split())
    if not codigo:
        return render(request, "consumidor/verificar.html", {"inicio": True})
    if not CARACTERES_DO_CODIGO.fullmatch(codigo) or integridade.decompor_codigo(codigo) is None:
        # Not even shaped like a code (a slash would not fit in its URL either): said on the spot.
        return render(request, "consumidor/verificar.html", {"codigo": codigo[:80]}, status=404)
    return redirect("consumidor:verificar", codigo=codigo)


@require_safe
def verificar(request, codigo):
    """Public: whether a receipt's code is authentic; shows only number, opening and situação.
    Limited per network; an authentic code and any other well-formed one do the same work
    (selectors.protocolo_do_comprovante) and render the same template."""
    try:
        limites.consumir("verificacao_ip", limites.rede(ip_do_cliente(request)))
    except limites.Limitado as erro:
        return _limitado(request, erro)
    protocolo = selectors.protocolo_do_comprovante(codigo)
    valido = protocolo is not None
    contexto = {"codigo": codigo, "valido": valido, "protocolo": protocolo}
    return render(request, "consumidor/verificar.html", contexto, status=200 if valido else 404)


@require_safe
@never_cache
def historico(request, numero):
    protocolo = _protocolo_do_visitante(request, numero)
    if protocolo is None:
        return _nao_encontrado(request)
    contexto = {"protocolo": protocolo, "linha": apresentacao.linha_publica(_linha(protocolo))}
    return render(request, "consumidor/historico.html", contexto)


@require_safe
@never_cache
def anexo(request, numero, ordem, posicao):
    """A file of a public entry, to whoever may see the protocol's page (the same check), as a
    download streamed from the storage. An internal note's file is the same 404 as none."""
    protocolo = _protocolo_do_visitante(request, numero)
    if protocolo is None:
        return _nao_encontrado(request)
    arquivo = selectors.anexo_do_protocolo(protocolo, ordem, posicao, publica=True)
    resposta = anexos.resposta(arquivo) if arquivo is not None else None
    return resposta or _nao_encontrado(request)


@require_safe
@never_cache
def historico_json(request, numero):
    protocolo = _protocolo_do_visitante(request, numero)
    if protocolo is None:
        return _nao_encontrado(request)
    dados = apresentacao.json_do_protocolo(protocolo, _linha(protocolo))
    return _baixar_json(dados, f"protocolo-{protocolo.numero}.json")


def _baixar_json(dados, arquivo):
    resposta = HttpResponse(
        json.dumps(dados, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    resposta["Content-Disposition"] = f'attachment; filename="{arquivo}"'
    return resposta


def _demandas_do_visitante(request):
    """(consumer, [(protocol, public entries)]) for the session that followed a recovery link, or
    None. Queries: the session; then the consumer, the protocols and their public entries with
    authors."""
    dono = acesso.consumidor_acessivel(request.session)
    return selectors.consumidor_com_demandas(dono) if dono is not None else None


@require_safe
@never_cache
def demandas(request):
    """All demands of the consumer whose recovery link this session followed (Decreto 11.034 art. 12)."""
    encontradas = _demandas_do_visitante(request)
    if encontradas is None:
        return _nao_encontrado(request, link=True)
    consumidor, protocolos = encontradas
    itens = [(p, apresentacao.linha_publica(interacoes)) for p, interacoes in protocolos]
    return render(request, "consumidor/demandas.html", {"consumidor": consumidor, "itens": itens})


@require_safe
@never_cache
def demandas_json(request):
    encontradas = _demandas_do_visitante(request)
    if encontradas is None:
        return _nao_encontrado(request, link=True)
    consumidor, protocolos = encontradas
    dados = {
        "cpf": consumidor.cpf_mascarado,
        "protocolos": [apresentacao.json_do_protocolo(p, interacoes) for p, interacoes in protocolos],
    }
    return _baixar_json(dados, "meus-protocolos.json")


# Opening a demand, recovery, privacy --------------------------------------------------------------


def _abrir(request, form, *, categoria, objeto):
    """Open through the service, grant access and show the receipt at once (PRG); None when the
    domain refused (the error is on the form)."""
    try:
        limites.consumir("abertura_ip", limites.rede(ip_do_cliente(request)))
    except limites.Limitado as erro:
        return _limitado(request, erro)
    try:
        protocolo = services.protocolo_abrir_pelo_portal(
            cpf=form.cleaned_data["cpf"],
            nome=form.cleaned_data["nome"],
            email=form.cleaned_data["email"],
            categoria=categoria,
            objeto=objeto,
            chave=form.cleaned_data["chave"],
            telefone=form.cleaned_data.get("telefone", ""),
            canal_preferido=form.cleaned_data.get("canal_preferido", ""),
            preparados=form.cleaned_data.get("arquivos") or [],
        )
    except ErroProtocolo as erro:
        form.add_error(None, erro.mensagem)
        return None
    _conceder(request, protocolo)
    messages.success(
        request,
        # The same words whether or not the CPF is on file: this page must not tell.
        f"Protocolo {protocolo.numero_formatado} aberto. Anote o número ou guarde este comprovante. Enviamos "
        "ao e-mail informado um link de confirmação: depois de confirmado, ele recebe o número e as respostas "
        "deste protocolo."
        + (
            " O telefone informado recebe um código: digite-o na página do protocolo para confirmá-lo."
            if form.cleaned_data.get("telefone")
            else ""
        ),
    )
    return redirect("consumidor:comprovante", numero=protocolo.numero)


@require_http_methods(["GET", "HEAD", "POST"])
@sensitive_post_parameters("cpf")
def abrir(request):
    form = AberturaForm(request.POST or None, request.FILES or None, recusa=_recusa_do_envio(request))
    if request.method == "POST" and form.is_valid():
        resposta = _abrir(request, form, categoria=form.cleaned_data["categoria"], objeto=form.cleaned_data["objeto"])
        if resposta is not None:
            return resposta
    return render(request, "consumidor/abrir.html", {"form": form})


@require_http_methods(["GET", "HEAD", "POST"])
@sensitive_post_parameters("cpf")
def recuperar(request):
    """Whatever the CPF, the same answer after the same work: the request is stored, and
    `enviar_mensagens` sends each protocol to the contacts it may reach, after this answer."""
    form = RecuperacaoForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cpf = form.cleaned_data["cpf"]
        try:
            limites.consumir("recuperacao_ip", limites.rede(ip_do_cliente(request)))
            limites.consumir("recuperacao_cpf", limites.chave(f"cpf:{cpf}"))
        except limites.Limitado as erro:
            return _limitado(request, erro)
        services.consumidor_pedir_protocolos(cpf=cpf)
        return redirect(reverse("consumidor:recuperar") + "?enviado=1")
    contexto = {
        "form": form,
        "enviado": request.GET.get("enviado") == "1" and request.method != "POST",
        "telefone": settings.PROTOCOLO_EMPRESA_TELEFONE,
    }
    return render(request, "consumidor/recuperar.html", contexto)


@require_http_methods(["GET", "HEAD", "POST"])
@sensitive_post_parameters("cpf")
def privacidade(request):
    """The privacy notice (LGPD arts. 9, 41) and a data-subject request, opened as an LGPD protocol."""
    form = TitularForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        categoria = selectors.categoria_ativa(LGPD)
        if categoria is None:
            form.add_error(None, "Pedidos sobre dados pessoais estão suspensos no portal: ligue para a empresa.")
        elif (resposta := _abrir(request, form, categoria=categoria, objeto=form.objeto())) is not None:
            return resposta
    contexto = {
        "form": form,
        "empresa": settings.PROTOCOLO_EMPRESA_NOME,
        "telefone": settings.PROTOCOLO_EMPRESA_TELEFONE,
        "encarregado_nome": settings.PROTOCOLO_ENCARREGADO_NOME,
        "encarregado_email": settings.PROTOCOLO_ENCARREGADO_EMAIL,
        "retencao_anos": round(settings.PROTOCOLO_RETENCAO_DIAS / 365),
    }
    return render(request, "consumidor/privacidade.html", contexto)


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def confirmar_contato(request, token):
    """Confirm an e-mail typed on a public form: the GET shows a button, only the POST confirms
    (mail scanners follow links). Proves control of the address, never ownership of a CPF."""
    contato = services.contato_do_token(token)
    if contato is None:
        return _nao_encontrado(request, link=True)
    if request.method == "POST":
        services.contato_confirmar(contato=contato)
        return render(request, "consumidor/confirmar.html", {"confirmado": True})
    return render(request, "consumidor/confirmar.html", {"confirmado": contato.confirmado})


# Transparency ---------------------------------------------------------------------------------------


@require_safe
def indicadores(request):
    """Public figures of the last 12 months (protocolo/transparencia.py): aggregates only, small
    cells hidden, cached for a few minutes; a 404 unless the operator publishes them."""
    if not settings.PROTOCOLO_INDICADORES_PUBLICOS:
        raise Http404
    chave = f"transparencia:{relogio.hoje().isoformat()}"
    dados = cache.get(chave)
    if dados is None:
        dados = transparencia.calcular()
        cache.set(chave, dados, transparencia.CACHE_SEGUNDOS)
    return render(request, "consumidor/indicadores.html", {**dados, "minimo": transparencia.MINIMO})
