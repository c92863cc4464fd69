"""The supervision dashboard: a page of its own inside the admin (its login, its layout), the
figures of the queues, deadlines and escalations over a period the supervisor picks; no model
behind it, so no ModelAdmin. Every figure links to the protocol list filtered to what it counts."""

import datetime

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode

from .. import indicadores, relogio
from ..models import Canal, Situacao
from .base import pode_supervisionar

# A custom range is at most a year: the chart draws one bar per day, and the figures over a period
# read that period's rows.
MAIOR_INTERVALO = 366


class PeriodoForm(forms.Form):
    periodo = forms.ChoiceField(
        label="Período",
        choices=[("7", "últimos 7 dias"), ("30", "últimos 30 dias"), ("90", "últimos 90 dias"), ("outro", "outro")],
        required=False,
        initial="30",
    )
    de = forms.DateField(label="De", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    ate = forms.DateField(
        label="Até", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self):
        dados = super().clean()
        hoje = relogio.hoje()
        if dados.get("periodo") != "outro":
            dados["intervalo"] = indicadores.Periodo.ultimos(int(dados.get("periodo") or 30), hoje)
            return dados
        de, ate = dados.get("de"), dados.get("ate")
        if de is None or ate is None:
            if not self.errors:
                raise forms.ValidationError("Informe as duas datas do período.")
            return dados
        if de > ate:
            raise forms.ValidationError("A data inicial é posterior à final.")
        if ate > hoje:
            raise forms.ValidationError("O período não pode terminar depois de hoje.")
        if (ate - de).days + 1 > MAIOR_INTERVALO:
            raise forms.ValidationError(f"Escolha um período de no máximo {MAIOR_INTERVALO} dias.")
        dados["intervalo"] = indicadores.Periodo(de, ate)
        return dados


def _lista(**filtros):
    return reverse("admin:protocolo_protocolo_changelist") + "?" + urlencode(filtros)


def supervisao(request):
    """/admin/supervisao/: the figures of the queues, deadlines and escalations (Supervisores)."""
    if not pode_supervisionar(request.user):
        raise PermissionDenied
    form = PeriodoForm(request.GET or None)
    # A refused period is said on the form; the figures then cover the default 30 days.
    periodo = form.cleaned_data["intervalo"] if form.is_bound and form.is_valid() else None
    contexto = indicadores.painel(periodo)
    periodo = contexto["periodo"]
    hoje = contexto["hoje"]
    prazos = {"prazo__gte": periodo.inicio.isoformat(), "prazo__lte": contexto["prazos_ate"].isoformat()}
    resolvidos = {
        "resolvido_em__date__gte": periodo.inicio.isoformat(),
        "resolvido_em__date__lte": periodo.fim.isoformat(),
    }
    contexto["por_situacao"] = [(r, n, _lista(situacao__exact=s)) for r, n, s in contexto["por_situacao"]]
    contexto["por_nivel"] = [
        (r, n, _lista(nivel__exact=nv, situacao__in=",".join(("aberto", "em_atendimento", "aguardando_consumidor"))))
        for r, n, nv in contexto["por_nivel"]
    ]
    contexto["vencidos_por_categoria"] = [
        (nome, n, _lista(prazo="vencido", **({"categoria__id__exact": pk} if pk else {"categoria__isnull": "True"})))
        for nome, n, pk in contexto["vencidos_por_categoria"]
    ]
    contexto["vencidos_por_responsavel"] = [
        (nome, n, _lista(prazo="vencido", responsavel=pk or "nenhum"))
        for nome, n, pk in contexto["vencidos_por_responsavel"]
    ]
    for linha in contexto["cumprimento_por_categoria"]:
        linha["url"] = _lista(**prazos, **({"categoria__id__exact": linha["id"]} if linha["id"] else {}))
    for linha in contexto["cumprimento_por_responsavel"]:
        linha["url"] = _lista(**prazos, responsavel=linha["id"] or "nenhum")
    contexto |= {
        **admin.site.each_context(request),
        "title": "Painel de supervisão",
        "form": form,
        "em_aberto": sum(n for _, n, _ in contexto["por_situacao"]),
        "vencidos": sum(n for _, n, _ in contexto["vencidos_por_categoria"]),
        "url_vencidos": _lista(prazo="vencido"),
        "url_em_aberto": _lista(situacao__in="aberto,em_atendimento,aguardando_consumidor"),
        "url_prazos": _lista(**prazos),
        "url_resolvidos": _lista(**resolvidos),
        "url_abertos": _lista(
            aberto_em__date__gte=periodo.inicio.isoformat(), aberto_em__date__lte=periodo.fim.isoformat()
        ),
        "url_avaliados": _lista(
            encerrado_em__date__gte=periodo.inicio.isoformat(),
            encerrado_em__date__lte=periodo.fim.isoformat(),
            avaliacao__isnull="False",
        ),
        "url_escalados": _lista(nivel__gte=2, situacao__in="aberto,em_atendimento,aguardando_consumidor"),
        "situacoes_abertas": [s.label for s in Situacao],
        "canais": Canal.choices,
        "ontem": hoje - datetime.timedelta(days=1),
    }
    return TemplateResponse(request, "admin/supervisao.html", contexto)
