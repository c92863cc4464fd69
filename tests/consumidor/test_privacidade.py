"""The privacy notice and the data-subject request (issue 3, item 9; docs/dominio.md §2)."""

import datetime

import pytest

from protocolo.models import Canal, Protocolo
from tests.consumidor.apoio import pagina

pytestmark = pytest.mark.django_db

URL = "/privacidade/"


def test_the_notice_says_what_why_how_long_and_who_answers_for_the_data(client, db, settings):
    settings.PROTOCOLO_ENCARREGADO_NOME = "Ana Encarregada"
    settings.PROTOCOLO_ENCARREGADO_EMAIL = "dpo@empresa.com.br"

    texto = client.get(URL).text

    assert "Que dados guardamos" in texto and "CPF" in texto
    assert "Por que guardamos" in texto
    assert "<strong>5 anos</strong>" in texto
    assert "Ana Encarregada" in texto and "mailto:dpo@empresa.com.br" in texto
    assert "15 dias" in texto


def test_a_data_subject_request_opens_an_lgpd_protocol_with_its_fifteen_day_deadline(client, db, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 27, 15, tzinfo=datetime.UTC), tick=False)
    dados = {
        "cpf": "529.982.247-25",
        "nome": "Maria",
        "email": "maria@exemplo.com.br",
        "pedido": "exclusao",
        "detalhes": "Quero saber o que pode ser apagado.",
    }

    resposta = client.post(URL, dados, follow=True)

    protocolo = Protocolo.objects.get()
    assert (protocolo.canal, protocolo.categoria.codigo) == (Canal.PORTAL, "lgpd")
    assert protocolo.prazo == datetime.date(2026, 12, 14)  # 15 calendar days, a Saturday moved to Monday
    assert "Anonimização ou eliminação de dados" in protocolo.objeto
    assert "Quero saber o que pode ser apagado." in protocolo.objeto
    assert resposta.redirect_chain[-1][0] == pagina(protocolo, "consumidor:comprovante")


@pytest.mark.parametrize(("campo", "valor"), [("pedido", "apagar-tudo"), ("detalhes", "d" * 10_240), ("cpf", "x")])
def test_an_invalid_request_is_a_form_error(client, db, campo, valor):
    dados = {"cpf": "52998224725", "nome": "Maria", "email": "m@exemplo.com.br", "pedido": "acesso", campo: valor}

    resposta = client.post(URL, dados)

    assert resposta.status_code == 200
    assert "is-invalid" in resposta.text or "invalid-feedback" in resposta.text
    assert not Protocolo.objects.exists()
