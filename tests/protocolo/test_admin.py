"""
The admin as the supervisors' workplace: the protocol changelist at scale (masked CPF, exact
searches, the deadline and period filters, a pinned query count), the read-only change page with its
timeline, and the record that nobody deletes. Actions are in test_admin_acoes.py, the CSV in
test_admin_csv.py, consumers in test_admin_consumidores.py, the dashboard in test_admin_supervisao.py.
"""

import datetime

import pytest
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from protocolo import relogio, services
from protocolo.models import Interacao, Protocolo, Situacao
from tests.factories import ConsumidorFactory, UsuarioFactory, abrir

LISTA = "admin:protocolo_protocolo_changelist"


@pytest.fixture
def cliente_supervisor(client, supervisor):
    client.force_login(supervisor)
    return client


def _com_prazo(protocolo, dias):
    """The protocol's deadline `dias` from today (negative: overdue)."""
    prazo = relogio.hoje() + datetime.timedelta(days=dias)
    Protocolo.objects.filter(pk=protocolo.pk).update(prazo=prazo)
    return protocolo


def _listados(cliente, **parametros):
    resposta = cliente.get(reverse(LISTA), parametros)
    assert resposta.status_code == 200
    return set(resposta.context["cl"].result_list)


# The list -----------------------------------------------------------------------------------------


def test_a_supervisor_sees_the_protocols_with_masked_cpf(cliente_supervisor):
    protocolo = abrir(consumidor=ConsumidorFactory(cpf="52998224725", nome="Joana Ribeiro"))

    resposta = cliente_supervisor.get(reverse(LISTA))

    assert resposta.status_code == 200
    assert protocolo.numero_formatado in resposta.text
    assert "***.982.247-**" in resposta.text
    assert "Joana Ribeiro" in resposta.text
    assert "52998224725" not in resposta.text
    assert "529.982.247-25" not in resposta.text


def test_the_deadline_state_is_shown_in_colour_and_in_words(cliente_supervisor):
    _com_prazo(abrir(), -1)

    resposta = cliente_supervisor.get(reverse(LISTA))

    assert 'fill="#ba2121"' in resposta.text
    assert "· vencido" in resposta.text
    assert "style=" not in resposta.text.split('id="result_list"')[1].split("</table>")[0]


@pytest.mark.parametrize("quantidade", [1, 25])
def test_the_changelist_query_count_does_not_grow_with_the_rows(
    cliente_supervisor, django_assert_num_queries, quantidade
):
    for _ in range(quantidade):
        abrir(consumidor=ConsumidorFactory())
    # session, user, the second factor's device, user permissions, group permissions, the attendants of the responsável
    # filter, the categorias of the categoria filter, the filtered count, the page of protocols
    # with their consumidor, categoria and responsável
    with django_assert_num_queries(9):
        resposta = cliente_supervisor.get(reverse(LISTA))
    assert resposta.status_code == 200


def test_the_changelist_has_no_date_hierarchy_nor_full_count(cliente_supervisor):
    abrir()

    resposta = cliente_supervisor.get(reverse(LISTA))

    assert resposta.context["cl"].date_hierarchy is None
    assert resposta.context["cl"].show_full_result_count is False


# Search -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("formato", [lambda n: n, lambda n: n.replace(" ", "."), lambda n: n.replace(" ", "-")])
def test_search_finds_a_number_typed_in_any_format(cliente_supervisor, formato):
    procurado, _ = abrir(), abrir()

    assert _listados(cliente_supervisor, q=formato(procurado.numero_formatado)) == {procurado}


@pytest.mark.parametrize("digitado", ["52998224725", "529.982.247-25", " 529 982 247 25 "])
def test_search_finds_the_protocols_of_a_cpf_typed_in_any_format(cliente_supervisor, digitado):
    consumidor = ConsumidorFactory(cpf="52998224725")
    dele = {abrir(consumidor=consumidor), abrir(consumidor=consumidor)}
    abrir(consumidor=ConsumidorFactory())

    assert _listados(cliente_supervisor, q=digitado) == dele


