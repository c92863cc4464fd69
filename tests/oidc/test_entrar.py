"""Signing in with OpenID Connect (consumidor/entrar.py, docs/seguranca.md) against a real provider
on loopback (tests/oidc/provedor.mjs): what a proofed provider grants, what a non-proofed one does
not, and every answer that is not a fresh, valid return of this session's own request refused."""

import datetime
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from consumidor import entrar as modulo
from protocolo import services
from protocolo import settings as configuracao
from protocolo.models import Contato, Interacao, Mensagem, Situacao
from tests.factories import AtendenteFactory, ConsumidorFactory, abrir
from tests.oidc.apoio import autorizar, entrar, iniciar
from tests.processos import porta_livre
from tests.seguranca.test_cabecalhos import problemas

pytestmark = pytest.mark.django_db

CPF, OUTRO_CPF = "52998224725", "11144477735"


@pytest.fixture
def maria():
    return ConsumidorFactory(cpf=CPF, nome="Maria Aparecida Souza")


@pytest.fixture
def protocolos(maria):
    return [abrir(consumidor=maria, objeto="Cobrança em dobro."), abrir(consumidor=maria, objeto="Sem sinal.")]


@pytest.fixture
def alheio():
    return abrir(consumidor=ConsumidorFactory(cpf=OUTRO_CPF), objeto="Assunto de outra pessoa.")


def identidade(client):
    return modulo.identidade_comprovada(SimpleNamespace(session=client.session))


def mensagens(resposta):
    return [str(m) for m in resposta.context["messages"]]


# Without settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("endereco", ["/entrar/empresa/", "/entrar/empresa/retorno/?code=a&state=b"])
def test_without_settings_the_urls_answer_a_portuguese_404(client, endereco):
    resposta = client.get(endereco)

    assert resposta.status_code == 404
    assert "não encontrad" in resposta.text.lower()


def test_without_settings_no_page_shows_the_button(client):
    paginas = [client.get("/"), client.get("/recuperar/"), client.post("/consultar/", {})]

    for resposta in paginas:
        assert resposta.status_code == 200
        assert "/entrar/" not in resposta.text


def test_with_settings_the_start_lookup_and_recovery_pages_link_to_each_provider(client, provedores):
    paginas = [client.get("/"), client.get("/recuperar/"), client.post("/consultar/", {})]

    for resposta in paginas:
        assert 'class="btn btn-outline-primary" href="/entrar/empresa/">Entrar com Conta Exemplo</a>' in resposta.text
        assert 'href="/entrar/govbr/">Entrar com gov.br</a>' in resposta.text


# The request ---------------------------------------------------------------------------------------


def test_the_link_sends_the_browser_to_the_provider_with_pkce_s256_a_state_and_a_nonce(client, provedores, provedor):
    destino = urlsplit(iniciar(client, "empresa"))
    parametros = {chave: valores[0] for chave, valores in parse_qs(destino.query).items()}

    assert f"{destino.scheme}://{destino.netloc}" == provedor.emissor
    assert parametros["code_challenge_method"] == "S256"
    assert len(parametros["code_challenge"]) == 43
    assert parametros["redirect_uri"] == "https://protocolo.exemplo.com.br/entrar/empresa/retorno/"
    assert parametros["state"] and parametros["nonce"]
    assert parametros["scope"] == "openid cpf"


def test_an_unreachable_provider_is_a_portuguese_503(client, settings, provedores):
    settings.PROTOCOLO_OIDC = provedores | {
        "empresa": provedores["empresa"] | {"emissor": f"http://127.0.0.1:{porta_livre()}"}
    }

    resposta = client.get("/entrar/empresa/")

    assert resposta.status_code == 503
    assert "Não foi possível falar com Conta Exemplo agora" in resposta.text


# A proofed provider ---------------------------------------------------------------------------------


def test_a_proofed_sign_in_shows_every_protocol_of_the_cpf_and_nothing_else(client, provedores, protocolos, alheio):
    client.get("/")
    anterior = client.session.session_key

    resposta = entrar(client, "empresa", CPF)

    assert resposta.status_code == 302 and resposta["Location"] == "/demandas/"
    assert client.session.session_key != anterior
    assert identidade(client) == (CPF, "empresa")
    pagina = client.get("/demandas/").text
    for protocolo in protocolos:
        assert protocolo.numero_formatado in pagina
        assert client.get(f"/protocolo/{protocolo.numero}/").status_code == 200
    assert alheio.numero_formatado not in pagina
    assert client.get(f"/protocolo/{alheio.numero}/").status_code == 404
    assert "Você entrou com Conta Exemplo" in pagina


