"""What the consumer is told (docs/dominio.md §2: "tell the consumer when the demand is concluded"; §6 outbox):
a Mensagem row written with the change, delivered after commit."""

import pytest

from protocolo import services
from protocolo.exceptions import DadosInvalidos
from protocolo.models import Interacao, Mensagem
from tests.factories import ConsumidorFactory, abrir, email_de

pytestmark = pytest.mark.django_db

CONSUMIDOR = services.Origem.CONSUMIDOR
SEGREDO = "NOTA-INTERNA-7Q2X: suspeita de fraude, não comentar"


def _aberto(atendente, consumidor):
    return abrir(atendente=atendente, consumidor=consumidor)


def _resolvido(atendente, consumidor):
    protocolo = _aberto(atendente, consumidor)
    return services.protocolo_resolver(protocolo=protocolo, texto="Estorno de R$ 50 feito.", autor=atendente)


def resolver(protocolo, equipe):
    services.protocolo_resolver(protocolo=protocolo, texto="Estorno de R$ 50 feito.", autor=equipe.atendente)


def cancelar(protocolo, equipe):
    services.protocolo_cancelar(protocolo=protocolo, motivo="Aberto em duplicidade pelo URA.", autor=equipe.supervisor)


def marcar_duplicado(protocolo, equipe):
    original = abrir(atendente=equipe.atendente)
    services.protocolo_marcar_duplicado(protocolo=protocolo, original=original, autor=equipe.atendente)


def responder(protocolo, equipe):
    services.protocolo_registrar_interacao(
        protocolo=protocolo, texto="Precisamos da fatura de março.", autor=equipe.atendente, publica=True
    )


def enviar_numero(protocolo, equipe):
    services.protocolo_enviar_numero(protocolo=protocolo, autor=equipe.atendente)


def encerrar_pelo_sistema(protocolo, equipe):
    services.protocolo_encerrar(protocolo=protocolo)


def escalar(protocolo, equipe):
    services.protocolo_escalar(protocolo=protocolo, motivo="Cliente insatisfeito.", autor=equipe.atendente)


# (action, how the protocol must be before it, what the subject says after the number)
AVISOS = [
    (resolver, _aberto, "sua demanda foi resolvida"),
    (cancelar, _aberto, "protocolo cancelado"),
    (marcar_duplicado, _aberto, "demanda unificada"),
    (responder, _aberto, "nova mensagem"),
    (enviar_numero, _aberto, "número do seu atendimento"),
    (escalar, _aberto, "demanda encaminhada à supervisão"),
    (encerrar_pelo_sistema, _resolvido, "demanda concluída"),
]


def anotar(protocolo, equipe):
    services.protocolo_registrar_interacao(protocolo=protocolo, texto=SEGREDO, autor=equipe.atendente)


def mensagem_do_consumidor(protocolo, equipe):
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Alguma novidade?", origem=CONSUMIDOR)


def mudar_situacao(protocolo, equipe):
    services.protocolo_mudar_situacao(protocolo=protocolo, situacao="em_atendimento", autor=equipe.atendente)


def encerrar_pelo_consumidor(protocolo, equipe):
    services.protocolo_encerrar(protocolo=protocolo, origem=CONSUMIDOR, avaliacao=5)


SEM_AVISO = [
    (anotar, _aberto),
    (mensagem_do_consumidor, _aberto),
    (mudar_situacao, _aberto),
    (encerrar_pelo_consumidor, _resolvido),
]


def _a_nova(ja_havia):
    """The one message written since `ja_havia` (a list of the ids that existed)."""
    novas = list(Mensagem.objects.exclude(pk__in=ja_havia))
    assert len(novas) == 1, novas
    return novas[0]


def _ids(valor):
    return getattr(valor, "__name__", None)


@pytest.mark.parametrize(("acao", "antes", "assunto"), AVISOS, ids=_ids)
def test_the_consumer_is_told_by_email(equipe, acao, antes, assunto):
    consumidor = ConsumidorFactory()
    protocolo = antes(equipe.atendente, consumidor)
    ja_havia = list(Mensagem.objects.values_list("pk", flat=True))

    acao(protocolo, equipe)

    mensagem = _a_nova(ja_havia)
    assert mensagem.protocolo == protocolo
    assert mensagem.destinatario == email_de(consumidor)
    assert mensagem.assunto == f"Protocolo {protocolo.numero_formatado}: {assunto}"
    assert protocolo.numero_formatado in mensagem.corpo
    assert mensagem.enviada_em is None