def test_search_by_part_of_the_name_ignores_case(cliente_supervisor):
    procurado = abrir(consumidor=ConsumidorFactory(nome="Mariana Conceição"))
    abrir(consumidor=ConsumidorFactory(nome="Pedro Alves"))

    assert _listados(cliente_supervisor, q="conceição") == {procurado}


def test_a_fragment_of_digits_matches_nothing_rather_than_scanning(cliente_supervisor):
    protocolo = abrir(consumidor=ConsumidorFactory(cpf="52998224725"))

    assert _listados(cliente_supervisor, q=protocolo.numero[:6]) == set()
    assert _listados(cliente_supervisor, q="5299822") == set()


def test_the_name_search_is_one_icontains_on_the_consumer_name(cliente_supervisor):
    abrir(consumidor=ConsumidorFactory(nome="Mariana Conceição"))

    resposta = cliente_supervisor.get(reverse(LISTA), {"q": "mariana"})

    sql = str(resposta.context["cl"].queryset.query)
    assert sql.count("LIKE") == 1
    assert "protocolo_consumidor" in sql


# Filters ------------------------------------------------------------------------------------------


@pytest.fixture
def prazos():
    """Open protocols by deadline state, plus a resolved one whose deadline passed (answered: it is
    never overdue)."""
    casos = {
        "vencido": _com_prazo(abrir(), -3),
        "hoje": _com_prazo(abrir(), 0),
        "2dias": _com_prazo(abrir(), 2),
        "longe": _com_prazo(abrir(), 6),
    }
    resolvido = abrir()
    services.protocolo_resolver(protocolo=resolvido, texto="Resolvido na hora.")
    casos["resolvido"] = _com_prazo(resolvido, -3)
    return casos


@pytest.mark.parametrize(
    ("valor", "esperados"),
    [("vencido", {"vencido"}), ("hoje", {"hoje"}), ("2dias", {"2dias"}), ("no_prazo", {"longe"})],
)
def test_the_deadline_filter(cliente_supervisor, prazos, valor, esperados):
    assert _listados(cliente_supervisor, prazo=valor) == {prazos[nome] for nome in esperados}


def test_the_period_filter_keeps_the_protocols_opened_in_it(cliente_supervisor):
    with relogio.em(relogio.agora() - datetime.timedelta(days=40)):
        antigo = abrir()
    recente = abrir()

    assert _listados(cliente_supervisor, periodo="30") == {recente}
    assert _listados(cliente_supervisor) == {antigo, recente}


def test_the_responsavel_filter_lists_attendants_and_filters(cliente_supervisor, atendente):
    dele, sem = abrir(atendente=atendente), abrir()

    assert _listados(cliente_supervisor, responsavel=str(atendente.pk)) == {dele}
    assert _listados(cliente_supervisor, responsavel="nenhum") == {sem}


# The read-only page -------------------------------------------------------------------------------


def test_the_protocol_page_is_read_only_with_its_timeline_newest_first(cliente_supervisor, atendente):
    protocolo = abrir(objeto="Cobrança em dobro na fatura de outubro.", atendente=atendente)
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Primeira nota.", autor=atendente)
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Segunda nota.", autor=atendente)

    resposta = cliente_supervisor.get(reverse("admin:protocolo_protocolo_change", args=[protocolo.pk]))

    assert resposta.status_code == 200
    assert "Cobrança em dobro na fatura de outubro." in resposta.text
    assert 'name="_save"' not in resposta.text
    assert resposta.text.index("Segunda nota.") < resposta.text.index("Primeira nota.")
    assert [e["ordem"] for e in resposta.context["linha_do_tempo"]] == [3, 2, 1]


