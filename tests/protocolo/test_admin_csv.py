"""The CSV export: streamed, the filtered set only, UTF-8 with BOM, ';' for Brazilian spreadsheets,
and no cell a spreadsheet would run as a formula."""

import csv
import io
import logging

import pytest
from django.urls import reverse

from protocolo import services
from protocolo.models import AcessoDadoPessoal, Protocolo
from tests.factories import ConsumidorFactory, abrir

pytestmark = pytest.mark.django_db

EXPORTAR = "admin:protocolo_protocolo_exportar"


@pytest.fixture
def cliente_supervisor(client, supervisor):
    client.force_login(supervisor)
    return client


def _planilha(resposta):
    assert resposta.status_code == 200
    assert resposta.streaming
    conteudo = b"".join(resposta.streaming_content)
    assert conteudo.startswith("\ufeff".encode())
    linhas = list(csv.reader(io.StringIO(conteudo.decode("utf-8-sig")), delimiter=";"))
    return linhas[0], linhas[1:]


def test_the_export_is_a_utf8_csv_with_bom_and_portuguese_characters(cliente_supervisor):
    protocolo = abrir(
        consumidor=ConsumidorFactory(nome="João Conceição", cpf="52998224725"), objeto="Cobrança indevida."
    )

    resposta = cliente_supervisor.get(reverse(EXPORTAR))
    cabecalho, linhas = _planilha(resposta)

    assert resposta["Content-Type"] == "text/csv; charset=utf-8"
    assert resposta["Content-Disposition"].startswith('attachment; filename="protocolos-')
    assert cabecalho[:5] == ["número", "aberto em", "canal", "categoria", "situação"]
    [linha] = linhas
    assert linha[0] == protocolo.numero_formatado
    assert "João Conceição" in linha
    assert "***.982.247-**" in linha
    assert "Cobrança indevida." in linha
    assert "52998224725" not in ";".join(linha)


def test_the_export_holds_only_the_filtered_set(cliente_supervisor, supervisor):
    mantido, cancelado = abrir(), abrir()
    services.protocolo_cancelar(protocolo=cancelado, motivo="Engano.", autor=supervisor)

    _, linhas = _planilha(cliente_supervisor.get(reverse(EXPORTAR), {"situacao__exact": "aberto"}))

    assert [linha[0] for linha in linhas] == [mantido.numero_formatado]


def test_the_export_follows_the_search_too(cliente_supervisor):
    procurado, _ = abrir(), abrir()

    _, linhas = _planilha(cliente_supervisor.get(reverse(EXPORTAR), {"q": procurado.numero}))

    assert [linha[0] for linha in linhas] == [procurado.numero_formatado]


def test_the_list_links_to_the_export_of_its_current_filter(cliente_supervisor):
    abrir()

    resposta = cliente_supervisor.get(reverse("admin:protocolo_protocolo_changelist"), {"situacao__exact": "aberto"})

    assert f"{reverse(EXPORTAR)}?situacao__exact=aberto" in resposta.text


