"""
The periodic jobs cron runs: verificar_prazos, encerrar_resolvidos, expurgar_dados and
limpar_registros. Each is idempotent and has a --dry-run that changes nothing; time moves with
time-machine.
"""

import datetime
from io import StringIO

import pytest
import time_machine
from axes.models import AccessAttempt, AccessLog
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from protocolo import outbox, relogio, services
from protocolo.models import Consumidor, Interacao, Mensagem, Protocolo, Situacao
from tests.factories import ConsumidorFactory, abrir

pytestmark = pytest.mark.django_db

Tipo = Interacao.Tipo
Origem = Interacao.Origem
# A Wednesday, 10:00 in São Paulo.
INICIO = datetime.datetime(2026, 11, 4, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-3)))


def _rodar(nome, *args):
    saida, erros = StringIO(), StringIO()
    call_command(nome, *args, stdout=saida, stderr=erros)
    return saida.getvalue()


def _estado():
    """Everything the jobs could change."""
    return (
        sorted(Protocolo.objects.values_list("pk", "situacao", "nivel", "escalado_no_prazo", "versao")),
        Interacao.objects.count(),
        Mensagem.objects.count(),
        sorted(Consumidor.objects.values_list("pk", "cpf", "nome", "anonimizado_em")),
    )


# verificar_prazos ---------------------------------------------------------------------------------


@pytest.fixture
def vencido(time_machine):
    """A reclamação opened on INICIO (deadline: 7 days later), and the clock moved past it."""
    time_machine.move_to(INICIO, tick=False)
    protocolo = abrir()
    time_machine.move_to(INICIO + datetime.timedelta(days=8, hours=2), tick=False)
    return protocolo


def test_an_overdue_open_protocol_is_escalated_once_with_a_system_entry(vencido):
    saida = _rodar("verificar_prazos")

    protocolo = Protocolo.objects.get(pk=vencido.pk)
    assert protocolo.nivel == 2
    assert protocolo.escalado_no_prazo == protocolo.prazo
    entrada = protocolo.interacoes.order_by("-ordem").first()
    assert (entrada.tipo, entrada.origem, entrada.autor, entrada.nivel_anterior, entrada.nivel_novo) == (
        Tipo.ESCALONAMENTO,
        Origem.SISTEMA,
        None,
        1,
        2,
    )
    assert f"{protocolo.prazo:%d/%m/%Y}" in entrada.texto
    assert "1 protocolo(s) escalado(s)" in saida


def test_running_it_again_escalates_nothing_more(vencido):
    _rodar("verificar_prazos")
    antes = _estado()

    saida = _rodar("verificar_prazos")

    assert _estado() == antes
    assert "0 protocolo(s) escalado(s)" in saida


def test_the_dry_run_says_what_it_would_do_and_changes_nothing(vencido):
    antes = _estado()

    saida = _rodar("verificar_prazos", "--dry-run")

    assert _estado() == antes
    assert f"Escalaria {vencido.numero_formatado}" in saida
    assert "nível 1 → 2" in saida
    assert "nada foi alterado" in saida


def test_an_extended_deadline_that_passes_again_escalates_once_more(vencido, time_machine, supervisor):
    _rodar("verificar_prazos")
    protocolo = Protocolo.objects.get(pk=vencido.pk)
    services.protocolo_prorrogar_prazo(
        protocolo=protocolo, novo_prazo=relogio.hoje() + datetime.timedelta(days=2), motivo="Laudo.", autor=supervisor
    )
    _rodar("verificar_prazos")
    assert Protocolo.objects.get(pk=vencido.pk).nivel == 2

    time_machine.move_to(timezone.now() + datetime.timedelta(days=3), tick=False)
    _rodar("verificar_prazos")

    assert Protocolo.objects.get(pk=vencido.pk).nivel == 3


def test_a_protocol_the_consumer_already_raised_for_the_overdue_deadline_is_not_raised_again(vencido):
    # Whoever comes first after the deadline, the consumer or the job, the protocol rises one nível.
    services.protocolo_pedir_supervisao(protocolo=vencido)

    assert "Escalaria" not in _rodar("verificar_prazos", "--dry-run")
    saida = _rodar("verificar_prazos")

    assert Protocolo.objects.get(pk=vencido.pk).nivel == 2
    assert "0 protocolo(s) escalado(s)" in saida


