"""The development console mailer prints a message as a person reads it: accents as letters and a
signed link whole on its line, so the demo's links can be followed from the terminal."""

import io

from django.core.mail import EmailMessage

from protocolo.operacao.console import EmailBackend

LINK = "http://127.0.0.1:8010/acesso/" + "eyJwIjoxNTMsImUiOiJhYmNkZWYwMTIzNDU2Nzg5In0" * 3 + ":1vYz9Q:Qm9ndXM/"


def test_the_demo_console_prints_the_text_decoded_with_each_link_whole():
    saida = io.StringIO()
    mensagem = EmailMessage(
        subject="Protocolo 2026 1206 0000 0153: número do seu atendimento",
        body=f"Olá, Conceição.\n\nAcompanhe o seu protocolo por este link, válido por 7 dias:\n{LINK}\n",
        from_email="Protocolo <nao-responda@localhost>",
        to=["conceicao@exemplo.com.br"],
        headers={"Message-ID": "<1@protocolo>"},
    )

    assert EmailBackend(stream=saida).send_messages([mensagem]) == 1

    texto = saida.getvalue()
    assert texto.startswith("Message-ID: <1@protocolo>\nDate: ")
    assert "From: Protocolo <nao-responda@localhost>\nTo: conceicao@exemplo.com.br\n" in texto
    assert "Subject: Protocolo 2026 1206 0000 0153: número do seu atendimento\n" in texto
    assert "\nOlá, Conceição.\n" in texto
    assert f"\n{LINK}\n" in texto
    assert "=C3" not in texto
