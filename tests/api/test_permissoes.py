"""Every API route for every scope, and for whoever has no valid token: none, a revoked one, one of
a deactivated system, one from an address outside the system's list, and a supervisor's password
sent as HTTP Basic (which would skip the second factor and the login lockout)."""

import base64

import pytest
from django.urls import reverse

from protocolo import services
from protocolo.models import EscopoSistema
from tests.api.apoio import ClienteApi, cliente, sistema, token
from tests.api.permissoes import ARGUMENTOS, ROTAS
from tests.factories import SupervisorFactory, abrir
from tests.seguranca import rotas

pytestmark = pytest.mark.django_db

ROTAS_DA_API = sorted(ROTAS)


def _endereco(nome, protocolo):
    kwargs = ARGUMENTOS[nome](protocolo) if "<str:numero>" in _rota(nome) else {}
    return reverse(nome, kwargs=kwargs)


def _rota(nome):
    return next(r.rota for r in rotas.rotas() if r.chave == nome)


def _pedir(api, nome, protocolo):
    metodo, _ = ROTAS[nome]
    resposta = getattr(api, metodo)(_endereco(nome, protocolo))
    if getattr(resposta, "streaming", False):
        # A streamed file is closed once read to its end.
        b"".join(resposta.streaming_content)
    return resposta


def test_every_api_route_is_in_the_scope_table():
    da_api = {r.chave for r in rotas.rotas() if r.chave.startswith("api:")}

    assert da_api - {"api:esquema", "api:documentacao", "api:inexistente"} == set(ROTAS)


@pytest.mark.parametrize("escopo", EscopoSistema.values)
@pytest.mark.parametrize("nome", ROTAS_DA_API)
def test_each_scope_opens_its_routes_and_no_other(nome, escopo):
    api = cliente([escopo])
    protocolo = abrir()
    _, exigido = ROTAS[nome]

    resposta = _pedir(api, nome, protocolo)

    if escopo == exigido:
        # In: a read answers, a write without its body is refused field by field.
        assert resposta.status_code == (200 if ROTAS[nome][0] == "get" else 400), resposta.content
    else:
        assert resposta.status_code == 403
        assert resposta["Content-Type"] == "application/problem+json"
        assert exigido in resposta.json()["detail"]


