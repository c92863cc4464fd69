"""The protocols as a spreadsheet: the filtered list, or the selected rows, streamed as CSV. The
file carries personal data, so every consumer in it is recorded and every cell is neutralised."""

import csv
import logging

from django.http import StreamingHttpResponse
from django.utils import timezone

from .. import lgpd, relogio
from ..models import PENDENTES, AcessoDadoPessoal
from .base import CORES_DO_PRAZO, nome_exibido

logger = logging.getLogger(__name__)

# A cell a spreadsheet would read as a formula (OWASP "CSV injection"), also after leading blanks
# (spreadsheets may trim them on import) and in the full-width forms some locales accept.
INICIO_DE_FORMULA = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")

CABECALHO_CSV = [
    "número",
    "aberto em",
    "canal",
    "categoria",
    "situação",
    "nível",
    "prazo",
    "estado do prazo",
    "responsável",
    "consumidor",
    "CPF",
    "resolvido em",
    "encerrado em",
    "avaliação",
    "objeto",
]


class _Linha:
    """csv.writer's file: writerow returns the line instead of buffering it."""

    def write(self, valor):
        return valor


def _celula(valor):
    texto = "" if valor is None else str(valor)
    return "'" + texto if texto.lstrip(" \u00a0\u3000").startswith(INICIO_DE_FORMULA) else texto


def _linha_csv(p, hoje):
    def quando(instante):
        return f"{timezone.localtime(instante):%d/%m/%Y %H:%M}" if instante else ""

    estado = ""
    if p.situacao in PENDENTES and p.prazo:
        estado = CORES_DO_PRAZO[p.situacao_do_prazo][1]
    return [
        p.numero_formatado,
        quando(p.aberto_em),
        p.get_canal_display(),
        p.categoria.nome if p.categoria else "",
        p.get_situacao_display(),
        p.nivel,
        f"{p.prazo:%d/%m/%Y}" if p.prazo else "",
        estado,
        nome_exibido(p.responsavel) if p.responsavel else "",
        p.consumidor.nome if p.consumidor else "",
        p.consumidor.cpf_mascarado if p.consumidor else "",
        quando(p.resolvido_em),
        quando(p.encerrado_em),
        p.avaliacao or "",
        lgpd.mascarar_cpfs(p.objeto),
    ]


def planilha(request, queryset):
    queryset = queryset.select_related("consumidor", "categoria", "responsavel").order_by("-aberto_em", "-id")
    usuario = request.user.get_username()
    hoje = relogio.hoje()

    def linhas():
        yield "\ufeff"  # the BOM: spreadsheets then read the file as UTF-8
        saida = _Linha()
        escritor = csv.writer(saida, delimiter=";")
        yield escritor.writerow(CABECALHO_CSV)
        total = 0
        # The file carries consumers' names (LGPD art. 37): each one exported is recorded once,
        # written in batches while the rows stream so a large export never holds them all.
        vistos, acessos = set(), []
        for protocolo in queryset.iterator(chunk_size=2000):
            total += 1
            yield escritor.writerow([_celula(valor) for valor in _linha_csv(protocolo, hoje)])
            if protocolo.consumidor_id and protocolo.consumidor_id not in vistos:
                vistos.add(protocolo.consumidor_id)
                acessos.append(
                    AcessoDadoPessoal(
                        usuario=request.user,
                        consumidor_id=protocolo.consumidor_id,
                        protocolo=protocolo,
                        tipo=AcessoDadoPessoal.Tipo.EXPORTAR,
                    )
                )
            if len(acessos) >= 2000:
                AcessoDadoPessoal.objects.bulk_create(acessos)
                acessos = []
        AcessoDadoPessoal.objects.bulk_create(acessos)
        logger.info("Exportação CSV de protocolos por %s: %s linha(s).", usuario, total)

    # The filter may be a search by CPF: logged masked, never in full (docs/dominio.md §5).
    filtro = "&".join(f"{chave}={lgpd.mascarar_cpfs(valor)}" for chave, valor in request.GET.items())
    logger.info("Exportação CSV de protocolos iniciada por %s (filtro: %r).", usuario, filtro)
    resposta = StreamingHttpResponse(linhas(), content_type="text/csv; charset=utf-8")
    resposta["Content-Disposition"] = f'attachment; filename="protocolos-{relogio.agora():%Y%m%d-%H%M}.csv"'
    return resposta
