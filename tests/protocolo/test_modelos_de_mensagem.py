"""
Every outgoing message (templates/mensagens/*.txt and the password reset's), rendered by the code
that sends it, with the context that code gives, and read whole: no empty link, no singular/plural
slip, no variable left unrendered (these tests make an unknown variable fail).
"""

import copy
import datetime
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.template import engines
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from protocolo import services
from protocolo.models import Canal, Mensagem
from tests.consumidor.apoio import pagina
from tests.factories import AtendenteFactory, ConsumidorFactory, abrir, categoria, email_de

pytestmark = pytest.mark.django_db

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
# A Wednesday with no holiday in the next three weeks.
AGORA = datetime.datetime(2026, 3, 4, 10, 0, tzinfo=SAO_PAULO)
BASE = "https://protocolo.exemplo.com.br"
# A signed link to a protocol or to all of a consumer's demands; the tests follow each one.
LINK_ASSINADO = re.compile(rf"{re.escape(BASE)}(/acesso/(?:demandas/)?[^/\s]+/)")
# The recovery lists this many protocols one by one; the link to all demands covers the rest.
LISTADOS = 50

OLA = "Olá, Maria Aparecida Souza.\n\n"
# The shared signature of every message about one protocol, word for word, its link normalised.
ASSINATURA = (
    "Acompanhe o seu protocolo por este link, válido por 7 dias:\n"
    "<link>\n"
    "\n"
    "Depois disso, use https://protocolo.exemplo.com.br/ com o número e o seu CPF.\n"
    "Guarde este número: ele é a prova do seu atendimento.\n"
    "\n"
    "Esta é uma mensagem automática; não responda a este e-mail.\n"
    "\n"
)
# The end of a recovery that lists several protocols, after the last one.
FIM_DA_RECUPERACAO_DE_VARIOS = (
    "O histórico de todas as suas demandas: <link>\n"
    "\n"
    "Os links valem por 7 dias. Depois disso, use https://protocolo.exemplo.com.br/ com o número do protocolo "
    "e o seu CPF.\n"
    "Se não foi você quem pediu, ignore esta mensagem:\n"
    "ninguém vê os seus protocolos sem acesso a este e-mail.\n"
    "\n"
    "Guarde estes números: eles são a prova dos seus atendimentos.\n"
    "\n"
    "Esta é uma mensagem automática; não responda a este e-mail.\n"
    "\n"
)


class VariavelNaoResolvida(str):
    """Django formats string_if_invalid with the variable's name when it holds "%s": this one
    raises instead, so a name the context lacks fails the render."""

    def __mod__(self, variavel):
        raise AssertionError(f"variável não resolvida no modelo: {variavel}")


@pytest.fixture(autouse=True)
def variavel_desconhecida_falha(settings):
    """Only here: the admin's and crispy-forms' pages rely on an unknown variable being empty."""
    modelos = copy.deepcopy(settings.TEMPLATES)
    modelos[0]["OPTIONS"]["string_if_invalid"] = VariavelNaoResolvida("%s")
    settings.TEMPLATES = modelos


@pytest.fixture(autouse=True)
def na_quarta(time_machine):
    time_machine.move_to(AGORA, tick=False)


@pytest.fixture
def maria(db):
    return ConsumidorFactory(cpf="52998224725", nome="Maria Aparecida Souza", email="maria@exemplo.com.br")


def _nova(acao):
    """The one message `acao` queued."""
    antes = set(Mensagem.objects.values_list("pk", flat=True))
    acao()
    novas = list(Mensagem.objects.exclude(pk__in=antes))
    assert len(novas) == 1, novas
    return novas[0]


def _lida(mensagem):
    """The body with each signed link as <link>, and where each link leads, in order."""
    caminhos = LINK_ASSINADO.findall(mensagem.corpo)
    destinos = [Client().get(caminho).url for caminho in caminhos]
    return LINK_ASSINADO.sub("<link>", mensagem.corpo), destinos