def test_an_escalation_before_the_deadline_ended_does_not_spare_the_overdue_one(vencido, supervisor, time_machine):
    time_machine.move_to(INICIO + datetime.timedelta(days=2), tick=False)
    services.protocolo_escalar(protocolo=vencido, motivo="Alçada.", autor=supervisor)
    time_machine.move_to(INICIO + datetime.timedelta(days=8, hours=2), tick=False)

    _rodar("verificar_prazos")

    assert Protocolo.objects.get(pk=vencido.pk).nivel == 3


def test_it_never_escalates_past_the_ombudsman(vencido, supervisor):
    for _ in range(2):
        services.protocolo_escalar(protocolo=vencido, motivo="Alçada.", autor=supervisor)

    saida = _rodar("verificar_prazos")

    assert Protocolo.objects.get(pk=vencido.pk).nivel == 3
    assert "0 protocolo(s) escalado(s)" in saida


def test_answered_final_and_not_yet_overdue_protocols_are_left_alone(vencido, supervisor, time_machine):
    resolvido, cancelado = abrir(), abrir()
    Protocolo.objects.filter(pk__in=[resolvido.pk, cancelado.pk]).update(prazo=vencido.prazo)
    services.protocolo_resolver(protocolo=resolvido, texto="Respondido.")
    services.protocolo_cancelar(protocolo=cancelado, motivo="Engano.", autor=supervisor)
    em_dia = abrir()

    _rodar("verificar_prazos")

    niveis = dict(Protocolo.objects.values_list("pk", "nivel"))
    assert (niveis[resolvido.pk], niveis[cancelado.pk], niveis[em_dia.pk], niveis[vencido.pk]) == (1, 1, 1, 2)


def test_on_the_deadline_day_itself_nothing_is_escalated(time_machine):
    time_machine.move_to(INICIO, tick=False)
    protocolo = abrir()
    time_machine.move_to(datetime.datetime.combine(protocolo.prazo, datetime.time(23, 30), tzinfo=INICIO.tzinfo))

    _rodar("verificar_prazos")

    assert Protocolo.objects.get(pk=protocolo.pk).nivel == 1


# encerrar_resolvidos ------------------------------------------------------------------------------


@pytest.fixture
def resolvido(time_machine):
    time_machine.move_to(INICIO, tick=False)
    consumidor = ConsumidorFactory(email="joana@exemplo.com.br")
    protocolo = abrir(consumidor=consumidor)
    services.protocolo_resolver(protocolo=protocolo, texto="Estornamos.")
    Mensagem.objects.all().delete()
    return protocolo


def test_a_protocol_resolved_more_than_20_days_ago_is_closed_and_the_consumer_told(
    resolvido, time_machine, mailoutbox, django_capture_on_commit_callbacks
):
    time_machine.move_to(INICIO + datetime.timedelta(days=20, minutes=1), tick=False)

    with django_capture_on_commit_callbacks(execute=True):
        saida = _rodar("encerrar_resolvidos")

    protocolo = Protocolo.objects.get(pk=resolvido.pk)
    assert protocolo.situacao == Situacao.ENCERRADO
    entrada = protocolo.interacoes.order_by("-ordem").first()
    assert (entrada.tipo, entrada.origem, entrada.autor) == (Tipo.ENCERRAMENTO, Origem.SISTEMA, None)
    [mensagem] = Mensagem.objects.filter(protocolo=protocolo)
    assert mensagem.destinatario == "joana@exemplo.com.br"
    assert mailoutbox == []  # left to enviar_mensagens, not sent from inside the batch
    assert "1 protocolo(s) encerrado(s)" in saida


def test_a_protocol_resolved_less_than_20_days_ago_stays_resolved(resolvido, time_machine):
    time_machine.move_to(INICIO + datetime.timedelta(days=19, hours=23), tick=False)

    _rodar("encerrar_resolvidos")

    assert Protocolo.objects.get(pk=resolvido.pk).situacao == Situacao.RESOLVIDO