def _sem_entrada(resposta):
    assert resposta.status_code == 401
    assert resposta["Content-Type"] == "application/problem+json"
    assert resposta["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize("nome", ROTAS_DA_API)
def test_no_token_is_a_401(nome):
    _sem_entrada(_pedir(ClienteApi(), nome, abrir()))


@pytest.mark.parametrize("nome", ROTAS_DA_API)
def test_a_revoked_token_is_a_401(nome):
    api = cliente()
    services.credencial_revogar(credencial=api.sistema.credenciais.get(), autor=None)

    _sem_entrada(_pedir(api, nome, abrir()))


@pytest.mark.parametrize("nome", ROTAS_DA_API)
def test_a_deactivated_systems_token_is_a_401(nome):
    api = cliente()
    services.sistema_alterar(sistema=api.sistema, escopos=api.sistema.escopos, enderecos_permitidos=[], ativo=False)

    _sem_entrada(_pedir(api, nome, abrir()))


@pytest.mark.parametrize("nome", ROTAS_DA_API)
def test_a_supervisors_password_as_http_basic_is_a_401(nome):
    supervisor = SupervisorFactory(username="chefe")
    supervisor.set_password("senha-forte-do-supervisor")
    supervisor.save()
    basico = base64.b64encode(b"chefe:senha-forte-do-supervisor").decode()
    api = ClienteApi()

    metodo, _ = ROTAS[nome]
    resposta = getattr(api, metodo)(_endereco(nome, abrir()), headers={"Authorization": f"Basic {basico}"})

    _sem_entrada(resposta)


@pytest.mark.parametrize("nome", ROTAS_DA_API)
def test_a_session_of_a_verified_supervisor_is_a_401(nome, client, supervisor):
    client.force_login(supervisor)
    metodo, _ = ROTAS[nome]

    resposta = getattr(client, metodo)(_endereco(nome, abrir()))

    assert resposta.status_code == 401


def test_a_garbled_or_unknown_token_is_a_401():
    for valor in ["", "x" * 500, "ptc_inexistente", "ç", "a b", "\x00"]:
        _sem_entrada(ClienteApi(valor).get(reverse("api:protocolo", kwargs={"numero": abrir().numero})))


def test_an_address_outside_the_systems_list_is_a_403():
    api = cliente(enderecos_permitidos=["10.1.0.0/16"])
    url = reverse("api:protocolo", kwargs={"numero": abrir().numero})

    assert api.get(url, REMOTE_ADDR="10.1.2.3").status_code == 200
    recusado = api.get(url, REMOTE_ADDR="127.0.0.1")
    assert recusado.status_code == 403
    assert "endereço" in recusado.json()["detail"]


def test_two_tokens_are_valid_at_once_and_a_third_waits_for_a_revocation():
    sistema_ = sistema()
    primeiro, segundo = token(sistema_), token(sistema_)
    url = reverse("api:protocolo", kwargs={"numero": abrir().numero})

    assert ClienteApi(primeiro).get(url).status_code == 200
    assert ClienteApi(segundo).get(url).status_code == 200
    with pytest.raises(services.sistemas.DadosInvalidos):
        token(sistema_)


def test_only_the_tokens_hash_is_stored_and_last_use_is_kept():
    sistema_ = sistema()
    valor = token(sistema_)
    credencial = sistema_.credenciais.get()

    assert credencial.ultimo_uso_em is None
    assert valor not in str(list(sistema_.credenciais.values()))
    assert credencial.hash == services.sistemas.hash_do_token(valor)
    assert valor.startswith(credencial.prefixo)
    ClienteApi(valor).get(reverse("api:protocolo", kwargs={"numero": abrir().numero}))
    credencial.refresh_from_db()
    assert credencial.ultimo_uso_em is not None


def test_the_systems_account_holds_no_supervisor_power():
    usuario = cliente().sistema.usuario

    assert not usuario.has_usable_password()
    assert (usuario.is_staff, usuario.is_superuser, usuario.email, usuario.groups.count()) == (False, False, "", 0)
    for poder in ["cancelar_protocolo", "prorrogar_prazo", "atribuir_protocolo", "exportar_protocolos"]:
        assert not usuario.has_perm(f"protocolo.{poder}")
    assert usuario.has_perm("protocolo.escalar_protocolo")


@pytest.mark.parametrize("senha", ["", "!", "senha-qualquer"])
def test_the_systems_account_cannot_log_in_anywhere(client, senha):
    usuario = cliente().sistema.usuario

    for entrar in [reverse("atendimento:entrar"), reverse("admin:login")]:
        resposta = client.post(entrar, {"username": usuario.username, "password": senha})
        assert resposta.status_code in (200, 429), entrar
        assert "_auth_user_id" not in client.session


def test_too_many_requests_of_one_system_are_a_429_with_retry_after(settings):
    settings.PROTOCOLO_LIMITES = {**settings.PROTOCOLO_LIMITES, "api_sistema": (2, 60)}
    api, outro = cliente(), cliente()
    url = reverse("api:protocolo", kwargs={"numero": abrir().numero})

    assert [api.get(url).status_code for _ in range(3)] == [200, 200, 429]
    limitado = api.get(url)
    assert limitado["Retry-After"] == "60"
    assert limitado["Content-Type"] == "application/problem+json"
    assert outro.get(url).status_code == 200


def test_a_systems_account_is_never_offered_nor_taken_as_responsavel():
    from protocolo import selectors
    from protocolo.exceptions import DadosInvalidos

    usuario = cliente().sistema.usuario
    supervisor = SupervisorFactory()

    assert usuario not in selectors.atendentes_ativos()
    with pytest.raises(DadosInvalidos, match="sistema integrado"):
        services.protocolo_atribuir(protocolo=abrir(), responsavel=usuario, autor=supervisor)