def _aviso(mensagem, protocolo, assunto):
    """A message about one protocol: its subject and recipient, the body, and the one link in it
    opening that protocol's page."""
    assert mensagem.assunto == f"Protocolo {protocolo.numero_formatado}: {assunto}"
    assert mensagem.destinatario in {c.valor for c in services.destinatarios(protocolo)}
    assert mensagem.protocolo == protocolo
    corpo, destinos = _lida(mensagem)
    assert destinos == [pagina(protocolo)]
    return corpo


def test_an_unknown_variable_fails_these_tests():
    modelo = engines["django"].from_string("Protocolo {{ protocolo.numero_formatado }}.")

    with pytest.raises(AssertionError, match=re.escape("variável não resolvida no modelo: protocolo.numero_formatado")):
        modelo.render({})


# One protocol: services._avisar ------------------------------------------------------------------


def test_the_number_sent_by_the_attendant(maria, atendente):
    protocolo = abrir(consumidor=maria, atendente=atendente)

    mensagem = _nova(lambda: services.protocolo_enviar_numero(protocolo=protocolo, autor=atendente))

    assert _aviso(mensagem, protocolo, "número do seu atendimento") == OLA + (
        f"O número do seu atendimento é {protocolo.numero_formatado}.\n"
        "Aberto em 04/03/2026 às 10:00, assunto: Reclamação.\n"
        "Prazo de resposta: até 11/03/2026.\n"
        "\n" + ASSINATURA
    )


def test_the_number_of_a_protocol_without_subject_to_a_consumer_without_a_name(settings, atendente):
    settings.PROTOCOLO_LINK_DIAS = 1
    sem_nome = ConsumidorFactory(nome="", email="sem.nome@exemplo.com.br")
    protocolo = abrir(consumidor=sem_nome, atendente=atendente, categoria_codigo=None)

    mensagem = _nova(lambda: services.protocolo_enviar_numero(protocolo=protocolo, autor=atendente))

    assert _aviso(mensagem, protocolo, "número do seu atendimento") == (
        "Olá.\n"
        "\n"
        f"O número do seu atendimento é {protocolo.numero_formatado}.\n"
        "Aberto em 04/03/2026 às 10:00.\n"
        "Prazo de resposta: até 11/03/2026.\n"  # the 7 days every demand has from its opening
        "\n"
        "Acompanhe o seu protocolo por este link, válido por 1 dia:\n"
        "<link>\n"
        "\n"
        "Depois disso, use https://protocolo.exemplo.com.br/ com o número e o seu CPF.\n"
        "Guarde este número: ele é a prova do seu atendimento.\n"
        "\n"
        "Esta é uma mensagem automática; não responda a este e-mail.\n"
        "\n"
    )


def test_the_number_of_a_demand_opened_on_the_portal():
    def abrir_pelo_portal():
        services.protocolo_abrir_pelo_portal(
            cpf="529.982.247-25",
            nome="Maria Aparecida Souza",
            email="maria@exemplo.com.br",
            categoria=categoria("lgpd"),
            objeto="Quero saber quais dados vocês guardam.",
        )

    abrir_pelo_portal()
    mensagem = Mensagem.objects.get(assunto__endswith="número do seu atendimento")

    protocolo = mensagem.protocolo
    assert protocolo.canal == Canal.PORTAL
    # A public form's e-mail is not greeted by the CPF's name: it may not be the owner's.
    assert _aviso(mensagem, protocolo, "número do seu atendimento") == "Olá.\n\n" + (
        f"O número do seu atendimento é {protocolo.numero_formatado}.\n"
        "Aberto em 04/03/2026 às 10:00, assunto: Solicitação LGPD (dados pessoais).\n"
        "Prazo de resposta: até 19/03/2026.\n"
        "\n" + ASSINATURA
    )


