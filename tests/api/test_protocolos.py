"""Opening, reading and acting on a protocol through the API, each through the back-office's services."""

import pytest

from protocolo import selectors, services
from protocolo.models import AcessoDadoPessoal, Contato, Protocolo
from tests.api.apoio import cliente
from tests.factories import AtendenteFactory, ConsumidorFactory, abrir, categoria

pytestmark = pytest.mark.django_db

CPF = "529.982.247-25"


def test_opening_returns_the_number_the_deadline_and_the_receipt(api):
    resposta = api.post("/api/v1/protocolos/", {"canal": "telefone", "cpf": CPF, "objeto": "Cobrança indevida"})

    assert resposta.status_code == 201, resposta.content
    dados = resposta.json()
    protocolo = Protocolo.objects.get(numero=dados["numero"])
    assert dados["numero_formatado"] == protocolo.numero_formatado
    assert dados["prazo"] == protocolo.prazo.isoformat()
    assert dados["comprovante"]["codigo"].startswith(protocolo.numero + "-")
    assert dados["comprovante"]["url_verificacao"].endswith(f"/verificar/{dados['comprovante']['codigo']}/")
    assert protocolo.consumidor.cpf == "52998224725"
    assert protocolo.responsavel is None
    abertura = protocolo.interacoes.get(ordem=1)
    assert (abertura.origem, abertura.autor) == ("sistema", api.sistema.usuario)


def test_a_contact_given_serves_only_its_protocol(api):
    resposta = api.post(
        "/api/v1/protocolos/", {"canal": "chat", "cpf": CPF, "email": "A@Exemplo.com.br", "telefone": "11 98765-4321"}
    )

    protocolo = Protocolo.objects.get(numero=resposta.json()["numero"])
    contatos = list(Contato.objects.filter(protocolo=protocolo).order_by("tipo"))
    assert [(c.tipo, c.valor, c.origem, c.consumidor_id) for c in contatos] == [
        ("email", "a@exemplo.com.br", "api", None),
        ("telefone", "+5511987654321", "api", None),
    ]


def test_reading_shows_the_public_timeline_and_logs_the_access():
    leitor = cliente(["protocolos:ler"])
    consumidor = ConsumidorFactory()
    protocolo = abrir(consumidor=consumidor)
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="nota da equipe", autor=AtendenteFactory())

    resposta = leitor.get(f"/api/v1/protocolos/{protocolo.numero_formatado}/")

    assert resposta.status_code == 200, resposta.content
    dados = resposta.json()
    assert dados["numero"] == protocolo.numero
    assert dados["consumidor"]["cpf_mascarado"] == consumidor.cpf_mascarado
    assert "nota da equipe" not in [e["texto"] for e in dados["linha_do_tempo"]]
    acesso = AcessoDadoPessoal.objects.get()
    assert (acesso.usuario, acesso.consumidor, acesso.protocolo, acesso.tipo) == (
        leitor.sistema.usuario,
        consumidor,
        protocolo,
        "api",
    )


def test_the_receipt_of_a_read_seals_the_chain_head_even_when_the_last_entry_is_internal():
    leitor = cliente(["protocolos:ler"])
    protocolo = abrir()
    nota = services.protocolo_registrar_interacao(protocolo=protocolo, texto="nota da equipe", autor=AtendenteFactory())

    dados = leitor.get(f"/api/v1/protocolos/{protocolo.numero}/").json()

    assert [e["ordem"] for e in dados["linha_do_tempo"]] == [1]
    codigo = dados["comprovante"]["codigo"]
    assert codigo.startswith(f"{protocolo.numero}-{nota.ordem}-")
    assert selectors.protocolo_do_comprovante(codigo) == protocolo


def test_a_system_that_acts_reads_the_internal_entries_too(api):
    protocolo = abrir()
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="nota da equipe", autor=AtendenteFactory())

    dados = api.get(f"/api/v1/protocolos/{protocolo.numero}/").json()

    assert "nota da equipe" in [e["texto"] for e in dados["linha_do_tempo"]]


def test_each_action_goes_through_the_service_with_the_version(api):
    protocolo = abrir()
    url = f"/api/v1/protocolos/{protocolo.numero}"

    r = api.post(f"{url}/identificar/", {"cpf": CPF, "nome": "Maria", "versao": protocolo.versao})
    assert r.status_code == 200, r.content
    versao = r.json()["versao"]
    r = api.post(f"{url}/categoria/", {"categoria": "cobranca", "versao": versao})
    assert r.status_code == 200, r.content
    versao = r.json()["versao"]
    assert api.post(f"{url}/demanda/", {"objeto": "Cobrança em dobro"}).status_code == 200
    r = api.post(f"{url}/situacao/", {"situacao": "em_atendimento", "versao": versao})
    assert r.status_code == 200, r.content
    versao = r.json()["versao"]
    r = api.post(f"{url}/resolver/", {"texto": "Estornamos o valor.", "versao": versao})
    assert (r.status_code, r.json()["situacao"]) == (200, "resolvido")
    versao = r.json()["versao"]
    r = api.post(f"{url}/reabrir/", {"motivo": "O estorno não veio.", "versao": versao})
    assert (r.status_code, r.json()["situacao"]) == (200, "em_atendimento")
    versao = r.json()["versao"]
    r = api.post(f"{url}/escalar/", {"motivo": "Valor alto", "versao": versao})
    assert (r.status_code, r.json()["nivel"]) == (200, 2)
    versao = r.json()["versao"]
    # The second nível is the supervisors' (docs/dominio.md §5): a system works the first only.
    r = api.post(f"{url}/resolver/", {"texto": "Resolvido por fora.", "versao": versao})
    assert r.status_code == 403
    assert "nível 2 (supervisão)" in r.json()["detail"]

    protocolo.refresh_from_db()
    assert protocolo.categoria == categoria("cobranca")
    assert protocolo.consumidor.cpf == "52998224725"
    autores = set(protocolo.interacoes.exclude(ordem=1).values_list("autor", flat=True))
    assert autores == {api.sistema.usuario.pk}


