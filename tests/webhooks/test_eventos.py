"""Events are written beside the change they report, in its transaction: one per active
subscription to them, none for a change that rolls back or is refused."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from protocolo import services
from protocolo.exceptions import TransicaoInvalida
from protocolo.models import EntregaWebhook, EventoWebhook, Situacao
from protocolo.webhooks import eventos
from tests.factories import abrir, categoria, cpf_valido

from .conftest import assinar, criar_sistema

pytestmark = pytest.mark.django_db
E = EventoWebhook
URL = "https://crm.exemplo.com.br/webhooks"


def _eventos(assinatura):
    return list(assinatura.entregas.order_by("pk").values_list("evento", flat=True))


def test_each_change_writes_its_event_for_each_subscription_to_it(atendente, supervisor):
    todos = assinar(URL)
    so_resolvidos = assinar(URL, sistema=criar_sistema("URA"), eventos=[E.RESOLVIDO])

    protocolo = abrir(atendente=atendente)
    services.protocolo_mudar_situacao(protocolo=protocolo, situacao=Situacao.EM_ATENDIMENTO, autor=atendente)
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Olá.", autor=atendente, publica=True)
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Só para a equipe.", autor=atendente)
    services.protocolo_escalar(protocolo=protocolo, motivo="Caso complexo.", autor=atendente)
    services.protocolo_atribuir(protocolo=protocolo, responsavel=supervisor, autor=supervisor)
    services.protocolo_resolver(protocolo=protocolo, texto="Estornado.", autor=supervisor)
    services.protocolo_encerrar(protocolo=protocolo, avaliacao=5)

    assert _eventos(todos) == [
        E.ABERTO,
        E.ATUALIZADO,  # situação
        E.INTERACAO_PUBLICA,  # the internal note is no event
        E.ATUALIZADO,  # nível
        E.ATUALIZADO,  # responsável
        E.RESOLVIDO,
        E.ENCERRADO,
    ]
    assert _eventos(so_resolvidos) == [E.RESOLVIDO]
    alterados = [e.payload["data"]["alterados"] for e in todos.entregas.filter(evento=E.ATUALIZADO).order_by("pk")]
    assert alterados == [["situacao"], ["nivel"], ["responsavel"]]
    ultimo = todos.entregas.order_by("pk").last()
    assert ultimo.payload["data"]["situacao"] == Situacao.ENCERRADO
    assert ultimo.payload["data"]["responsavel"]


def test_every_event_points_at_the_timeline_entry_of_its_change(atendente):
    assinatura = assinar(URL)
    protocolo = abrir(atendente=atendente)
    services.protocolo_resolver(protocolo=protocolo, texto="Feito.", autor=atendente)

    for entrega in assinatura.entregas.select_related("interacao"):
        assert entrega.interacao.protocolo_id == entrega.protocolo_id == protocolo.pk
        assert eventos.evento_de(entrega.interacao)[0] == entrega.evento == entrega.payload["type"]
        assert entrega.payload["data"]["interacao"]["ordem"] == entrega.interacao.ordem
        assert entrega.criada_em == entrega.interacao.criada_em
    # And every entry that is an event has its delivery.
    com_evento = [i for i in protocolo.interacoes.all() if eventos.evento_de(i)]
    assert sorted(i.pk for i in com_evento) == sorted(assinatura.entregas.values_list("interacao", flat=True))


def test_a_change_that_rolls_back_leaves_no_event(atendente):
    assinatura = assinar(URL)
    protocolo = abrir(atendente=atendente)

    with pytest.raises(RuntimeError), transaction.atomic():
        services.protocolo_resolver(protocolo=protocolo, texto="Feito.", autor=atendente)
        abrir(atendente=atendente)
        raise RuntimeError("a falha depois das mudanças, antes do commit")

    assert _eventos(assinatura) == [E.ABERTO]
    protocolo.refresh_from_db()
    assert protocolo.situacao == Situacao.ABERTO


def test_a_refused_change_writes_no_event(atendente):
    assinatura = assinar(URL)
    protocolo = abrir(atendente=atendente)

    with pytest.raises(TransicaoInvalida):
        services.protocolo_encerrar(protocolo=protocolo, avaliacao=5)

    assert _eventos(assinatura) == [E.ABERTO]


def test_a_new_categoria_is_an_update_only_when_it_moves_the_deadline(atendente, supervisor):
    assinatura = assinar(URL, eventos=[E.ATUALIZADO])
    protocolo = abrir(atendente=atendente, categoria_codigo=None)

    # Reclamação keeps the 7 days every demand has: no field of the event changed.
    services.protocolo_definir_categoria(protocolo=protocolo, categoria=categoria("reclamacao"), autor=atendente)
    assert _eventos(assinatura) == []
    # LGPD requests have 15 days.
    services.protocolo_definir_categoria(protocolo=protocolo, categoria=categoria("lgpd"), autor=supervisor)
    assert _eventos(assinatura) == [E.ATUALIZADO]


def test_inactive_subscriptions_and_systems_without_the_scope_get_nothing(atendente):
    inativa = assinar(URL)
    inativa.ativa = False
    inativa.save()
    sem_escopo = assinar(URL, sistema=criar_sistema("Chatbot", escopos=["protocolos:ler"]))
    desligado = criar_sistema("URA")
    desligado.ativo = False
    desligado.save()
    de_sistema_desligado = assinar(URL, sistema=desligado)

    abrir(atendente=atendente)

    assert EntregaWebhook.objects.filter(assinatura__in=[inativa, sem_escopo, de_sistema_desligado]).count() == 0


def test_a_paused_subscription_keeps_its_events_for_later(atendente):
    from django.utils import timezone

    assinatura = assinar(URL)
    assinatura.pausada_em = timezone.now()
    assinatura.save()

    abrir(atendente=atendente)

    assert _eventos(assinatura) == [E.ABERTO]


def test_the_payload_carries_neither_typed_text_nor_personal_data():
    assinatura = assinar(URL)
    cpf = cpf_valido(41)
    protocolo = services.protocolo_abrir_pelo_portal(
        cpf=cpf, nome="Maria Silva", email="maria@exemplo.com.br", categoria=categoria("cobranca"), objeto="Fatura X9"
    )

    (entrega,) = assinatura.entregas.all()
    texto = str(entrega.payload)
    for dado in (cpf, cpf[3:6], "Maria", "maria@", "Fatura X9"):
        assert dado not in texto
    assert entrega.payload == {
        "type": "protocolo.aberto",
        "timestamp": protocolo.interacoes.get(ordem=1).criada_em.isoformat(),
        "data": {
            "numero": protocolo.numero,
            "numero_formatado": protocolo.numero_formatado,
            "canal": "portal",
            "situacao": "aberto",
            "nivel": 1,
            "prazo": protocolo.prazo.isoformat(),
            "responsavel": None,
            "interacao": {"ordem": 1, "tipo": "abertura", "origem": "consumidor"},
        },
    }


def test_without_subscriptions_a_change_costs_one_query_more(atendente, django_assert_num_queries):
    protocolo = abrir(atendente=atendente)
    with django_assert_num_queries(7):
        # SAVEPOINT; the protocol, locked; the chain head; the entry; the subscriptions to
        # protocolo.atualizado (none); the protocol's changed fields; RELEASE.
        services.protocolo_mudar_situacao(protocolo=protocolo, situacao=Situacao.EM_ATENDIMENTO, autor=atendente)


@pytest.mark.parametrize(
    "url",
    [
        "http://crm.exemplo.com.br/webhooks",
        "ftp://crm.exemplo.com.br/",
        "https:///sem-servidor",
        "https://usuario:senha@crm.exemplo.com.br/",
        "https://crm.exemplo.com.br:99999/",
        "https://crm.exemplo.com.br/com espaço",
        "https://crm.exemplo.com.br/\x00",
        "crm.exemplo.com.br/webhooks",
        "https://crm.exemplo.com.br/ação",
        "https://informação.com.br/",
    ],
)
def test_a_subscription_takes_only_an_https_url(url):
    with pytest.raises(ValidationError):
        assinar(url)


def test_a_subscription_gets_a_standard_webhooks_secret_of_its_own():
    import base64

    uma, outra = assinar(URL), assinar(URL)
    assert uma.segredo.startswith("whsec_") and uma.segredo != outra.segredo
    assert len(base64.b64decode(uma.segredo.removeprefix("whsec_"))) == 32