def test_an_answer_to_the_consumer(maria, atendente):
    protocolo = abrir(consumidor=maria, atendente=atendente)

    mensagem = _nova(
        lambda: services.protocolo_registrar_interacao(
            protocolo=protocolo, texto="Precisamos da fatura de março.", autor=atendente, publica=True
        )
    )

    assert _aviso(mensagem, protocolo, "nova mensagem") == OLA + (
        f"Há uma nova mensagem no protocolo {protocolo.numero_formatado}:\n"
        "\n"
        "Precisamos da fatura de março.\n"
        "\n" + ASSINATURA
    )


def test_the_resolution(maria, atendente):
    protocolo = abrir(consumidor=maria, atendente=atendente)

    mensagem = _nova(
        lambda: services.protocolo_resolver(protocolo=protocolo, texto="Estorno de R$ 50 feito.", autor=atendente)
    )

    assert _aviso(mensagem, protocolo, "sua demanda foi resolvida") == OLA + (
        f"A sua demanda no protocolo {protocolo.numero_formatado} foi resolvida:\n"
        "\n"
        "Estorno de R$ 50 feito.\n"
        "\n"
        "Se a solução não atendeu ao que você pediu, você tem 20 dias para contestar pelo portal; depois\n"
        "disso o protocolo é encerrado.\n"
        "\n" + ASSINATURA
    )


def test_the_closing_after_twenty_days_without_a_dispute(maria, atendente, time_machine):
    protocolo = abrir(consumidor=maria, atendente=atendente)
    services.protocolo_resolver(protocolo=protocolo, texto="Estorno de R$ 50 feito.", autor=atendente)
    time_machine.move_to(datetime.datetime(2026, 3, 25, 6, 0, tzinfo=SAO_PAULO), tick=False)

    mensagem = _nova(lambda: call_command("encerrar_resolvidos", stdout=io.StringIO()))

    assert _aviso(mensagem, protocolo, "demanda concluída") == OLA + (
        f"O protocolo {protocolo.numero_formatado} foi encerrado em 25/03/2026: a sua demanda\n"
        "está concluída. O histórico completo continua disponível no portal.\n"
        "\n" + ASSINATURA
    )


def test_the_cancellation(maria, atendente, supervisor):
    protocolo = abrir(consumidor=maria, atendente=atendente)

    mensagem = _nova(
        lambda: services.protocolo_cancelar(
            protocolo=protocolo, motivo="Aberto em duplicidade pelo URA.", autor=supervisor
        )
    )

    assert _aviso(mensagem, protocolo, "protocolo cancelado") == OLA + (
        f"O protocolo {protocolo.numero_formatado} foi cancelado. Motivo:\n"
        "\n"
        "Aberto em duplicidade pelo URA.\n"
        "\n"
        "O número continua registrado e pode ser consultado no portal.\n"
        "\n" + ASSINATURA
    )


def test_the_duplicate(maria, atendente):
    original = abrir(consumidor=maria, atendente=atendente)
    repetido = abrir(consumidor=maria, atendente=atendente)

    mensagem = _nova(
        lambda: services.protocolo_marcar_duplicado(protocolo=repetido, original=original, autor=atendente)
    )

    assert _aviso(mensagem, repetido, "demanda unificada") == OLA + (
        f"O protocolo {repetido.numero_formatado} trata da mesma demanda do protocolo "
        f"{original.numero_formatado}.\n"
        f"Para que você não precise repetir nada, o atendimento segue no protocolo {original.numero_formatado}.\n"
        "\n" + ASSINATURA
    )


# Several protocols: the recovery (services.processar_pedidos_de_recuperacao) ---------------------


def _recuperacao(consumidor):
    def recuperar():
        services.consumidor_pedir_protocolos(cpf=consumidor.cpf)
        services.processar_pedidos_de_recuperacao()

    mensagem = _nova(recuperar)
    assert mensagem.assunto == "Seus protocolos de atendimento"
    assert mensagem.destinatario == email_de(consumidor)
    assert mensagem.protocolo is None
    return _lida(mensagem)