def test_a_stale_version_is_a_409_naming_the_current_one(api):
    protocolo = abrir()

    resposta = api.post(
        f"/api/v1/protocolos/{protocolo.numero}/situacao/",
        {"situacao": "em_atendimento", "versao": protocolo.versao + 5},
    )

    assert resposta.status_code == 409
    assert resposta["Content-Type"] == "application/problem+json"
    assert resposta.json()["versao_atual"] == protocolo.versao
    assert resposta.json()["type"] == "urn:protocolo:versao-desatualizada"


def test_an_invalid_field_is_named_in_the_problem(api):
    resposta = api.post("/api/v1/protocolos/", {"canal": "fax", "cpf": "123"})

    assert resposta.status_code == 400
    assert resposta["Content-Type"] == "application/problem+json"
    assert [e["campo"] for e in resposta.json()["erros"]] == ["canal"]


def test_a_cpf_refused_by_the_service_is_a_422(api):
    resposta = api.post("/api/v1/protocolos/", {"canal": "telefone", "cpf": "111.111.111-11"})

    assert resposta.status_code == 422
    assert resposta.json()["detail"]


def test_an_unknown_protocol_or_route_is_a_404_problem(api):
    assert api.get("/api/v1/protocolos/1/").status_code == 404
    resposta = api.get("/api/v1/nada/")
    assert (resposta.status_code, resposta["Content-Type"]) == (404, "application/problem+json")


def test_an_interaction_names_the_system_as_its_author(api):
    protocolo = abrir()

    resposta = api.post(f"/api/v1/protocolos/{protocolo.numero}/interacoes/", {"texto": "Recebemos.", "publica": True})

    assert resposta.status_code == 201, resposta.content
    entrada = protocolo.interacoes.get(ordem=resposta.json()["ordem"])
    assert (entrada.tipo, entrada.autor, entrada.publica) == ("mensagem", api.sistema.usuario, True)


def test_the_open_protocols_of_a_cpf_come_from_the_body_and_are_logged():
    leitor = cliente(["consumidores:ler"])
    consumidor = ConsumidorFactory()
    abertos = [abrir(consumidor=consumidor) for _ in range(3)]

    resposta = leitor.post("/api/v1/consumidores/protocolos/?tamanho=2", {"cpf": consumidor.cpf})

    assert resposta.status_code == 200, resposta.content
    dados = resposta.json()
    assert dados["em_aberto"] == 3
    assert [p["numero"] for p in dados["resultados"]] == [p.numero for p in abertos[::-1][:2]]
    seguinte = leitor.post(dados["proximo"], {"cpf": consumidor.cpf}).json()
    assert [p["numero"] for p in seguinte["resultados"]] == [abertos[0].numero]
    assert AcessoDadoPessoal.objects.filter(consumidor=consumidor, tipo="api").count() == 2


def test_an_invalid_cpf_in_the_lookup_is_named_and_nothing_is_logged():
    leitor = cliente(["consumidores:ler"])

    resposta = leitor.post("/api/v1/consumidores/protocolos/", {"cpf": "123.456.789-00"})

    assert resposta.status_code == 400
    assert [e["campo"] for e in resposta.json()["erros"]] == ["cpf"]
    assert not AcessoDadoPessoal.objects.exists()


def test_identifying_with_an_identity_check_binds_the_contact_only_with_its_scope():
    sem_escopo = cliente(["protocolos:agir"])
    com_escopo = cliente(["protocolos:agir", "contatos:vincular"])
    protocolo = abrir()
    url = f"/api/v1/protocolos/{protocolo.numero}/identificar/"
    corpo = {"cpf": CPF, "email": "maria@exemplo.com.br", "verificacao": "dados_do_contrato"}

    recusado = sem_escopo.post(url, {**corpo, "versao": protocolo.versao})
    assert recusado.status_code == 403
    assert "contatos:vincular" in recusado.json()["detail"]
    assert not Contato.objects.exists()

    resposta = com_escopo.post(url, {**corpo, "versao": protocolo.versao})

    assert resposta.status_code == 200, resposta.content
    contato = Contato.objects.get()
    assert (contato.origem, contato.verificacao, contato.consumidor.cpf) == ("api", "dados_do_contrato", "52998224725")
    assert contato.vinculado_por == com_escopo.sistema.usuario
    entrada = protocolo.interacoes.get(tipo="vinculacao_contato")
    assert entrada.detalhes["verificacao"] == "dados_do_contrato"


def test_identifying_without_a_check_leaves_the_contact_to_its_protocol(api):
    protocolo = abrir()

    resposta = api.post(
        f"/api/v1/protocolos/{protocolo.numero}/identificar/",
        {"cpf": CPF, "telefone": "(11) 98765-4321", "versao": protocolo.versao},
    )

    assert resposta.status_code == 200, resposta.content
    contato = Contato.objects.get()
    assert (contato.origem, contato.protocolo, contato.consumidor, contato.vinculado_em) == (
        "api",
        protocolo,
        None,
        None,
    )


def test_an_unknown_identity_check_is_refused_by_name(api):
    protocolo = abrir()

    resposta = api.post(
        f"/api/v1/protocolos/{protocolo.numero}/identificar/",
        {"cpf": CPF, "email": "a@exemplo.com.br", "verificacao": "nome_da_mae", "versao": protocolo.versao},
    )

    assert resposta.status_code == 400
    assert [e["campo"] for e in resposta.json()["erros"]] == ["verificacao"]
