"""No internal note, no full CPF and no attendant's full name in any page or message the consumer
gets (issue 3, "Tests"; docs/dominio.md §5)."""

import pytest
from django.test import Client
from django.urls import reverse

from protocolo import integridade, links, selectors, services
from protocolo.models import Mensagem
from tests.consumidor.apoio import CPF, CPF_FORMATADO
from tests.factories import AtendenteFactory, SupervisorFactory, abrir

pytestmark = pytest.mark.django_db

NOTA = "NOTA-INTERNA-SIGILOSA"
SOBRENOME = "Wanderley-Figueiredo"


def _proibidos(texto):
    return [p for p in (CPF, CPF_FORMATADO, NOTA, SOBRENOME, "joana.wf") if p in texto]


@pytest.fixture
def cenario(consumidor):
    atendente = AtendenteFactory(username="joana.wf", first_name="Joana", last_name=SOBRENOME)
    protocolo = abrir(consumidor=consumidor, atendente=atendente)
    services.protocolo_registrar_interacao(protocolo=protocolo, texto=NOTA, autor=atendente)
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Olá!", autor=atendente, publica=True)
    services.protocolo_escalar(protocolo=protocolo, motivo=NOTA, autor=atendente)
    services.protocolo_enviar_numero(protocolo=protocolo, autor=atendente)
    # Past the escalation the supervisors answer (docs/dominio.md §5): one of the same family name.
    supervisora = SupervisorFactory(username="joana.wf.supervisao", first_name="Joana", last_name=SOBRENOME)
    services.protocolo_resolver(protocolo=protocolo, texto="Resolvido.", autor=supervisora)
    duplicado = abrir(consumidor=consumidor, atendente=atendente)
    services.protocolo_marcar_duplicado(protocolo=duplicado, original=protocolo, autor=atendente)
    return protocolo, duplicado


PAGINAS_DO_PROTOCOLO = (
    "consumidor:protocolo",
    "consumidor:comprovante",
    "consumidor:historico",
    "consumidor:historico_json",
)


def _com_acesso_as_demandas(consumidor):
    """A browser that followed the consumer's recovery link."""
    navegador = Client()
    navegador.get(
        reverse(
            "consumidor:acesso_demandas",
            args=[links.token_consumidor(consumidor, consumidor.contatos.get(tipo="email"))],
        )
    )
    return navegador


def test_no_consumer_page_shows_a_note_a_full_cpf_or_a_full_name(cenario, consumidor):
    protocolo, duplicado = cenario
    navegador = _com_acesso_as_demandas(consumidor)
    codigo = integridade.codigo_comprovante(protocolo, selectors.cabeca_da_cadeia(protocolo))
    paginas = [reverse("consumidor:demandas"), reverse("consumidor:verificar", args=[codigo])]
    for p in (protocolo, duplicado):
        paginas += [reverse(nome, args=[p.numero]) for nome in PAGINAS_DO_PROTOCOLO]

    for endereco in paginas:
        resposta = navegador.get(endereco)
        assert resposta.status_code == 200, endereco
        assert _proibidos(resposta.content.decode()) == [], endereco


def test_no_message_to_the_consumer_carries_them_either(cenario, client):
    client.post(reverse("consumidor:recuperar"), {"cpf": CPF})

    mensagens = list(Mensagem.objects.all())

    assert len(mensagens) >= 4  # number, resolution, duplicate, recovery
    for mensagem in mensagens:
        assert _proibidos(mensagem.assunto + mensagem.corpo) == [], mensagem.assunto


def test_no_page_with_personal_data_is_kept_by_the_browser_or_a_proxy(cenario, consumidor):
    """On a shared computer the back button must not bring the pages back after the access expired."""
    protocolo, _ = cenario
    navegador = _com_acesso_as_demandas(consumidor)
    paginas = [reverse("consumidor:demandas"), reverse("consumidor:demandas_json")] + [
        reverse(nome, args=[protocolo.numero]) for nome in PAGINAS_DO_PROTOCOLO
    ]

    for endereco in paginas:
        resposta = navegador.get(endereco)
        assert resposta.status_code == 200, endereco
        assert "no-store" in resposta.get("Cache-Control", ""), endereco
        assert "private" in resposta["Cache-Control"], endereco