def test_the_recovery_of_one_protocol(settings, atendente):
    settings.PROTOCOLO_LINK_DIAS = 1
    sem_nome = ConsumidorFactory(nome="", email="sem.nome@exemplo.com.br")
    protocolo = abrir(consumidor=sem_nome, atendente=atendente)

    corpo, destinos = _recuperacao(sem_nome)

    assert corpo == (
        "Olá.\n"
        "\n"
        "Alguém pediu, no portal, os protocolos de atendimento registrados com o seu CPF. É este:\n"
        "\n"
        f"- Protocolo {protocolo.numero_formatado}, aberto em 04/03/2026, Reclamação: aberto.\n"
        "  Acompanhe: <link>\n"
        "\n"
        "O histórico de todas as suas demandas: <link>\n"
        "\n"
        "Os links valem por 1 dia. Depois disso, use https://protocolo.exemplo.com.br/ com o número do protocolo "
        "e o seu CPF.\n"
        "Se não foi você quem pediu, ignore esta mensagem:\n"
        "ninguém vê os seus protocolos sem acesso a este e-mail.\n"
        "\n"
        "Guarde este número: ele é a prova do seu atendimento.\n"
        "\n"
        "Esta é uma mensagem automática; não responda a este e-mail.\n"
        "\n"
    )
    assert destinos == [pagina(protocolo), reverse("consumidor:demandas")]


def test_the_recovery_of_several_protocols(maria, atendente, supervisor, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=SAO_PAULO), tick=False)
    reclamacao = abrir(consumidor=maria, atendente=atendente)
    time_machine.move_to(datetime.datetime(2026, 3, 3, 9, 0, tzinfo=SAO_PAULO), tick=False)
    cobranca = abrir(consumidor=maria, atendente=atendente, categoria_codigo="cobranca")
    services.protocolo_resolver(protocolo=cobranca, texto="Estornado.", autor=atendente)
    time_machine.move_to(AGORA, tick=False)
    sem_assunto = abrir(consumidor=maria, atendente=atendente, categoria_codigo=None)
    services.protocolo_cancelar(protocolo=sem_assunto, motivo="Ligação de teste.", autor=supervisor)

    corpo, destinos = _recuperacao(maria)

    assert corpo == OLA + (
        "Alguém pediu, no portal, os protocolos de atendimento registrados com o seu CPF. São estes:\n"
        "\n"
        f"- Protocolo {sem_assunto.numero_formatado}, aberto em 04/03/2026: cancelado.\n"
        "  Acompanhe: <link>\n"
        "\n"
        f"- Protocolo {cobranca.numero_formatado}, aberto em 03/03/2026, Cobrança: resolvido.\n"
        "  Acompanhe: <link>\n"
        "\n"
        f"- Protocolo {reclamacao.numero_formatado}, aberto em 02/03/2026, Reclamação: aberto.\n"
        "  Acompanhe: <link>\n"
        "\n" + FIM_DA_RECUPERACAO_DE_VARIOS
    )
    assert destinos == [pagina(sem_assunto), pagina(cobranca), pagina(reclamacao), reverse("consumidor:demandas")]


def test_the_recovery_of_more_protocols_than_it_lists(maria, atendente, time_machine):
    protocolos = []
    for minutos in range(LISTADOS + 1):
        time_machine.move_to(AGORA + datetime.timedelta(minutes=minutos), tick=False)
        protocolos.append(abrir(consumidor=maria, atendente=atendente))
    listados = protocolos[:0:-1]  # the newest first; the oldest is left to the link to all demands

    corpo, destinos = _recuperacao(maria)

    itens = "".join(
        f"\n- Protocolo {p.numero_formatado}, aberto em 04/03/2026, Reclamação: aberto.\n  Acompanhe: <link>\n"
        for p in listados
    )
    assert corpo == OLA + (
        "Alguém pediu, no portal, os protocolos de atendimento registrados com o seu CPF. São estes:\n"
        f"{itens}"
        "\n"
        "Há mais protocolos do que cabem nesta mensagem: veja todos no link abaixo.\n"
        "\n" + FIM_DA_RECUPERACAO_DE_VARIOS
    )
    assert destinos == [*(pagina(p) for p in listados), reverse("consumidor:demandas")]