def test_the_timeline_on_the_page_is_bounded_with_a_link_to_the_rest(cliente_supervisor, atendente):
    protocolo = abrir(atendente=atendente)
    for i in range(55):
        services.protocolo_registrar_interacao(protocolo=protocolo, texto=f"Nota {i}.", autor=atendente)

    resposta = cliente_supervisor.get(reverse("admin:protocolo_protocolo_change", args=[protocolo.pk]))

    assert len(resposta.context["linha_do_tempo"]) == 50
    assert resposta.context["linha_do_tempo"][0]["ordem"] == 56
    assert f"protocolo__id__exact={protocolo.pk}" in resposta.text
    rest = cliente_supervisor.get(
        reverse("admin:protocolo_interacao_changelist"), {"protocolo__id__exact": protocolo.pk}
    )
    assert rest.status_code == 200
    assert rest.context["cl"].result_count == 56


def test_a_cpf_typed_in_a_timeline_text_is_masked_on_the_page(cliente_supervisor):
    protocolo = abrir()
    services.protocolo_registrar_interacao(
        protocolo=protocolo, texto="Meu CPF é 529.982.247-25.", origem=Interacao.Origem.CONSUMIDOR
    )

    resposta = cliente_supervisor.get(reverse("admin:protocolo_protocolo_change", args=[protocolo.pk]))

    assert "Meu CPF é ***.982.247-**." in resposta.text
    assert "529.982.247-25" not in resposta.text


def test_a_post_to_the_change_page_changes_nothing(cliente_supervisor):
    protocolo = abrir()

    resposta = cliente_supervisor.post(
        reverse("admin:protocolo_protocolo_change", args=[protocolo.pk]), {"situacao": Situacao.CANCELADO}
    )

    assert resposta.status_code == 403
    assert Protocolo.objects.get(pk=protocolo.pk).situacao == Situacao.ABERTO


# Nothing is deleted -------------------------------------------------------------------------------


@pytest.mark.parametrize("modelo", ["protocolo", "interacao"])
def test_not_even_a_superuser_can_delete_the_record(client, db, modelo):
    protocolo = abrir()
    objeto = protocolo if modelo == "protocolo" else protocolo.interacoes.get()
    client.force_login(User.objects.create_superuser("raiz", "raiz@exemplo.com.br", "senha-de-teste"))

    resposta = client.post(reverse(f"admin:protocolo_{modelo}_delete", args=[objeto.pk]), {"post": "yes"})

    assert resposta.status_code == 403
    assert Protocolo.objects.filter(pk=protocolo.pk).exists()
    assert Interacao.objects.filter(protocolo=protocolo).count() == 1


@pytest.mark.parametrize("modelo", ["protocolo", "interacao", "consumidor"])
def test_the_bulk_delete_action_is_not_offered_nor_accepted(client, db, modelo):
    protocolo = abrir(consumidor=ConsumidorFactory())
    objeto = {"protocolo": protocolo, "interacao": protocolo.interacoes.get(), "consumidor": protocolo.consumidor}
    client.force_login(User.objects.create_superuser("raiz", "raiz@exemplo.com.br", "senha-de-teste"))
    url = reverse(f"admin:protocolo_{modelo}_changelist")

    assert "delete_selected" not in client.get(url).text
    client.post(url, {"action": "delete_selected", "_selected_action": [objeto[modelo].pk], "post": "yes"})

    assert type(objeto[modelo]).objects.filter(pk=objeto[modelo].pk).exists()


# Interações ---------------------------------------------------------------------------------------


def test_interactions_are_found_by_protocol_number_in_any_format(cliente_supervisor):
    procurado, outro = abrir(), abrir()

    resposta = cliente_supervisor.get(
        reverse("admin:protocolo_interacao_changelist"), {"q": procurado.numero_formatado.replace(" ", "-")}
    )

    assert {i.protocolo_id for i in resposta.context["cl"].result_list} == {procurado.pk}
    assert outro.pk not in {i.protocolo_id for i in resposta.context["cl"].result_list}


