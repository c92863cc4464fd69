"""
Reads on a real streaming replica (protocolo/leitura.py, docs/replica.md), through the real views:
the named pages read from the standby, writes and access checks never do, and a standby that stopped
replaying does not hide from a browser (or an API system) what it has just written.

A row made on the primary while the standby is paused is what tells the two databases apart: a
page that reads from the replica does not show it until replay resumes.
"""

import re

import pytest
from django.db import DEFAULT_DB_ALIAS, InternalError, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consumidor import acesso
from protocolo import leitura, services
from protocolo.models import Credencial, Interacao, Protocolo
from tests.api.apoio import cliente as cliente_api
from tests.factories import AtendenteFactory, ConsumidorFactory, SupervisorFactory, abrir
from tests.segundo_fator import Cliente

pytestmark = pytest.mark.processos

# A query that reads what an access check decides on: who the user is and may do, the session, an
# API token. A list may join auth_user for a responsible's name; it never reads from it.
TABELAS_DE_ACESSO = re.compile(
    r'FROM "(auth_\w+|django_session|otp_\w+|axes_\w+|protocolo_credencial|protocolo_sistemaintegrado)"'
)


def logado(usuario):
    cliente = Cliente()
    cliente.force_login(usuario)
    return cliente


def visitante(protocolo):
    """A browser that looked the protocol up (number and CPF), as consumidor.acesso grants it."""
    cliente = Cliente()
    sessao = cliente.session
    acesso.conceder(sessao, protocolo)
    sessao.save()
    return cliente


def texto(resposta):
    return resposta.content.decode()


def consultas(contexto):
    return [q["sql"] for q in contexto.captured_queries]


def ler_pelos_dois(pedir):
    """(what the page shows, the queries sent to the replica, those sent to the primary)."""
    with (
        CaptureQueriesContext(connections[leitura.REPLICA]) as na_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as no_primario,
    ):
        conteudo = pedir()
    return conteudo, consultas(na_replica), consultas(no_primario)


def lido_da_replica(bancos, pedir, criar):
    """criar() commits a row on the primary while the standby is paused and returns the text that
    shows it; the page (pedir()) leaves it out until the standby replays it, though the primary
    already had it. Returns the queries the replica answered."""
    with bancos.atrasada():
        marca = criar()
        atrasada, na_replica, no_primario = ler_pelos_dois(pedir)
        assert marca not in atrasada
        with leitura.no_primario():
            assert marca in pedir()
    bancos.sincronizar()
    assert marca in pedir()
    assert na_replica, "a página não leu nada da réplica"
    assert all(sql.lstrip().upper().startswith("SELECT") for sql in na_replica), na_replica
    assert not [sql for sql in na_replica if TABELAS_DE_ACESSO.search(sql)]
    assert [sql for sql in no_primario if TABELAS_DE_ACESSO.search(sql)], "o acesso foi conferido no primário"
    return na_replica


# The named pages read from the replica ----------------------------------------------------------------


def test_the_supervision_dashboard_reads_its_figures_from_the_replica(bancos):
    supervisor = SupervisorFactory()
    cliente = logado(supervisor)

    def escalar():
        protocolo = abrir()
        services.protocolo_escalar(protocolo=protocolo, motivo="Caso sensível.", autor=supervisor)
        return Protocolo.objects.get(pk=protocolo.pk).numero_formatado

    def pedir():
        resposta = cliente.get(reverse("supervisao"))
        assert resposta.status_code == 200
        return texto(resposta)

    na_replica = lido_da_replica(bancos, pedir, escalar)
    # Every figure of indicadores.painel(), not only the escalation queue.
    assert len(na_replica) >= 10


def test_the_protocol_changelist_reads_its_rows_from_the_replica(bancos):
    cliente = logado(SupervisorFactory())

    def pedir():
        resposta = cliente.get(reverse("admin:protocolo_protocolo_changelist"), {"o": "-7"})
        assert resposta.status_code == 200
        return texto(resposta)

    lido_da_replica(bancos, pedir, lambda: abrir().numero_formatado)