def test_a_disputed_resolution_is_not_closed(resolvido, time_machine):
    time_machine.move_to(INICIO + datetime.timedelta(days=5), tick=False)
    services.protocolo_reabrir(protocolo=resolvido, motivo="Não estornaram.", origem=Origem.CONSUMIDOR)
    time_machine.move_to(INICIO + datetime.timedelta(days=30), tick=False)

    _rodar("encerrar_resolvidos")

    assert Protocolo.objects.get(pk=resolvido.pk).situacao == Situacao.EM_ATENDIMENTO


def test_closing_is_idempotent_and_has_a_dry_run(resolvido, time_machine):
    time_machine.move_to(INICIO + datetime.timedelta(days=21), tick=False)
    antes = _estado()

    simulacao = _rodar("encerrar_resolvidos", "--dry-run")
    assert _estado() == antes
    assert f"Encerraria {resolvido.numero_formatado}" in simulacao

    _rodar("encerrar_resolvidos")
    depois = _estado()
    assert "0 protocolo(s) encerrado(s)" in _rodar("encerrar_resolvidos")
    assert _estado() == depois


# expurgar_dados -----------------------------------------------------------------------------------


@pytest.fixture
def antigos(time_machine):
    """Three consumers whose only protocol ended in 2019, one of them under legal hold, and one
    with a recent protocol too."""
    time_machine.move_to(datetime.datetime(2019, 3, 1, 12, tzinfo=datetime.UTC), tick=False)
    livre = ConsumidorFactory(nome="Ana Livre", cpf="52998224725")
    guardado = ConsumidorFactory(nome="Bia Guardada", retencao_suspensa=True, motivo_retencao="Processo 123")
    recente = ConsumidorFactory(nome="Caio Recente")
    for consumidor in (livre, guardado, recente):
        protocolo = abrir(consumidor=consumidor, objeto=f"Reclamação de {consumidor.nome}.")
        services.protocolo_resolver(protocolo=protocolo, texto="Resolvido.")
        services.protocolo_encerrar(protocolo=protocolo, origem=Origem.CONSUMIDOR)
    time_machine.move_to(datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC), tick=False)
    abrir(consumidor=recente)
    return {"livre": livre, "guardado": guardado, "recente": recente}


def test_expurgar_dados_anonymises_only_who_the_retention_allows(antigos):
    saida = _rodar("expurgar_dados")

    consumidores = {nome: Consumidor.objects.get(pk=c.pk) for nome, c in antigos.items()}
    assert consumidores["livre"].cpf is None
    assert consumidores["livre"].anonimizado_em is not None
    assert consumidores["guardado"].cpf == antigos["guardado"].cpf
    assert consumidores["guardado"].nome == "Bia Guardada"
    assert consumidores["recente"].anonimizado_em is None
    assert "1 consumidor(es) anonimizado(s)" in saida
    assert "1 sob guarda legal mantido(s)" in saida
    assert "nenhuma adulteração encontrada" in _rodar("verificar_integridade")


def test_expurgar_dados_dry_run_changes_nothing(antigos):
    antes = _estado()

    saida = _rodar("expurgar_dados", "--dry-run")

    assert _estado() == antes
    assert "1 consumidor(es) seriam anonimizados" in saida
    assert "1 sob guarda legal" in saida


def test_expurgar_dados_is_idempotent(antigos):
    _rodar("expurgar_dados")
    antes = _estado()

    saida = _rodar("expurgar_dados")

    assert _estado() == antes
    assert "0 consumidor(es) anonimizado(s)" in saida


def test_a_legal_hold_lifted_later_lets_the_next_run_anonymise(antigos):
    _rodar("expurgar_dados")
    Consumidor.objects.filter(pk=antigos["guardado"].pk).update(retencao_suspensa=False)

    _rodar("expurgar_dados")

    assert Consumidor.objects.get(pk=antigos["guardado"].pk).cpf is None


def test_progress_goes_to_stderr_not_stdout(antigos):
    saida, erros = StringIO(), StringIO()

    call_command("expurgar_dados", stdout=saida, stderr=erros)

    assert "1/1 consumidores" in erros.getvalue()
    assert "1/1" not in saida.getvalue()