def test_an_interaction_page_is_read_only_even_for_a_superuser(client, db):
    interacao = abrir().interacoes.get()
    client.force_login(User.objects.create_superuser("raiz", "raiz@exemplo.com.br", "senha-de-teste"))

    pagina = client.get(reverse("admin:protocolo_interacao_change", args=[interacao.pk]))
    envio = client.post(reverse("admin:protocolo_interacao_change", args=[interacao.pk]), {"texto": "reescrito"})

    assert pagina.status_code == 200
    assert 'name="_save"' not in pagina.text
    assert envio.status_code == 403
    assert Interacao.objects.get(pk=interacao.pk).texto == interacao.texto


# Who gets in --------------------------------------------------------------------------------------


def test_an_attendant_is_not_let_into_the_admin(client, atendente):
    client.force_login(atendente)

    resposta = client.get(reverse(LISTA))

    assert resposta.status_code == 302
    assert resposta.url.startswith(reverse("admin:login"))


def test_staff_with_only_view_permission_sees_the_list_but_no_action(client, db):
    usuario = UsuarioFactory(is_staff=True)
    usuario.user_permissions.add(Permission.objects.get(codename="view_protocolo"))
    client.force_login(usuario)
    abrir()

    resposta = client.get(reverse(LISTA))

    assert resposta.status_code == 200
    assert 'value="atribuir"' not in resposta.text
    assert 'value="cancelar"' not in resposta.text
    assert "Exportar o filtro atual" not in resposta.text
    assert client.get(reverse("admin:protocolo_protocolo_exportar")).status_code == 403


# Odd input and scale ------------------------------------------------------------------------------


@pytest.mark.parametrize("modelo", ["protocolo", "interacao", "consumidor", "mensagem", "acessodadopessoal"])
@pytest.mark.parametrize("parametros", [{"situacao__exact": "aberto\x00"}, {"q": "Maria\x00"}, {"tipo__exact": "\x00"}])
def test_a_nul_byte_in_the_parameters_is_the_lists_error_page_not_a_500(cliente_supervisor, modelo, parametros):
    abrir(consumidor=ConsumidorFactory())

    resposta = cliente_supervisor.get(reverse(f"admin:protocolo_{modelo}_changelist"), parametros)

    assert resposta.status_code == 302
    assert resposta.url.endswith("?e=1")


def test_the_list_never_counts_the_whole_table(cliente_supervisor, django_assert_num_queries):
    abrir()

    with django_assert_num_queries(9) as consultas:
        cliente_supervisor.get(reverse(LISTA))

    [contagem] = [q["sql"] for q in consultas.captured_queries if "COUNT(" in q["sql"]]
    assert "LIMIT 10001" in contagem


def test_the_limited_count_neither_sorts_nor_joins(cliente_supervisor, django_assert_num_queries):
    abrir()

    with django_assert_num_queries(9) as consultas:
        cliente_supervisor.get(reverse(LISTA), {"o": "-9"})

    [contagem] = [q["sql"] for q in consultas.captured_queries if "COUNT(" in q["sql"]]
    assert "ORDER BY" not in contagem
    assert "JOIN" not in contagem


def test_only_the_indexed_columns_sort_the_list(cliente_supervisor):
    # Columns: 1 número, 3 consumidor, 4 categoria, 5 situação, 6 nível, 7 prazo, 8 responsável,
    # 9 aberto em (0 is the selection checkbox).
    with relogio.em(relogio.agora() - datetime.timedelta(days=1)):
        antigo = abrir(consumidor=ConsumidorFactory(nome="Zélia Antiga"))
    novo = abrir(consumidor=ConsumidorFactory(nome="Ana Nova"))

    cabecalhos = result_headers(cliente_supervisor.get(reverse(LISTA)).context["cl"])
    assert [c["text"] for c in cabecalhos if c["sortable"]] == ["número", "prazo", "aberto em"]

    assert list(cliente_supervisor.get(reverse(LISTA), {"o": "9"}).context["cl"].result_list) == [antigo, novo]
    # By the consumer's name (a join over every row) it would be Ana first: the typed URL is ignored
    # and the list keeps its newest-first order.
    for coluna in ["3", "4", "5", "6", "8", "3.9"]:
        resposta = cliente_supervisor.get(reverse(LISTA), {"o": coluna})
        assert resposta.status_code == 200
        primeiro = resposta.context["cl"].result_list[0]
        assert primeiro == (antigo if coluna == "3.9" else novo), coluna