# The back-office's password reset: atendimento's RedefinirSenha -------------------------------------


@pytest.mark.parametrize(("nome", "saudacao"), [("Ana", "Olá, Ana."), ("", "Olá.")])
def test_the_password_reset(client, mailoutbox, limites_zerados, nome, saudacao):
    ana = AtendenteFactory(username="ana", email="ana@empresa.com.br", first_name=nome)

    client.post(reverse("atendimento:senha_redefinir"), {"email": "ana@empresa.com.br"})
    call_command("enviar_mensagens", stdout=io.StringIO())

    (email,) = mailoutbox
    link = reverse(
        "atendimento:senha_redefinir_nova",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(ana.pk)), "token": default_token_generator.make_token(ana)},
    )
    assert email.to == ["ana@empresa.com.br"]
    assert email.subject == "Nova senha do atendimento · Protocolo"
    assert email.body == (
        f"{saudacao}\n"
        "\n"
        "Alguém pediu uma nova senha para a conta ana no atendimento do Protocolo.\n"
        "Para criar a nova senha, abra este link (ele vale uma vez só, por pouco tempo):\n"
        "\n"
        f"{BASE}{link}\n"
        "\n"
        "Se não foi você quem pediu, ignore esta mensagem: a sua senha atual continua valendo.\n"
        "\n"
        "Esta é uma mensagem automática; não responda a este e-mail.\n"
        "\n"
    )


def test_the_extended_deadline(maria, atendente, supervisor, time_machine):
    time_machine.move_to(AGORA, tick=False)
    protocolo = abrir(consumidor=maria, atendente=atendente)

    mensagem = _nova(
        lambda: services.protocolo_prorrogar_prazo(
            protocolo=protocolo,
            novo_prazo=datetime.date(2026, 3, 20),
            motivo="Aguardamos o laudo do fabricante.",
            autor=supervisor,
        )
    )

    assert _aviso(mensagem, protocolo, "novo prazo de resposta") == OLA + (
        f"O prazo de resposta do protocolo {protocolo.numero_formatado} passou de 11/03/2026 para 20/03/2026. "
        "Motivo:\n"
        "\n"
        "Aguardamos o laudo do fabricante.\n"
        "\n" + ASSINATURA
    )


@pytest.mark.parametrize(
    ("escalar", "frase"),
    [
        (
            lambda p, eq: services.protocolo_escalar(protocolo=p, motivo="Cliente irritado, nota interna.", autor=eq),
            "A demanda do protocolo {numero} foi encaminhada à supervisão, que passa a cuidar dela.",
        ),
        (
            lambda p, eq: services.protocolo_escalar(protocolo=p, motivo="Prazo vencido.", origem="sistema"),
            "O prazo de resposta venceu sem uma resposta nossa. A demanda do protocolo {numero} foi encaminhada à "
            "supervisão, que passa a cuidar dela.",
        ),
        (
            lambda p, eq: services.protocolo_escalar(
                protocolo=p, motivo="O consumidor pediu a análise da supervisão.", origem="consumidor"
            ),
            "Recebemos o seu pedido. A demanda do protocolo {numero} foi encaminhada à supervisão, que passa a "
            "cuidar dela.",
        ),
    ],
    ids=["atendente", "prazo_vencido", "pedido_do_consumidor"],
)
def test_the_escalation_tells_the_cause_in_the_consumers_words(maria, atendente, time_machine, escalar, frase):
    time_machine.move_to(AGORA, tick=False)
    protocolo = abrir(consumidor=maria, atendente=atendente)

    mensagem = _nova(lambda: escalar(protocolo, atendente))

    assert _aviso(mensagem, protocolo, "demanda encaminhada à supervisão") == OLA + (
        f"{frase.format(numero=protocolo.numero_formatado)}\n\nO prazo de resposta continua sendo 11/03/2026.\n\n"
        + ASSINATURA
    )
    assert "nota interna" not in mensagem.corpo and "Prazo vencido." not in mensagem.corpo
    assert "pediu a análise" not in mensagem.corpo