@pytest.mark.parametrize("perigoso", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_a_cell_that_would_run_as_a_formula_is_neutralised(cliente_supervisor, perigoso):
    # The consumer's name as stored (the services strip what is typed: no leading tab there).
    abrir(consumidor=ConsumidorFactory(nome=perigoso), objeto=f"{perigoso.strip()} na fatura")

    cabecalho, [linha] = _planilha(cliente_supervisor.get(reverse(EXPORTAR)))

    assert linha[cabecalho.index("consumidor")] == "'" + perigoso
    if perigoso == perigoso.strip():
        assert linha[cabecalho.index("objeto")] == f"'{perigoso} na fatura"
    assert all(not celula.startswith(("=", "+", "-", "@", "\t", "\r")) for celula in linha)


def test_the_action_exports_the_selected_protocols(cliente_supervisor):
    escolhido, _ = abrir(), abrir()

    resposta = cliente_supervisor.post(
        reverse("admin:protocolo_protocolo_changelist"),
        {"action": "exportar_csv", "index": 0, "_selected_action": [escolhido.pk]},
    )

    _, linhas = _planilha(resposta)
    assert [linha[0] for linha in linhas] == [escolhido.numero_formatado]


def test_the_export_is_logged_with_who_made_it(cliente_supervisor, supervisor, caplog):
    abrir()

    with caplog.at_level(logging.INFO, logger="protocolo.admin"):
        _planilha(cliente_supervisor.get(reverse(EXPORTAR)))

    assert any(supervisor.username in r.getMessage() and "1 linha" in r.getMessage() for r in caplog.records)


def test_the_export_reads_the_rows_in_a_fixed_number_of_queries(cliente_supervisor, django_assert_max_num_queries):
    for _ in range(30):
        abrir(consumidor=ConsumidorFactory())

    with django_assert_max_num_queries(12):
        _, linhas = _planilha(cliente_supervisor.get(reverse(EXPORTAR)))

    assert len(linhas) == Protocolo.objects.count() == 30


def test_each_consumer_in_the_export_is_recorded_once_as_an_access_to_personal_data(cliente_supervisor, supervisor):
    repetido = ConsumidorFactory()
    abrir(consumidor=repetido)
    abrir(consumidor=repetido)
    outro = abrir(consumidor=ConsumidorFactory())
    assert not AcessoDadoPessoal.objects.exists()

    _planilha(cliente_supervisor.get(reverse(EXPORTAR)))

    acessos = AcessoDadoPessoal.objects.all()
    assert sorted(a.consumidor_id for a in acessos) == sorted([repetido.pk, outro.consumidor_id])
    assert {(a.usuario_id, a.tipo) for a in acessos} == {(supervisor.pk, AcessoDadoPessoal.Tipo.EXPORTAR)}


@pytest.mark.parametrize(
    "perigoso", [' =HYPERLINK("http://x")', "  +1+1", "\u00a0-2+3", "\n=1+1", "\uff1dSUM(A1)", "\uff20SUM(A1)"]
)
def test_a_formula_behind_blanks_or_in_full_width_is_neutralised_too(cliente_supervisor, perigoso):
    # Spreadsheets may trim leading blanks on import, and some locales read ＝ as =.
    abrir(consumidor=ConsumidorFactory(nome=perigoso))

    cabecalho, [linha] = _planilha(cliente_supervisor.get(reverse(EXPORTAR)))

    assert linha[cabecalho.index("consumidor")] == "'" + perigoso


def test_a_cpf_typed_in_the_demand_is_masked_in_the_export(cliente_supervisor):
    abrir(objeto="Meu CPF é 529.982.247-25, cobrança indevida.")

    cabecalho, [linha] = _planilha(cliente_supervisor.get(reverse(EXPORTAR)))

    assert linha[cabecalho.index("objeto")] == "Meu CPF é ***.982.247-**, cobrança indevida."


@pytest.mark.parametrize(
    "parametros", [{"nivel__exact": "abc"}, {"categoria__id__exact": "x"}, {"situacao__exact": "aberto\x00"}]
)
def test_a_filter_the_list_cannot_apply_sends_the_export_back_to_the_list(cliente_supervisor, parametros):
    abrir()

    resposta = cliente_supervisor.get(reverse(EXPORTAR), parametros)

    assert resposta.status_code == 302
    assert resposta.url == reverse("admin:protocolo_protocolo_changelist") + "?e=1"


@pytest.mark.parametrize("digitado", ["52998224725", "529.982.247-25", "529 982 247 25"])
def test_an_export_of_a_search_by_cpf_never_logs_the_full_cpf(cliente_supervisor, caplog, digitado):
    abrir(consumidor=ConsumidorFactory(cpf="52998224725"))

    with caplog.at_level(logging.INFO, logger="protocolo.admin"):
        _planilha(cliente_supervisor.get(reverse(EXPORTAR), {"q": digitado}))

    registros = " ".join(r.getMessage() for r in caplog.records)
    assert "***.982.247-**" in registros
    assert digitado not in registros
    assert "52998224725" not in registros