def test_beyond_the_counting_limit_the_list_says_more_than(cliente_supervisor, monkeypatch):
    monkeypatch.setattr("protocolo.admin.base.LIMITE_DA_CONTAGEM", 2)
    for _ in range(4):
        abrir()

    resposta = cliente_supervisor.get(reverse(LISTA))

    assert resposta.context["cl"].result_count == 3
    assert "mais de 2 protocolos" in resposta.text
    assert "Selecionar todos os protocolos do filtro (mais de 2)" in resposta.text


@pytest.mark.parametrize("modelo", ["interacao", "acessodadopessoal"])
def test_the_ever_growing_logs_are_listed_by_primary_key_without_a_join_to_sort(cliente_supervisor, modelo):
    abrir()

    resposta = cliente_supervisor.get(reverse(f"admin:protocolo_{modelo}_changelist"))

    sql = str(resposta.context["cl"].result_list.query)
    assert sql.endswith(f'ORDER BY "protocolo_{modelo}"."id" DESC')


def test_the_admin_history_of_a_protocol_is_its_timeline(cliente_supervisor):
    protocolo = abrir()

    resposta = cliente_supervisor.get(reverse("admin:protocolo_protocolo_history", args=[protocolo.pk]))

    assert resposta.status_code == 302
    assert resposta.url == (reverse("admin:protocolo_interacao_changelist") + f"?protocolo__id__exact={protocolo.pk}")


def test_a_cpf_typed_in_the_demand_is_masked_on_the_protocol_page(cliente_supervisor):
    protocolo = abrir(objeto="Meu CPF é 52998224725 e a cobrança veio em dobro.")

    resposta = cliente_supervisor.get(reverse("admin:protocolo_protocolo_change", args=[protocolo.pk]))

    assert "Meu CPF é ***.982.247-** e a cobrança veio em dobro." in resposta.text
    assert "52998224725" not in resposta.text


@pytest.mark.parametrize("modelo", ["interacao", "consumidor", "mensagem", "acessodadopessoal"])
def test_the_other_lists_do_not_query_per_row(cliente_supervisor, supervisor, modelo):
    def consultas():
        with CaptureQueriesContext(connection) as capturadas:
            assert cliente_supervisor.get(reverse(f"admin:protocolo_{modelo}_changelist")).status_code == 200
        return len(capturadas)

    def mais_linhas(n):
        for _ in range(n):
            consumidor = ConsumidorFactory(email="titular@exemplo.com.br")
            protocolo = abrir(consumidor=consumidor)
            services.protocolo_enviar_numero(protocolo=protocolo, autor=supervisor)
            services.consumidor_revelar_cpf(consumidor=consumidor, usuario=supervisor, protocolo=protocolo)

    mais_linhas(1)
    poucas = consultas()
    mais_linhas(10)

    assert consultas() == poucas


def test_a_cpf_quoted_in_a_message_to_the_consumer_is_masked_in_the_outbox_page(cliente_supervisor, supervisor):
    protocolo = abrir(consumidor=ConsumidorFactory(email="titular@exemplo.com.br"))
    services.protocolo_resolver(
        protocolo=protocolo, texto="Estornamos a cobrança do CPF 529.982.247-25.", autor=supervisor
    )
    mensagem = protocolo.mensagens.get(assunto__contains="resolvida")

    resposta = cliente_supervisor.get(reverse("admin:protocolo_mensagem_change", args=[mensagem.pk]))

    assert resposta.status_code == 200
    assert "***.982.247-**" in resposta.text
    assert "529.982.247-25" not in resposta.text