def test_a_proofed_consumer_acts_on_each_protocol_as_a_visitor_with_number_and_cpf_does(client, provedores, protocolos):
    primeiro, segundo = protocolos
    services.protocolo_resolver(protocolo=segundo, texto="Estornamos a cobrança.", autor=AtendenteFactory())
    entrar(client, "empresa", CPF)

    client.post(f"/protocolo/{primeiro.numero}/mensagem/", {"texto": "Alguma novidade?"})
    client.post(f"/protocolo/{segundo.numero}/resposta/", {"resposta": "resolvido", "avaliacao": "5"})

    ultima = primeiro.interacoes.order_by("-ordem").first()
    assert (ultima.tipo, ultima.texto) == (Interacao.Tipo.MENSAGEM_CONSUMIDOR, "Alguma novidade?")
    segundo.refresh_from_db()
    assert (segundo.situacao, segundo.avaliacao) == (Situacao.ENCERRADO, 5)


def test_a_protocol_identified_as_someone_elses_leaves_the_signed_in_session(client, provedores, protocolos):
    entrar(client, "empresa", CPF)
    movido = protocolos[0]
    movido.consumidor = ConsumidorFactory()
    movido.save(update_fields=["consumidor"])

    assert client.get(f"/protocolo/{movido.numero}/").status_code == 404
    assert movido.numero_formatado not in client.get("/demandas/").text


def test_a_proofed_cpf_without_protocols_is_told_so(client, provedores):
    resposta = entrar(client, "empresa", CPF)

    assert resposta["Location"] == "/"
    assert identidade(client) == (CPF, "empresa")
    assert mensagens(client.get("/")) == ["Você entrou com Conta Exemplo. Não há protocolos registrados com o seu CPF."]
    assert client.get("/demandas/").status_code == 404


def test_gov_br_like_providers_take_the_cpf_from_sub_and_proof_only_accepted_levels(
    client, provedores, protocolos, alheio
):
    entrar(client, "govbr", CPF)  # gold
    assert identidade(client) == (CPF, "govbr")

    bronze = Client()
    resposta = entrar(bronze, "govbr", OUTRO_CPF)

    assert resposta["Location"] == "/"
    assert identidade(bronze) is None
    assert bronze.get(f"/protocolo/{alheio.numero}/").status_code == 404
    assert bronze.get("/demandas/").status_code == 404


def test_turning_the_proofing_setting_off_withdraws_the_identity_of_signed_in_sessions(
    client, settings, provedores, protocolos
):
    entrar(client, "empresa", CPF)
    settings.PROTOCOLO_OIDC = provedores | {"empresa": provedores["empresa"] | {"cpf_comprovado": False}}

    assert identidade(client) is None


# A provider that does not proof the CPF ---------------------------------------------------------


def test_a_non_proofed_provider_claiming_a_victims_cpf_reaches_none_of_the_victims_protocols(
    client, provedores, protocolos
):
    resposta = entrar(client, "aberto", CPF)

    assert resposta["Location"] == "/"
    assert identidade(client) is None
    inicio = client.get("/")
    assert "Essa entrada não comprova o seu CPF" in inicio.text
    assert client.get("/demandas/").status_code == 404
    assert client.get("/demandas.json").status_code == 404
    for protocolo in protocolos:
        assert client.get(f"/protocolo/{protocolo.numero}/").status_code == 404
        assert client.post(f"/protocolo/{protocolo.numero}/mensagem/", {"texto": "Oi"}).status_code == 404
    assert all(p.interacoes.filter(texto="Oi").count() == 0 for p in protocolos)


def test_a_non_proofed_sign_in_drops_the_grant_of_an_earlier_proofed_one(client, provedores, protocolos):
    entrar(client, "empresa", CPF)
    entrar(client, "aberto", CPF)

    assert client.get("/demandas/").status_code == 404


def test_an_account_without_a_cpf_is_an_ordinary_login(client, provedores, protocolos):
    resposta = entrar(client, "empresa", "sem-cpf")

    assert resposta["Location"] == "/"
    assert identidade(client) is None
    assert client.get("/demandas/").status_code == 404


# Logout ------------------------------------------------------------------------------------------


def test_logging_out_ends_the_sign_in_and_every_grant(client, provedores, protocolos):
    entrar(client, "empresa", CPF)
    assert "Sair" in client.get("/demandas/").text

    resposta = client.post("/sair/")

    assert resposta.status_code == 302 and resposta["Location"] == "/"
    assert identidade(client) is None
    assert client.get("/demandas/").status_code == 404
    assert client.get(f"/protocolo/{protocolos[0].numero}/").status_code == 404