@pytest.mark.parametrize(("acao", "antes", "assunto"), AVISOS, ids=_ids)
def test_the_message_is_delivered_once_the_change_commits(
    equipe, mailoutbox, django_capture_on_commit_callbacks, acao, antes, assunto
):
    consumidor = ConsumidorFactory()
    protocolo = antes(equipe.atendente, consumidor)
    ja_havia = list(Mensagem.objects.values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        acao(protocolo, equipe)

    mensagem = _a_nova(ja_havia)
    assert [(email.to, email.subject) for email in mailoutbox] == [([email_de(consumidor)], mensagem.assunto)]
    assert mailoutbox[0].extra_headers["Message-ID"] == mensagem.message_id
    assert mensagem.enviada_em is not None


@pytest.mark.parametrize(("acao", "antes"), SEM_AVISO, ids=_ids)
def test_these_changes_send_nothing(equipe, mailoutbox, django_capture_on_commit_callbacks, acao, antes):
    protocolo = antes(equipe.atendente, ConsumidorFactory())
    ja_havia = Mensagem.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        acao(protocolo, equipe)

    assert Mensagem.objects.count() == ja_havia
    assert mailoutbox == []


@pytest.mark.parametrize(("acao", "antes", "assunto"), [a for a in AVISOS if a[0] is not enviar_numero], ids=_ids)
@pytest.mark.parametrize("consumidor", ["sem_email", "sem_consumidor"])
def test_without_an_email_on_file_the_change_goes_through_silently(equipe, acao, antes, assunto, consumidor):
    consumidor = ConsumidorFactory(email="") if consumidor == "sem_email" else None
    protocolo = antes(equipe.atendente, consumidor)
    entradas = protocolo.interacoes.count()

    acao(protocolo, equipe)

    assert protocolo.interacoes.count() == entradas + 1
    assert not Mensagem.objects.exists()


@pytest.mark.parametrize("consumidor", ["sem_email", "sem_consumidor"])
def test_sending_the_number_without_an_email_on_file_is_refused(atendente, consumidor):
    protocolo = abrir(
        atendente=atendente, consumidor=ConsumidorFactory(email="") if consumidor == "sem_email" else None
    )

    with pytest.raises(DadosInvalidos, match="Nenhum e-mail confirmado"):
        services.protocolo_enviar_numero(protocolo=protocolo, autor=atendente)

    assert protocolo.interacoes.count() == 1
    assert not Mensagem.objects.exists()


def test_the_resolution_email_carries_the_answer_and_the_dispute_window(equipe):
    protocolo = _aberto(equipe.atendente, ConsumidorFactory(nome="Maria Silva"))

    resolver(protocolo, equipe)

    corpo = Mensagem.objects.get(protocolo=protocolo).corpo
    assert corpo.startswith("Olá, Maria Silva.")
    assert "Estorno de R$ 50 feito." in corpo
    assert "20 dias para contestar" in corpo


def test_the_cancellation_email_carries_the_reason(equipe):
    protocolo = _aberto(equipe.atendente, ConsumidorFactory())

    cancelar(protocolo, equipe)

    assert "Aberto em duplicidade pelo URA." in Mensagem.objects.get(protocolo=protocolo).corpo


def test_the_duplicate_email_names_the_original(atendente):
    original = abrir(atendente=atendente)
    protocolo = _aberto(atendente, ConsumidorFactory())

    services.protocolo_marcar_duplicado(protocolo=protocolo, original=original, autor=atendente)

    assert f"segue no protocolo {original.numero_formatado}" in Mensagem.objects.get(protocolo=protocolo).corpo


def test_the_answer_email_carries_the_answer_but_is_not_html_escaped(atendente):
    protocolo = _aberto(atendente, ConsumidorFactory())

    services.protocolo_registrar_interacao(
        protocolo=protocolo, texto="Envie a fatura <março> & o RG.", autor=atendente, publica=True
    )

    assert "Envie a fatura <março> & o RG." in Mensagem.objects.get(protocolo=protocolo).corpo


def test_the_number_email_returns_the_queued_message(atendente):
    protocolo = _aberto(atendente, ConsumidorFactory())

    [mensagem] = services.protocolo_enviar_numero(protocolo=protocolo, autor=atendente)

    assert mensagem == Mensagem.objects.get(protocolo=protocolo)
    assert protocolo.categoria.nome in mensagem.corpo


def test_an_internal_note_never_reaches_the_consumer(equipe, mailoutbox, django_capture_on_commit_callbacks):
    atendente = equipe.atendente
    protocolo = _aberto(atendente, ConsumidorFactory())

    with django_capture_on_commit_callbacks(execute=True):
        anotar(protocolo, equipe)
        enviar_numero(protocolo, equipe)
        responder(protocolo, equipe)
        resolver(protocolo, equipe)
        encerrar_pelo_sistema(protocolo, equipe)

    assert Interacao.objects.filter(protocolo=protocolo, texto=SEGREDO, publica=False).count() == 1
    mensagens = list(Mensagem.objects.filter(protocolo=protocolo))
    assert len(mensagens) == 4
    assert all(SEGREDO not in m.corpo and SEGREDO not in m.assunto for m in mensagens)
    assert all(SEGREDO not in email.body and SEGREDO not in email.subject for email in mailoutbox)
