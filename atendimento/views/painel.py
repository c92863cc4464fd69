"""The queue (painel) and starting a service: the number first and the rest on the protocol's page
(iniciar), or chat and e-mail in one step (novo)."""

from django.contrib import messages
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from protocolo import selectors, services
from protocolo.contas.decorators import atendimento
from protocolo.exceptions import ErroProtocolo
from protocolo.models import EQUIPE_DO_NIVEL, Categoria, niveis_servidos

from .. import forms
from .comum import categorias_ativas, url_do_protocolo

TAMANHOS_DE_PAGINA = (25, 50, 100)
# Deep pages cost an OFFSET over the queue, and PostgreSQL joins every row it skips: ~60 ms at
# 5,000 rows on a million protocols, 200–330 ms at 20,000. Nobody reads that deep, they filter.
LINHAS_ALCANCAVEIS = 5000


class PaginaSemContagem(Page):
    def __init__(self, object_list, number, paginator, *, tem_proxima):
        super().__init__(object_list, number, paginator)
        self.tem_proxima = tem_proxima

    def has_next(self):
        return self.tem_proxima


class PaginadorSemContagem(Paginator):
    """Pages of the queue without a COUNT(*) over it: one query of per_page + 1 rows says whether
    there is a next page, so the cost does not grow with the queue."""

    @property
    def pagina_maxima(self):
        return max(1, LINHAS_ALCANCAVEIS // self.per_page)

    def validate_number(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("A página deve ser um número.") from None
        if number < 1:
            raise EmptyPage("A página deve ser 1 ou mais.")
        return min(number, self.pagina_maxima)

    def get_page(self, number):
        try:
            number = self.validate_number(number)
        except (PageNotAnInteger, EmptyPage):
            number = 1
        return self.page(number)

    def page(self, number):
        number = self.validate_number(number)
        inicio = (number - 1) * self.per_page
        linhas = list(self.object_list[inicio : inicio + self.per_page + 1])
        return PaginaSemContagem(
            linhas[: self.per_page],
            number,
            self,
            tem_proxima=len(linhas) > self.per_page and number < self.pagina_maxima,
        )


# The queue's columns that sort, each (ascending, descending) in the filter's `ordem` keys: only
# orders an index serves (protocolo/models/protocolos.py, Protocolo.Meta.indexes). Numbers begin with the
# opening day, so the number column sorts by opening.
COLUNAS_ORDENAVEIS = {"numero": ("antigos", "recentes"), "prazo": ("prazo", "prazo_distante")}


def _ordenacao(get, ordem):
    """{coluna: (aria-sort or "", query string that sorts by it)}: a click on the sorted column turns
    its order around, on another sorts it ascending; the page goes back to the first."""
    colunas = {}
    for coluna, (ascendente, descendente) in COLUNAS_ORDENAVEIS.items():
        estado = {ascendente: "ascending", descendente: "descending"}.get(ordem, "")
        parametros = get.copy()
        parametros.pop("pagina", None)
        parametros["ordem"] = ascendente if estado == "descending" or not estado else descendente
        colunas[coluna] = (estado, parametros.urlencode())
    return colunas


def _filtros_ativos(get, form):
    return sum(1 for nome in form.fields if get.get(nome) and not (nome == "ordem" and get[nome] == "prazo"))


def _por_pagina(valor):
    try:
        valor = int(valor)
    except (TypeError, ValueError):
        return TAMANHOS_DE_PAGINA[0]
    return valor if valor in TAMANHOS_DE_PAGINA else TAMANHOS_DE_PAGINA[0]


@require_safe
@atendimento
def painel(request):
    categorias = list(Categoria.objects.all())
    filtro = selectors.fila_filtrada(request.GET, usuario=request.user, categorias=categorias)
    por_pagina = _por_pagina(request.GET.get("por_pagina"))
    pagina = PaginadorSemContagem(filtro.qs, por_pagina).get_page(request.GET.get("pagina"))
    parametros = request.GET.copy()
    parametros.pop("pagina", None)
    # An unknown key is a form error and the queue keeps its default order (FiltroFila).
    ordem = filtro.form.cleaned_data.get("ordem") or "prazo"
    contexto = {
        "filtro": filtro,
        "pagina": pagina,
        "por_pagina": por_pagina,
        "tamanhos": TAMANHOS_DE_PAGINA,
        "parametros": parametros.urlencode(),
        "contadores": selectors.contadores_da_fila(usuario=request.user),
        "niveis": [(n, EQUIPE_DO_NIVEL[n]) for n in sorted(niveis_servidos(request.user))],
        "total": selectors.contagem_limitada(filtro.qs),
        "ordenacao": _ordenacao(request.GET, ordem),
        "filtros_ativos": _filtros_ativos(request.GET, filtro.form),
        "limite_contagem": selectors.LIMITE_CONTAGEM,
        "iniciar": forms.IniciarForm(),
        "pagina_maxima": pagina.paginator.pagina_maxima,
        "filtrado": any(v for k, v in request.GET.items() if k not in ("pagina", "por_pagina")),
    }
    return render(request, "atendimento/painel.html", contexto)


# Starting a service -------------------------------------------------------------------------------


@require_POST
@atendimento
def iniciar(request):
    form = forms.IniciarForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Escolha o canal do atendimento.")
        return redirect("atendimento:painel")
    try:
        protocolo = services.protocolo_abrir(canal=form.cleaned_data["canal"], atendente=request.user)
    except ErroProtocolo as erro:
        messages.error(request, erro.mensagem)
        return redirect("atendimento:painel")
    messages.success(request, f"Protocolo {protocolo.numero_formatado} aberto. Informe o número ao consumidor.")
    return redirect(url_do_protocolo(protocolo))


@require_http_methods(["GET", "HEAD", "POST"])
@atendimento
def novo(request):
    """Chat and e-mail in one step: consumer, categoria and objeto with the number."""
    categorias = categorias_ativas()
    # Bound on every POST, even an empty one, so what is missing is said.
    dados = request.POST if request.method == "POST" else None
    form = forms.AbrirCompletoForm(dados, categorias=categorias)
    if request.method == "POST" and form.is_valid():
        dados = form.cleaned_data
        try:
            protocolo, consumidor, criado = services.protocolo_abrir_completo(atendente=request.user, **dados)
        except ErroProtocolo as erro:
            messages.error(request, erro.mensagem)
        else:
            if consumidor is not None and not criado:
                messages.info(request, f"Consumidor já cadastrado: {consumidor}. Os dados existentes foram mantidos.")
            messages.success(request, f"Protocolo {protocolo.numero_formatado} aberto. Informe o número ao consumidor.")
            return redirect(url_do_protocolo(protocolo))
    return render(request, "atendimento/novo.html", {"form": form})