def test_the_back_office_queue_reads_from_the_replica(bancos):
    cliente = logado(AtendenteFactory())

    def pedir():
        resposta = cliente.get(reverse("atendimento:painel"), {"ordem": "recentes"})
        assert resposta.status_code == 200
        return texto(resposta)

    na_replica = lido_da_replica(bancos, pedir, lambda: abrir().numero_formatado)
    # The counters too (one raw query of three counts).
    assert any("COUNT(*) FROM" in sql for sql in na_replica)


def test_the_back_office_consumer_search_reads_from_the_replica(bancos):
    cliente = logado(AtendenteFactory())
    consumidor = ConsumidorFactory()

    def pedir():
        resposta = cliente.get(reverse("atendimento:consumidores"), {"q": consumidor.cpf})
        assert resposta.status_code == 200
        return texto(resposta)

    lido_da_replica(bancos, pedir, lambda: abrir(consumidor=consumidor).numero_formatado)


def test_the_api_list_of_a_cpf_reads_from_the_replica(bancos):
    consumidor = ConsumidorFactory()
    abrir(consumidor=consumidor)
    api = cliente_api()

    def pedir():
        resposta = api.post(reverse("api:consumidor_protocolos"), {"cpf": consumidor.cpf})
        assert resposta.status_code == 200, resposta.content
        return texto(resposta)

    lido_da_replica(bancos, pedir, lambda: abrir(consumidor=consumidor).numero)


def test_the_consumer_page_reads_its_public_timeline_from_the_replica(bancos):
    protocolo = abrir()
    cliente = visitante(protocolo)
    atendente = AtendenteFactory()

    def responder():
        services.protocolo_registrar_interacao(
            protocolo=protocolo, texto="Estornamos a cobrança hoje.", autor=atendente, publica=True
        )
        return "Estornamos a cobrança hoje."

    def pedir():
        resposta = cliente.get(reverse("consumidor:protocolo", args=[protocolo.numero]))
        assert resposta.status_code == 200
        return texto(resposta)

    na_replica = lido_da_replica(bancos, pedir, responder)
    assert all("protocolo_interacao" in sql for sql in na_replica), na_replica


# Writes never go to the replica -------------------------------------------------------------------------


def test_writes_through_the_views_never_reach_the_replica(bancos):
    protocolo = abrir(consumidor=ConsumidorFactory())
    consumidor = visitante(protocolo)
    atendente = logado(AtendenteFactory())
    api = cliente_api()

    with CaptureQueriesContext(connections[leitura.REPLICA]) as na_replica:
        mensagem = consumidor.post(
            reverse("consumidor:mensagem", args=[protocolo.numero]), {"texto": "Ainda não recebi o estorno."}
        )
        iniciado = atendente.post(reverse("atendimento:iniciar"), {"canal": "telefone"})
        nota = api.post(
            reverse("api:interacoes", args=[protocolo.numero]), {"texto": "Nota do sistema.", "publica": False}
        )
        # The API list is a POST that only reads, which may go to the replica, and it writes its
        # access-log row: that row goes to the primary.
        lista = api.post(reverse("api:consumidor_protocolos"), {"cpf": protocolo.consumidor.cpf})

    assert (mensagem.status_code, iniciado.status_code, nota.status_code, lista.status_code) == (302, 302, 201, 200)
    assert all(sql.lstrip().upper().startswith("SELECT") for sql in consultas(na_replica))
    assert Interacao.objects.filter(protocolo=protocolo, texto="Ainda não recebi o estorno.").exists()
    bancos.sincronizar()
    assert Protocolo.objects.using(leitura.REPLICA).filter(pk=protocolo.pk).exists()


def test_a_locking_read_or_a_read_inside_a_transaction_stays_on_the_primary(bancos):
    with leitura.da_replica():
        assert leitura.de_leitura(Protocolo.objects.all()).db == leitura.REPLICA
        assert leitura.de_leitura(Protocolo.objects.select_for_update()).db == DEFAULT_DB_ALIAS
        assert leitura.de_leitura(Protocolo.objects.using(DEFAULT_DB_ALIAS)).db == DEFAULT_DB_ALIAS
        with transaction.atomic():
            assert leitura.de_leitura(Protocolo.objects.all()).db == DEFAULT_DB_ALIAS
    # Outside a request nothing asks for the replica.
    assert leitura.de_leitura(Protocolo.objects.all()).db == DEFAULT_DB_ALIAS