def test_logging_out_is_a_post(client, provedores):
    assert client.get("/sair/").status_code == 405


# Refused returns ---------------------------------------------------------------------------------


def _recusado(resposta, client):
    assert resposta.status_code == 400
    assert "Entrada não concluída" in resposta.text
    assert identidade(client) is None
    assert modulo.CHAVE not in client.session
    assert client.get("/demandas/").status_code == 404


def test_a_token_from_another_issuer_is_refused(client, provedores, protocolos):
    _recusado(entrar(client, "confuso", CPF), client)


def test_a_return_used_twice_is_refused_the_second_time(client, provedores, protocolos):
    retorno = autorizar(iniciar(client, "empresa"), CPF)
    assert client.get(retorno).status_code == 302
    client.post("/sair/")

    resposta = client.get(retorno)

    assert "o link de retorno já foi usado" in resposta.text
    _recusado(resposta, client)


def test_a_return_carried_to_another_browser_is_refused(client, provedores, protocolos):
    retorno = autorizar(iniciar(client, "empresa"), CPF)
    outro = Client()

    _recusado(outro.get(retorno), outro)


def test_an_expired_id_token_is_refused(client, provedores, protocolos):
    retorno = autorizar(iniciar(client, "empresa"), CPF)

    # The provider's tokens live an hour; our clock two hours later sees this one expired.
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=2), tick=False):
        _recusado(client.get(retorno), client)


@pytest.mark.parametrize(
    "consulta",
    [
        "",
        "?code=abc",
        "?state=abc",
        "?code=&state=",
        "?code=lixo&state=lixo",
        "?code=%00%ff&state=%00",
        "?error=access_denied&error_description=O+usu%C3%A1rio+cancelou",
        "?error=server_error&state=abc",
    ],
)
def test_bad_input_on_the_return_is_a_portuguese_400(client, provedores, consulta):
    iniciar(client, "empresa")

    resposta = client.get(f"/entrar/empresa/retorno/{consulta}")

    _recusado(resposta, client)


def test_a_garbage_code_with_this_sessions_state_is_refused_by_the_provider(client, provedores):
    estado = parse_qs(urlsplit(iniciar(client, "empresa")).query)["state"][0]

    _recusado(client.get(f"/entrar/empresa/retorno/?code=lixo&state={estado}"), client)


# Queries, roles and headers with providers configured ----------------------------------------------


def test_all_demands_of_a_signed_in_consumer_take_a_fixed_number_of_queries(
    client, provedores, maria, django_assert_num_queries
):
    for _ in range(4):
        abrir(consumidor=maria)
    entrar(client, "empresa", CPF)

    # The session; the consumer; the protocols with consumidor, categoria and duplicado_de; their
    # public entries with the authors. The sign-in box reads the session already loaded.
    with django_assert_num_queries(4):
        assert client.get("/demandas/").status_code == 200


def test_each_role_starts_a_sign_in_and_gets_a_400_for_a_return_it_did_not_ask_for(clientes, provedores, provedor):
    for papel, cliente in clientes.items():
        inicio = cliente.get("/entrar/empresa/")
        assert inicio.status_code == 302 and inicio["Location"].startswith(provedor.emissor), papel
        assert cliente.get("/entrar/empresa/retorno/?code=a&state=b").status_code == 400, papel
        assert cliente.post("/entrar/empresa/").status_code == 405, papel
        assert cliente.post("/entrar/empresa/retorno/").status_code == 405, papel
        assert cliente.get("/entrar/nenhum/").status_code == 404, papel


def test_the_sign_in_pages_carry_the_security_headers(client, provedores, protocolos):
    respostas = [
        client.get("/", secure=True),
        client.get("/recuperar/", secure=True),
        client.get("/entrar/empresa/", secure=True),
        client.get("/entrar/empresa/retorno/?error=access_denied", secure=True),
    ]
    retorno = autorizar(iniciar(client, "empresa"), CPF)
    respostas += [client.get(retorno, secure=True), client.get("/demandas/", secure=True)]
    respostas += [client.get("/", secure=True), client.post("/sair/", secure=True)]

    assert [r.status_code for r in respostas] == [200, 200, 302, 400, 302, 200, 200, 302]
    assert [erro for r in respostas for erro in problemas(r)] == []


# Settings ------------------------------------------------------------------------------------------


