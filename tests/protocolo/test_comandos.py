"""
The management commands people and cron run: `popular_demo` (demo data, idempotent),
`enviar_mensagens` (the outbox's retries) and `verificar_integridade`'s arguments. What the
integrity check finds is tested in test_integridade.py.
"""

import base64
import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.validators import validate_email
from django.test import RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from protocolo import numeracao, outbox, relogio, selectors
from protocolo.dados_iniciais import ATENDENTES, SUPERVISORES
from protocolo.models import EM_ABERTO, Consumidor, Contato, Interacao, Mensagem, Protocolo, RespostaPronta, Situacao
from protocolo.validators import normalizar_cpf
from tests.factories import ConsumidorFactory, abrir
from tests.protocolo.test_outbox import smtp_recusando
from tests.segundo_fator import codigo

pytestmark = pytest.mark.django_db

SENHA = "senha-da-demo-2026"
LOGIN = re.compile(r"usuário: (\w+)\s+senha: (\S+)")
EXEMPLO = re.compile(r"protocolo ([\d ]+) com o CPF (\d{3}\.\d{3}\.\d{3}-\d{2})")


def _comando(nome, *args):
    saida = StringIO()
    call_command(nome, *args, stdout=saida, stderr=StringIO())
    return saida.getvalue()


def _contagens():
    return {modelo.__name__: modelo.objects.count() for modelo in (User, Consumidor, Protocolo, Interacao, Mensagem)}


def _entra(usuario, senha):
    return authenticate(RequestFactory().post("/atendimento/entrar/"), username=usuario, password=senha)


# popular_demo -------------------------------------------------------------------------------------


@pytest.fixture
def demo(monkeypatch):
    """popular_demo's output, with DEMO_PASSWORD set."""
    monkeypatch.setenv("DEMO_PASSWORD", SENHA)
    return _comando("popular_demo")


def test_demo_creates_an_attendant_and_a_staff_supervisor(demo):
    atendente, supervisor = User.objects.get(username="atendente"), User.objects.get(username="supervisor")

    assert list(atendente.groups.values_list("name", flat=True)) == [ATENDENTES]
    assert list(supervisor.groups.values_list("name", flat=True)) == [SUPERVISORES]
    assert (atendente.is_staff, supervisor.is_staff) == (False, True)
    assert _entra("atendente", SENHA) == atendente
    assert _entra("supervisor", SENHA) == supervisor


def test_demo_prints_the_addresses_of_the_link_base_it_runs_on(settings, monkeypatch):
    """make run sets the base from ENDERECO; what it prints follows, as the e-mailed links do."""
    settings.PROTOCOLO_URL_BASE = "http://127.0.0.1:8010"
    monkeypatch.setenv("DEMO_PASSWORD", SENHA)

    saida = _comando("popular_demo")

    assert "Portal de demonstração pronto: http://127.0.0.1:8010\n" in saida
    assert f"Atendimento (retaguarda): http://127.0.0.1:8010/atendimento/  usuário: atendente  senha: {SENHA}" in saida
    assert f"Supervisão (admin):       http://127.0.0.1:8010/admin/        usuário: supervisor senha: {SENHA}" in saida
    assert ":8000" not in saida


def test_demo_consumers_have_valid_cpfs_and_emails(demo):
    consumidores = list(Consumidor.objects.all())

    assert len(consumidores) >= 10
    for consumidor in consumidores:
        assert normalizar_cpf(consumidor.cpf) == consumidor.cpf
    for contato in Contato.objects.filter(tipo="email"):
        validate_email(contato.valor)
    # What the attendant typed serves its protocol; one consumer also has a bound e-mail.
    assert Contato.objects.filter(consumidor__isnull=False).count() == 1


def test_demo_has_protocols_in_every_situacao_and_nivel(demo):
    assert set(Protocolo.objects.values_list("situacao", flat=True)) == set(Situacao.values)
    assert set(Protocolo.objects.values_list("nivel", flat=True)) == {1, 2, 3}


def test_demo_has_an_overdue_open_protocol(demo):
    assert Protocolo.objects.filter(situacao__in=EM_ABERTO, prazo__lt=relogio.hoje()).exists()


def test_demo_has_a_duplicate_closed_with_a_link_to_its_original(demo):
    duplicado = Protocolo.objects.get(duplicado_de__isnull=False)

    assert duplicado.situacao == Situacao.ENCERRADO
    assert duplicado.duplicado_de.duplicado_de is None
    assert duplicado.interacoes.filter(tipo=Interacao.Tipo.DUPLICIDADE).exists()


