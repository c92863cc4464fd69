"""A contact typed on a public form belongs to the protocol it was typed for (docs/seguranca.md,
"Contatos"): a CPF is not a secret, so an e-mail typed beside one proves nothing."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from protocolo import services
from protocolo.models import Contato, Mensagem, Protocolo
from tests.consumidor.apoio import CPF, pagina
from tests.factories import categoria

pytestmark = pytest.mark.django_db

ATACANTE = "atacante@exemplo.com"


def _abrir_no_portal(client, rota="/abrir/", email=ATACANTE, cpf=CPF):
    dados = {"cpf": cpf, "nome": "Quem digitou", "email": email, "categoria": categoria("cobranca").pk}
    if rota == "/abrir/":
        dados["objeto"] = "Quero ver o que chega."
    else:
        dados |= {"pedido": "exclusao", "detalhes": "Apaguem tudo."}
    assert client.post(rota, dados, REMOTE_ADDR="198.51.100.7").status_code == 302
    return Protocolo.objects.order_by("-pk").first()


def _entregar():
    call_command("enviar_mensagens", stdout=io.StringIO())


def _confirmar(client, destinatario):
    corpo = Mensagem.objects.get(destinatario=destinatario, assunto__contains="confirme").corpo
    link = re.search(r"https://\S+/confirmar/\S+/", corpo).group(0).removeprefix("https://protocolo.exemplo.com.br")
    assert client.post(link).status_code == 200
    return link


@pytest.mark.parametrize("rota", ["/abrir/", "/privacidade/"])
def test_an_email_planted_on_someone_elses_cpf_never_receives_that_consumers_other_protocols(
    client, atendente, mailoutbox, rota
):
    """The attack: a CPF not on file typed with the attacker's e-mail. The attacker gets their own
    protocol (they opened it) and nothing else: not the protocol an attendant opens later for the
    real person, not the recovery's list, not the link to all demands."""
    do_atacante = _abrir_no_portal(client, rota)
    _confirmar(Client(), ATACANTE)
    real, _, _ = services.protocolo_abrir_completo(
        canal="chat", atendente=atendente, cpf=CPF, nome="Maria", email="maria@exemplo.com.br"
    )
    services.protocolo_resolver(protocolo=real, texto="Estorno feito.", autor=atendente)
    client.post("/recuperar/", {"cpf": CPF}, REMOTE_ADDR="198.51.100.8")
    _entregar()

    ao_atacante = [m for m in mailoutbox if m.to == [ATACANTE]]
    assert ao_atacante, "the attacker's own protocol still reaches the address typed for it"
    for mensagem in ao_atacante:
        assert real.numero_formatado not in mensagem.body
        assert "/acesso/demandas/" not in mensagem.body
        assert "Estorno feito." not in mensagem.body
    assert any(do_atacante.numero_formatado in m.body for m in ao_atacante)
    assert not Contato.objects.filter(valor=ATACANTE, consumidor__isnull=False).exists()


def test_a_new_email_from_the_portal_gets_only_the_confirmation_until_confirmed(client, mailoutbox):
    protocolo = _abrir_no_portal(client, email="nova@exemplo.com.br")
    _entregar()

    assert [m.subject for m in mailoutbox] == [f"Protocolo {protocolo.numero_formatado}: confirme o seu e-mail"]
    assert protocolo.numero_formatado not in mailoutbox[0].body
    contato = Contato.objects.get(valor="nova@exemplo.com.br")
    assert (contato.protocolo, contato.consumidor, contato.origem, contato.confirmado_em) == (
        protocolo,
        None,
        "portal",
        None,
    )


def test_the_confirmation_page_confirms_only_on_post_then_the_number_goes_out(client, mailoutbox):
    protocolo = _abrir_no_portal(client, email="nova@exemplo.com.br")
    corpo = Mensagem.objects.get(assunto__contains="confirme").corpo
    link = re.search(r"https://\S+/confirmar/\S+/", corpo).group(0).removeprefix("https://protocolo.exemplo.com.br")

    pagina_get = Client().get(link)
    assert pagina_get.status_code == 200 and "Confirmar o meu e-mail" in pagina_get.text
    assert Contato.objects.get(valor="nova@exemplo.com.br").confirmado_em is None

    assert Client().post(link).status_code == 200
    _entregar()

    numero = [m for m in mailoutbox if "número do seu atendimento" in m.subject]
    assert [m.to for m in numero] == [["nova@exemplo.com.br"]]
    assert protocolo.numero_formatado in numero[0].body
    assert protocolo.consumidor.contatos.count() == 0  # confirming binds nothing to the CPF
    assert protocolo.interacoes.filter(tipo="confirmacao_contato").exists()
    assert "E-mail confirmado" in client.get(pagina(protocolo)).text


def test_a_forged_confirmation_link_is_the_link_404(client, db):
    assert client.get("/confirmar/nao-e-um-token/").status_code == 404
    assert client.post("/confirmar/nao-e-um-token/").status_code == 404


def test_the_link_in_a_portal_contacts_message_opens_only_its_protocol(client, atendente):
    do_atacante = _abrir_no_portal(client)
    _confirmar(Client(), ATACANTE)
    real, _, _ = services.protocolo_abrir_completo(canal="chat", atendente=atendente, cpf=CPF)
    corpo = Mensagem.objects.get(destinatario=ATACANTE, assunto__contains="número").corpo
    link = re.search(r"https://\S+/acesso/\S+/", corpo).group(0).removeprefix("https://protocolo.exemplo.com.br")

    navegador = Client()
    assert navegador.get(link).url == pagina(do_atacante)
    assert navegador.get(pagina(real)).status_code == 404


def test_the_confirmation_tells_nothing_about_the_cpf_or_its_owner(client, consumidor):
    """The CPF's owner is on file (Maria): the address typed beside it learns neither her name nor
    the number before it is confirmed."""
    protocolo = _abrir_no_portal(client)

    corpo = Mensagem.objects.get(destinatario=ATACANTE, aguarda_confirmacao=False).corpo

    assert corpo.startswith("Olá.\n")
    assert "Maria" not in corpo and consumidor.cpf not in corpo
    assert protocolo.numero_formatado not in corpo
    assert "/confirmar/" in corpo and "nada mais será enviado" in corpo