def test_the_replica_refuses_a_write_sent_to_it_and_a_row_read_there_is_saved_on_the_primary(bancos):
    protocolo = abrir()
    bancos.sincronizar()
    with pytest.raises(InternalError, match="read-only transaction"):
        Protocolo.objects.using(leitura.REPLICA).filter(pk=protocolo.pk).update(objeto="Nunca aqui.")

    lido = Protocolo.objects.using(leitura.REPLICA).get(pk=protocolo.pk)
    lido.objeto = "Corrigido a partir de uma leitura da réplica."
    lido.save(update_fields=["objeto"])

    assert Protocolo.objects.get(pk=protocolo.pk).objeto == "Corrigido a partir de uma leitura da réplica."


# Access checks never read the replica -------------------------------------------------------------------


def test_a_supervisor_removed_from_the_group_is_refused_while_the_replica_still_has_them(bancos):
    supervisor = SupervisorFactory()
    cliente = logado(supervisor)
    assert cliente.get(reverse("supervisao")).status_code == 200

    with bancos.atrasada():
        supervisor.groups.clear()
        resposta = cliente.get(reverse("supervisao"))

    assert resposta.status_code == 403


def test_a_visitor_loses_a_protocol_identified_as_someone_elses_while_the_replica_lags(bancos):
    protocolo = abrir()
    cliente = visitante(protocolo)
    assert cliente.get(reverse("consumidor:protocolo", args=[protocolo.numero])).status_code == 200

    with bancos.atrasada():
        services.protocolo_identificar_consumidor(
            protocolo=protocolo, consumidor=ConsumidorFactory(), autor=AtendenteFactory()
        )
        resposta = cliente.get(reverse("consumidor:protocolo", args=[protocolo.numero]))

    assert resposta.status_code == 404


def test_a_revoked_api_token_is_refused_while_the_replica_still_has_it(bancos):
    api = cliente_api()
    corpo = {"cpf": ConsumidorFactory().cpf}
    assert api.post(reverse("api:consumidor_protocolos"), corpo).status_code == 200

    with bancos.atrasada():
        services.credencial_revogar(
            credencial=Credencial.objects.get(sistema=api.sistema), autor=api.sistema.responsavel
        )
        resposta = api.post(reverse("api:consumidor_protocolos"), corpo)

    assert resposta.status_code == 401


# Read-your-writes while the replica lags -----------------------------------------------------------------


def test_the_browser_that_wrote_reads_its_message_while_the_replica_lags_and_another_does_not(bancos):
    protocolo = abrir()
    quem_escreveu, outro = visitante(protocolo), visitante(protocolo)
    pagina = reverse("consumidor:protocolo", args=[protocolo.numero])

    with bancos.atrasada():
        enviada = quem_escreveu.post(
            reverse("consumidor:mensagem", args=[protocolo.numero]), {"texto": "Mandei a nota fiscal por e-mail."}
        )
        assert enviada.status_code == 302
        assert leitura.COOKIE in enviada.cookies
        para_quem_escreveu = texto(quem_escreveu.get(pagina))
        para_o_outro = texto(outro.get(pagina))

    assert "Mandei a nota fiscal por e-mail." in para_quem_escreveu
    assert "Mandei a nota fiscal por e-mail." not in para_o_outro
    bancos.sincronizar()
    assert "Mandei a nota fiscal por e-mail." in texto(outro.get(pagina))


def test_the_attendant_who_opened_a_protocol_finds_it_in_the_queue_while_the_replica_lags(bancos):
    atendente, colega = logado(AtendenteFactory()), logado(AtendenteFactory())
    fila = reverse("atendimento:painel")

    with bancos.atrasada():
        aberto = atendente.post(reverse("atendimento:iniciar"), {"canal": "telefone"})
        numero = aberto["Location"].rstrip("/").rsplit("/", 1)[1]
        formatado = Protocolo.objects.get(numero=numero).numero_formatado
        para_quem_abriu = texto(atendente.get(fila, {"ordem": "recentes"}))
        para_o_colega = texto(colega.get(fila, {"ordem": "recentes"}))

    assert formatado in para_quem_abriu
    assert formatado not in para_o_colega