def test_demo_timelines_mix_public_and_internal_entries(demo):
    com_os_dois = Protocolo.objects.filter(interacoes__publica=True).filter(interacoes__publica=False).distinct()

    assert com_os_dois.exists()
    assert Interacao.objects.filter(tipo=Interacao.Tipo.NOTA_INTERNA, publica=False).exists()
    assert Interacao.objects.filter(tipo=Interacao.Tipo.MENSAGEM_CONSUMIDOR, publica=True).exists()


def test_demo_prints_both_logins_and_a_protocol_with_its_cpf(demo):
    assert LOGIN.findall(demo) == [("atendente", SENHA), ("supervisor", SENHA), ("ouvidoria", SENHA)]

    numero, cpf = EXEMPLO.search(demo).groups()
    protocolo = Protocolo.objects.select_related("consumidor").get(numero=numeracao.validar(numero))
    assert numero == protocolo.numero_formatado
    assert normalizar_cpf(cpf) == protocolo.consumidor.cpf


def test_demo_data_passes_the_integrity_check(demo):
    assert "nenhuma adulteração encontrada" in _comando("verificar_integridade")


def test_demo_queues_its_messages_without_sending_them(monkeypatch, mailoutbox, django_capture_on_commit_callbacks):
    monkeypatch.setenv("DEMO_PASSWORD", SENHA)

    with django_capture_on_commit_callbacks(execute=True) as entregas:
        _comando("popular_demo")

    assert Mensagem.objects.filter(enviada_em__isnull=True).exists()
    assert entregas == []
    assert mailoutbox == []


def test_running_the_demo_twice_creates_nothing_new_and_still_prints_the_logins(demo):
    antes = _contagens()

    segunda = _comando("popular_demo")

    assert _contagens() == antes
    assert "nada novo foi criado" in segunda
    assert LOGIN.findall(segunda) == [("atendente", SENHA), ("supervisor", SENHA), ("ouvidoria", SENHA)]
    assert EXEMPLO.search(segunda).groups() == EXEMPLO.search(demo).groups()


def test_the_demo_is_seeded_even_when_someone_already_used_an_example_address(monkeypatch):
    """ "@exemplo.com.br" is what anyone types when trying the portal; it must not pass for the demo."""
    monkeypatch.setenv("DEMO_PASSWORD", SENHA)
    ConsumidorFactory(email="fulano@exemplo.com.br")

    saida = _comando("popular_demo")

    assert "nada novo foi criado" not in saida
    assert Protocolo.objects.count() >= 20
    assert EXEMPLO.search(saida)


def test_without_demo_password_a_random_password_is_printed_and_logs_in(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)

    [(_, senha_atendente), (_, senha_supervisor), (_, senha_ouvidoria)] = LOGIN.findall(_comando("popular_demo"))

    assert senha_atendente == senha_supervisor == senha_ouvidoria
    assert len(senha_atendente) >= 12
    assert _entra("atendente", senha_atendente) is not None
    assert _entra("supervisor", senha_supervisor) is not None
    assert _entra("ouvidoria", senha_ouvidoria) is not None