# limpar_registros ---------------------------------------------------------------------------------


@pytest.fixture
def registros(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC), tick=False)
    with outbox.entrega_adiada():
        antiga = outbox.enfileirar(destinatario="a@exemplo.com.br", assunto="Antiga", corpo=".")
        pendente = outbox.enfileirar(destinatario="b@exemplo.com.br", assunto="Pendente", corpo=".")
    Mensagem.objects.filter(pk=antiga.pk).update(enviada_em=timezone.now())
    AccessAttempt.objects.create(username="fulano", ip_address="10.0.0.1", failures_since_start=3)
    AccessLog.objects.create(username="fulano", ip_address="10.0.0.1")
    Session.objects.create(session_key="expirada", session_data="x", expire_date=timezone.now())
    time_machine.move_to(datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC), tick=False)
    with outbox.entrega_adiada():
        recente = outbox.enfileirar(destinatario="c@exemplo.com.br", assunto="Recente", corpo=".")
    Mensagem.objects.filter(pk=recente.pk).update(enviada_em=timezone.now())
    Session.objects.create(
        session_key="valida", session_data="x", expire_date=timezone.now() + datetime.timedelta(days=1)
    )
    protocolo = abrir()
    return {"antiga": antiga, "pendente": pendente, "recente": recente, "protocolo": protocolo}


def test_housekeeping_deletes_what_is_past_its_use_and_nothing_else(registros):
    interacoes = Interacao.objects.count()

    saida = _rodar("limpar_registros")

    assert set(Mensagem.objects.values_list("assunto", flat=True)) == {"Pendente", "Recente"} | set(
        Mensagem.objects.filter(protocolo=registros["protocolo"]).values_list("assunto", flat=True)
    )
    assert list(Session.objects.values_list("session_key", flat=True)) == ["valida"]
    assert not AccessAttempt.objects.exists()
    assert not AccessLog.objects.exists()
    assert Interacao.objects.count() == interacoes
    assert "1 mensagens entregues apagado(s)" in saida
    assert "1 sessões expiradas apagado(s)" in saida


def test_housekeeping_dry_run_and_second_run_change_nothing(registros):
    contagens = (Mensagem.objects.count(), Session.objects.count(), AccessAttempt.objects.count())

    saida = _rodar("limpar_registros", "--dry-run")
    assert (Mensagem.objects.count(), Session.objects.count(), AccessAttempt.objects.count()) == contagens
    assert "Simulação: apagaria 1 mensagens entregues." in saida

    _rodar("limpar_registros")
    depois = (Mensagem.objects.count(), Session.objects.count(), AccessAttempt.objects.count())
    _rodar("limpar_registros")
    assert (Mensagem.objects.count(), Session.objects.count(), AccessAttempt.objects.count()) == depois


def test_housekeeping_keeps_messages_for_the_days_asked(registros):
    _rodar("limpar_registros", "--dias-mensagens", "365")

    assert Mensagem.objects.filter(pk=registros["antiga"].pk).exists()


def test_without_a_cool_off_a_lockout_never_ends_so_housekeeping_keeps_it(registros, settings):
    # django-axes: AXES_COOLOFF_TIME = None locks out until an administrator resets the attempts.
    settings.AXES_COOLOFF_TIME = None

    saida = _rodar("limpar_registros")

    assert AccessAttempt.objects.filter(username="fulano").exists()
    assert "0 tentativas de login com bloqueio vencido apagado(s)" in saida


@pytest.mark.parametrize("opcao", ["--dias-mensagens", "--dias-logins"])
def test_housekeeping_refuses_a_negative_number_of_days(registros, opcao):
    mensagens = Mensagem.objects.count()

    with pytest.raises(CommandError, match="inteiro de 0 ou mais"):
        _rodar("limpar_registros", opcao, "-1")

    assert Mensagem.objects.count() == mensagens


def test_time_machine_is_the_clock_the_jobs_read():
    with time_machine.travel(INICIO, tick=False):
        assert relogio.agora() == INICIO
