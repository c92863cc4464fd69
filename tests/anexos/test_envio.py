"""Sending files: the consumer's message and opening form, the attendant's answer and internal note;
every refusal a Portuguese form error that keeps what was typed, never a 500."""

import io

import pytest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from protocolo.models import Anexo, Interacao, Protocolo
from tests.factories import categoria as categoria_por_codigo

from . import arquivos

pytestmark = pytest.mark.django_db


def _mensagem(client, protocolo, texto, *anexos):
    return client.post(
        reverse("consumidor:mensagem", args=[protocolo.numero]), {"texto": texto, "arquivos": list(anexos)}
    )


def test_the_consumer_attaches_a_photo_to_a_message(visitante, protocolo):
    resposta = _mensagem(visitante, protocolo, "Segue a foto.", arquivos.upload("foto.jpg", arquivos.jpeg_com_gps()))
    assert resposta.status_code == 302
    entrada = protocolo.interacoes.order_by("-ordem").first()
    assert (entrada.tipo, entrada.texto) == (Interacao.Tipo.MENSAGEM_CONSUMIDOR, "Segue a foto.")
    assert [a["nome"] for a in entrada.detalhes["anexos"]] == ["foto.jpg"]
    assert Anexo.objects.get(interacao=entrada).publica


@pytest.mark.parametrize(
    ("nome", "dados", "erro"),
    [
        ("fatura.pdf", arquivos.zip_bomba(), "não é de um tipo aceito"),
        ("poliglota.pdf", arquivos.pdf_e_zip(), "mistura um PDF com outro formato"),
        ("../../../etc/passwd", b"\x7fELF\x02\x01\x01" + b"\x00" * 60, "não é de um tipo aceito"),
        ("gigante.png", arquivos.png_bomba(), "pixels demais"),
        ("foto\u202egpj.exe", b"MZ\x90\x00" + b"\x00" * 60, "“fotogpj” não é de um tipo aceito"),
    ],
)
def test_a_refused_file_is_a_portuguese_error_that_keeps_the_text(visitante, protocolo, nome, dados, erro):
    resposta = _mensagem(visitante, protocolo, "Texto que digitei com cuidado.", arquivos.upload(nome, dados))
    assert resposta.status_code == 200
    assert erro in resposta.text
    assert "Texto que digitei com cuidado." in resposta.text
    assert not Anexo.objects.exists()
    assert not protocolo.interacoes.filter(tipo=Interacao.Tipo.MENSAGEM_CONSUMIDOR).exists()


def test_a_body_past_the_limits_stops_being_read_and_keeps_the_text(visitante, protocolo, settings):
    """As a 2 GB upload would: the handler stops at the first file byte past the limit."""
    settings.PROTOCOLO_ANEXOS_TAMANHO_MAXIMO = 1024
    corpo = encode_multipart(
        BOUNDARY, {"texto": "Não perca isto.", "arquivos": arquivos.upload("enorme.pdf", b"%PDF-" + b"0" * 200_000)}
    )
    lido = io.BytesIO(corpo)
    resposta = visitante.generic(
        "POST",
        reverse("consumidor:mensagem", args=[protocolo.numero]),
        data=corpo,
        content_type=MULTIPART_CONTENT,
        **{"wsgi.input": lido},
    )
    assert resposta.status_code == 200
    assert "passa de 1 KB" in resposta.text
    assert "Não perca isto." in resposta.text
    # The rest of the body was never read, let alone written to a temporary file.
    assert lido.tell() < len(corpo) // 2
    assert not Anexo.objects.exists()


def test_a_body_that_declares_2_gb_is_not_read_past_its_first_file(visitante, protocolo):
    """With the default limits: the declared length alone stops the reading at the first file."""
    corpo = encode_multipart(
        BOUNDARY, {"texto": "Não perca isto.", "arquivos": arquivos.upload("filme.pdf", b"%PDF-" + b"0" * 300_000)}
    )
    lido = io.BytesIO(corpo)
    resposta = visitante.generic(
        "POST",
        reverse("consumidor:mensagem", args=[protocolo.numero]),
        data=corpo,
        content_type=MULTIPART_CONTENT,
        **{"wsgi.input": lido, "CONTENT_LENGTH": str(2 * 1024**3)},
    )
    assert resposta.status_code == 200
    assert "o limite por envio" in resposta.text
    assert "Não perca isto." in resposta.text
    assert lido.tell() < 100_000
    assert not Anexo.objects.exists()