def test_each_run_without_demo_password_prints_a_new_password_that_logs_in(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    [(_, primeira), *_] = LOGIN.findall(_comando("popular_demo"))

    [(_, segunda), *_] = LOGIN.findall(_comando("popular_demo"))

    assert segunda != primeira
    assert _entra("atendente", primeira) is None
    assert _entra("atendente", segunda) is not None


# enviar_mensagens ---------------------------------------------------------------------------------


@pytest.fixture
def pendentes():
    """Three messages written with delivery left to the command."""
    with outbox.entrega_adiada():
        return [
            outbox.enfileirar(destinatario=f"pessoa{i}@exemplo.com.br", assunto=f"Aviso {i}", corpo="Corpo.")
            for i in range(3)
        ]


def test_enviar_mensagens_reports_what_it_sent(pendentes, mailoutbox):
    assert _comando("enviar_mensagens").strip() == "3 mensagem(ns) enviada(s), 0 com falha (serão tentadas de novo)."

    assert sorted(email.to[0] for email in mailoutbox) == [m.destinatario for m in pendentes]
    assert not Mensagem.objects.filter(enviada_em__isnull=True).exists()


def test_enviar_mensagens_reports_a_mail_server_it_cannot_reach_and_charges_no_message(settings, pendentes, mailoutbox):
    settings.MAILERS = smtp_recusando()

    saida = _comando("enviar_mensagens")

    assert "0 mensagem(ns) enviada(s), 0 com falha" in saida
    assert "Servidor de e-mail indisponível (ConnectionRefusedError" in saida
    assert mailoutbox == []
    assert set(Mensagem.objects.values_list("tentativas", flat=True)) == {0}


def test_enviar_mensagens_stops_at_the_limit(pendentes, mailoutbox):
    assert "1 mensagem(ns) enviada(s), 0 com falha" in _comando("enviar_mensagens", "--limite", "1")

    assert len(mailoutbox) == 1
    assert Mensagem.objects.filter(enviada_em__isnull=True).count() == 2


def test_enviar_mensagens_with_nothing_pending_sends_nothing(mailoutbox):
    assert "0 mensagem(ns) enviada(s), 0 com falha" in _comando("enviar_mensagens")
    assert mailoutbox == []


# verificar_integridade's arguments ----------------------------------------------------------------


def test_verificar_integridade_passes_on_an_empty_database():
    assert "nenhuma adulteração encontrada" in _comando("verificar_integridade")


def test_verificar_integridade_refuses_a_mistyped_number(atendente):
    protocolo = abrir(atendente=atendente)
    digitado = protocolo.numero[:-1] + str((int(protocolo.numero[-1]) + 1) % 10)

    with pytest.raises(CommandError, match="Número de protocolo inválido"):
        _comando("verificar_integridade", "--protocolo", digitado)


def test_verificar_integridade_says_when_a_well_formed_number_does_not_exist(atendente):
    protocolo = abrir(atendente=atendente)
    dia, sequencia = numeracao.decompor(protocolo.numero)
    inexistente = numeracao.formato_atual().montar(dia, sequencia + 1)

    with pytest.raises(CommandError, match=f"Protocolo {numeracao.formatar(inexistente)} não encontrado"):
        _comando("verificar_integridade", "--protocolo", inexistente)


CHAVE = re.compile(r"do (\w+): no aplicativo autenticador, a chave ([A-Z2-7 ]+)\n")


def _codigo_da_chave(usuario, chave):
    return codigo(TOTPDevice(user=usuario, key=base64.b32decode(chave.replace(" ", "")).hex()))


def test_the_demo_supervisor_cancels_in_the_back_office_with_the_printed_key(demo, client):
    supervisor = User.objects.get(username="supervisor")
    protocolo = Protocolo.objects.filter(situacao__in=EM_ABERTO).order_by("pk").first()
    chaves = dict(CHAVE.findall(demo))
    client.post("/atendimento/entrar/", {"username": "supervisor", "password": SENHA})
    cancelar = reverse("atendimento:cancelar", args=[protocolo.numero])
    dados = {"cancelar-versao": protocolo.versao, "cancelar-motivo": "Aberto por engano."}

    pedido = client.post(cancelar, dados)
    assert pedido.url.startswith(reverse("atendimento:verificacao"))
    client.post(pedido.url, {"codigo": _codigo_da_chave(supervisor, chaves["supervisor"])})
    client.post(cancelar, dados)

    assert set(chaves) == {"supervisor", "ouvidoria"}
    protocolo.refresh_from_db()
    assert protocolo.situacao == Situacao.CANCELADO


def test_where_the_back_office_asks_everyone_the_demo_prints_the_attendants_key_too(settings, monkeypatch, client):
    settings.PROTOCOLO_SEGUNDO_FATOR_ATENDENTES = True
    monkeypatch.setenv("DEMO_PASSWORD", SENHA)
    chaves = dict(CHAVE.findall(_comando("popular_demo")))
    atendente = User.objects.get(username="atendente")
    client.post("/atendimento/entrar/", {"username": "atendente", "password": SENHA})

    pedido = client.get("/atendimento/")
    assert pedido.url.startswith(reverse("atendimento:verificacao"))
    client.post(pedido.url, {"codigo": _codigo_da_chave(atendente, chaves["atendente"])})

    assert set(chaves) == {"atendente", "supervisor", "ouvidoria"}
    assert client.get("/atendimento/").status_code == 200


@pytest.mark.parametrize("busca", ["joao pedro", "JOÃO PEDRO SANTOS", "cpf", "tela trincada", "reclamacao grosseria"])
def test_the_demo_attendant_finds_a_case_by_name_cpf_or_words_of_the_complaint(demo, busca):
    atendente = User.objects.get(username="atendente")
    joao = Consumidor.objects.get(nome="João Pedro Santos")
    texto = joao.cpf if busca == "cpf" else busca

    achados = list(selectors.fila_filtrada({"q": texto}, usuario=atendente).qs)

    assert achados
    if busca != "cpf" and "joao" not in busca.lower() and "joão" not in busca.lower():
        assert all(any(p in a.objeto.lower() for p in ("trincada", "grosseria")) for a in achados)
    else:
        assert {a.consumidor_id for a in achados} == {joao.pk}


def test_the_demo_has_canned_answers_for_all_and_for_complaints(demo):
    assert RespostaPronta.objects.filter(categoria__isnull=True).exists()
    assert RespostaPronta.objects.filter(categoria__codigo="reclamacao").exists()
    assert all(r.versoes.count() == 1 for r in RespostaPronta.objects.all())