def test_each_provider_is_read_from_its_own_variables(monkeypatch):
    for nome, valor in {
        "EMISSOR": "https://sso.exemplo.com.br/",
        "CLIENTE": "portal",
        "SEGREDO": "s3gredo",
        "TITULO": "gov.br",
        "CLAIM_CPF": "sub",
        "CPF_COMPROVADO": "1",
        "CLAIM_NIVEL": "nivel",
        "NIVEIS_ACEITOS": "prata,ouro",
    }.items():
        monkeypatch.setenv(f"PROTOCOLO_OIDC_GOVBR_{nome}", valor)

    assert configuracao._provedor_oidc("govbr") == {
        "emissor": "https://sso.exemplo.com.br",
        "cliente": "portal",
        "segredo": "s3gredo",
        "titulo": "gov.br",
        "escopos": "openid",
        "claim_cpf": "sub",
        "cpf_comprovado": True,
        "claim_nivel": "nivel",
        "niveis_aceitos": ["prata", "ouro"],
        "tempo_limite": 5.0,
    }


def test_a_provider_is_not_proofed_unless_the_operator_says_so(monkeypatch):
    for nome, valor in {"EMISSOR": "https://id.exemplo.com.br", "CLIENTE": "portal", "SEGREDO": "s"}.items():
        monkeypatch.setenv(f"PROTOCOLO_OIDC_EMPRESA_{nome}", valor)

    assert configuracao._provedor_oidc("empresa")["cpf_comprovado"] is False


@pytest.mark.parametrize(
    ("nome", "variaveis", "erro"),
    [
        ("Empresa", {}, "nome inválido"),
        ("empresa", {"CLIENTE": "c", "SEGREDO": "s"}, "PROTOCOLO_OIDC_EMPRESA_EMISSOR"),
        ("empresa", {"EMISSOR": "https://x", "CLIENTE": "c", "SEGREDO": "s", "CLAIM_NIVEL": "n"}, "vão juntos"),
    ],
)
def test_an_incomplete_provider_stops_the_start(monkeypatch, nome, variaveis, erro):
    for chave, valor in variaveis.items():
        monkeypatch.setenv(f"PROTOCOLO_OIDC_{nome.upper()}_{chave}", valor)

    with pytest.raises(ImproperlyConfigured, match=erro):
        configuracao._provedor_oidc(nome)


# The provider's verified e-mail (docs/seguranca.md, "Contatos e identidade") ---------------------

JOANA = "39053344705"


@pytest.fixture
def joana():
    consumidor = ConsumidorFactory(cpf=JOANA, email="antigo@exemplo.com.br", telefone="")
    abrir(consumidor=consumidor, objeto="Fatura em dobro.")
    return consumidor


def test_a_proofed_sign_in_binds_the_verified_email_and_warns_the_one_bound_before(client, provedores, joana):
    assert entrar(client, "empresa", JOANA).status_code == 302

    novo = joana.contatos.vinculados().get(tipo=Contato.Tipo.EMAIL)
    assert (novo.valor, novo.origem) == ("joana@exemplo.com.br", Contato.Origem.OIDC)
    assert novo.verificacao == f"oidc:{provedores['empresa']['emissor']}"
    assert joana.contatos.get(valor="antigo@exemplo.com.br").encerrado_em is not None
    aviso = Mensagem.objects.get(assunto="Um novo contato foi vinculado ao seu cadastro")
    assert aviso.destinatario == "antigo@exemplo.com.br"
    assert services.consumidor_identidade_confirmada(joana)


def test_signing_in_again_with_the_same_email_binds_nothing_new(client, provedores, joana):
    entrar(client, "empresa", JOANA)
    contatos, mensagens = Contato.objects.count(), Mensagem.objects.count()

    assert entrar(Client(), "empresa", JOANA).status_code == 302

    assert (Contato.objects.count(), Mensagem.objects.count()) == (contatos, mensagens)


def test_a_non_proofed_provider_binds_no_email_even_a_verified_one(client, provedores, joana):
    entrar(client, "aberto", JOANA)

    assert list(joana.contatos.vinculados().values_list("valor", flat=True)) == ["antigo@exemplo.com.br"]
    assert not Mensagem.objects.filter(assunto="Um novo contato foi vinculado ao seu cadastro").exists()


def test_an_email_the_provider_did_not_verify_is_not_bound(client, provedores):
    consumidor = ConsumidorFactory(cpf="12345678909", email="", telefone="")
    abrir(consumidor=consumidor)

    assert entrar(client, "empresa", "12345678909").status_code == 302

    assert not consumidor.contatos.exists()
    assert not services.consumidor_identidade_confirmada(consumidor)