def test_too_many_files_in_one_message(visitante, protocolo, settings):
    settings.PROTOCOLO_ANEXOS_POR_MENSAGEM = 2
    resposta = _mensagem(visitante, protocolo, "Três.", *[arquivos.upload(f"{n}.txt", b"oi") for n in range(3)])
    assert resposta.status_code == 200
    assert "no máximo 2 arquivo(s) por vez" in resposta.text


def test_the_protocols_limit_is_a_message_on_the_page_with_the_text(visitante, protocolo, settings):
    settings.PROTOCOLO_ANEXOS_POR_PROTOCOLO = 1
    _mensagem(visitante, protocolo, "Primeiro.", arquivos.upload("a.txt", b"um"))
    resposta = _mensagem(visitante, protocolo, "Segundo texto.", arquivos.upload("b.txt", b"dois"))
    assert resposta.status_code == 409
    assert "aceita no máximo 1" in resposta.text
    assert "Segundo texto." in resposta.text


def test_the_opening_form_takes_files(client, db):
    dados = {
        "cpf": "529.982.247-25",
        "nome": "Maria Aparecida Souza",
        "email": "maria@exemplo.com.br",
        "categoria": categoria_por_codigo("cobranca").pk,
        "objeto": "Cobraram duas vezes.",
        "arquivos": [arquivos.upload("boleto.pdf", arquivos.pdf())],
    }
    resposta = client.post("/abrir/", dados)
    assert resposta.status_code == 302
    protocolo = Protocolo.objects.get()
    entrada = protocolo.interacoes.order_by("-ordem").first()
    assert entrada.tipo == Interacao.Tipo.MENSAGEM_CONSUMIDOR and entrada.publica
    assert entrada.detalhes["anexos"][0]["nome"] == "boleto.pdf"


def test_a_refused_file_on_the_opening_form_opens_nothing_and_keeps_what_was_typed(client, db):
    dados = {
        "cpf": "529.982.247-25",
        "nome": "Maria Aparecida Souza",
        "email": "maria@exemplo.com.br",
        "categoria": categoria_por_codigo("cobranca").pk,
        "objeto": "Cobraram duas vezes.",
        "arquivos": [arquivos.upload("boleto.pdf", arquivos.zip_bomba())],
    }
    resposta = client.post("/abrir/", dados)
    assert resposta.status_code == 200
    assert "não é de um tipo aceito" in resposta.text
    assert "Cobraram duas vezes." in resposta.text and "maria@exemplo.com.br" in resposta.text
    assert not Protocolo.objects.exists()


@pytest.mark.parametrize(("tipo", "publica"), [("interna", False), ("publica", True)])
def test_the_attendant_attaches_to_an_internal_note_or_an_answer(cliente_atendente, atendente, tipo, publica):
    from tests.factories import abrir

    protocolo = abrir(atendente=atendente)
    resposta = cliente_atendente.post(
        reverse("atendimento:interacao", args=[protocolo.numero]),
        {
            "interacao-tipo": tipo,
            "interacao-texto": "Print do sistema.",
            "interacao-arquivos": [arquivos.upload("tela.png", arquivos.png())],
        },
    )
    assert resposta.status_code == 302
    anexo = Anexo.objects.get()
    assert (anexo.publica, anexo.interacao.publica, anexo.nome) == (publica, publica, "tela.png")


def test_the_attendants_refused_file_keeps_the_text(cliente_atendente, atendente):
    from tests.factories import abrir

    protocolo = abrir(atendente=atendente)
    resposta = cliente_atendente.post(
        reverse("atendimento:interacao", args=[protocolo.numero]),
        {
            "interacao-tipo": "interna",
            "interacao-texto": "Nota que não pode se perder.",
            "interacao-arquivos": [arquivos.upload("x.pdf", arquivos.pdf_e_zip())],
        },
    )
    assert resposta.status_code == 200
    assert "mistura um PDF com outro formato" in resposta.text
    assert "Nota que não pode se perder." in resposta.text