def test_an_api_system_without_cookies_reads_its_own_entry_while_the_replica_lags(bancos):
    protocolo = abrir()
    quem_escreveu, outro = cliente_api(), cliente_api()
    detalhe = reverse("api:protocolo", args=[protocolo.numero])

    with bancos.atrasada():
        assert (
            quem_escreveu.post(
                reverse("api:interacoes", args=[protocolo.numero]), {"texto": "Retorno do CRM.", "publica": True}
            ).status_code
            == 201
        )
        # A system's HTTP client keeps no cookies: the window is found by the system's account.
        quem_escreveu.cookies.clear()
        para_quem_escreveu = texto(quem_escreveu.get(detalhe))
        para_o_outro = texto(outro.get(detalhe))

    assert "Retorno do CRM." in para_quem_escreveu
    assert "Retorno do CRM." not in para_o_outro


def test_without_the_window_the_next_page_reads_the_lagging_replica(bancos, settings):
    settings.PROTOCOLO_REPLICA_JANELA = 0
    protocolo = abrir()
    cliente = visitante(protocolo)

    with bancos.atrasada():
        enviada = cliente.post(
            reverse("consumidor:mensagem", args=[protocolo.numero]), {"texto": "Sem janela, sem garantia."}
        )
        pagina = texto(cliente.get(reverse("consumidor:protocolo", args=[protocolo.numero])))

    assert enviada.status_code == 302
    assert leitura.COOKIE not in enviada.cookies
    assert "Sem janela, sem garantia." not in pagina


def test_the_csv_export_streams_its_rows_from_the_replica_and_logs_the_access_on_the_primary(bancos):
    from protocolo.models import AcessoDadoPessoal

    supervisor = SupervisorFactory()
    cliente = logado(supervisor)
    protocolo = abrir(consumidor=ConsumidorFactory())
    bancos.sincronizar()

    with CaptureQueriesContext(connections[leitura.REPLICA]) as na_replica:
        resposta = cliente.get(reverse("admin:protocolo_protocolo_exportar"))
        planilha = b"".join(resposta.streaming_content).decode()

    assert resposta.status_code == 200
    assert protocolo.numero_formatado in planilha
    # The rows come through a server-side cursor (DECLARE ... CURSOR) on the standby.
    assert any("protocolo_protocolo" in sql for sql in consultas(na_replica))
    assert AcessoDadoPessoal.objects.filter(usuario=supervisor, consumidor=protocolo.consumidor).exists()


def test_with_the_cache_down_a_signed_in_user_reads_from_the_primary_and_still_gets_the_page(bancos, settings):
    from tests.processos import porta_livre

    cliente = logado(AtendenteFactory())
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{porta_livre()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }

    resposta, na_replica, _ = ler_pelos_dois(lambda: cliente.get(reverse("atendimento:painel")))

    assert resposta.status_code == 200
    assert na_replica == []


def test_with_the_replica_down_the_pages_read_from_the_primary_until_it_is_back(bancos, caplog):
    cliente = logado(AtendenteFactory())
    protocolo = abrir()
    fila = reverse("atendimento:painel")

    connections[leitura.REPLICA].close()
    bancos.standby.parar("immediate")
    try:
        resposta = cliente.get(fila, {"ordem": "recentes"})
        de_novo = cliente.get(fila, {"ordem": "recentes"})
        # Never connected: every query of both pages went to the primary.
        assert connections[leitura.REPLICA].connection is None
    finally:
        bancos.standby.iniciar()

    assert (resposta.status_code, de_novo.status_code) == (200, 200)
    assert protocolo.numero_formatado in texto(resposta)
    # Tried once, then left alone for a while: the second page did not wait on it.
    assert sum("Réplica indisponível" in r.getMessage() for r in caplog.records) == 1
    leitura._sem_replica_ate = 0.0
    bancos.sincronizar()
    _, na_replica, _ = ler_pelos_dois(lambda: cliente.get(fila, {"ordem": "recentes"}))
    assert na_replica
