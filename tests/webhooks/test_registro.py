"""Nothing of the webhooks' record is deleted, and an attempt is never rewritten: in Django and,
below it, in PostgreSQL (django-pgtrigger `Protect`)."""

import pytest
from django.db import connection, transaction
from django.db.utils import ProgrammingError

from protocolo.exceptions import RegistroImutavel
from protocolo.models import TentativaWebhook
from protocolo.webhooks import entrega
from tests.factories import abrir

from .conftest import assinar

pytestmark = pytest.mark.django_db


@pytest.fixture
def tentativa():
    assinatura = assinar("https://crm.exemplo.com.br/webhooks")
    abrir()
    evento = assinatura.entregas.get()
    # Refused before any connection: the resolver gives an internal address.
    entrega.tentar(evento, resolvedor=lambda host, porta: ["10.0.0.1"])
    return evento.registro_de_tentativas.get()


def _sql(sql, params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize(
    ("sql", "tabela"),
    [
        ("UPDATE protocolo_tentativawebhook SET status = 200, erro = '' WHERE id = %s", "tentativawebhook"),
        ("DELETE FROM protocolo_tentativawebhook WHERE id = %s", "tentativawebhook"),
        (
            "DELETE FROM protocolo_entregawebhook WHERE id = (SELECT entrega_id FROM protocolo_tentativawebhook "
            "WHERE id = %s)",
            "entregawebhook",
        ),
        (
            "DELETE FROM protocolo_assinaturawebhook WHERE id = (SELECT e.assinatura_id FROM "
            "protocolo_entregawebhook e JOIN protocolo_tentativawebhook t ON t.entrega_id = e.id WHERE t.id = %s)",
            "assinaturawebhook",
        ),
    ],
    ids=["rewrite-attempt", "delete-attempt", "delete-delivery", "delete-subscription"],
)
def test_the_database_refuses_rewriting_or_deleting_the_record(tentativa, sql, tabela):
    with pytest.raises(ProgrammingError, match=f"pgtrigger: Cannot .* rows from protocolo_{tabela} table"):
        _sql(sql, [tentativa.pk])

    assert TentativaWebhook.objects.get(pk=tentativa.pk).erro.startswith("crm.exemplo.com.br resolve para 10.0.0.1")


def test_django_refuses_rewriting_or_deleting_an_attempt(tentativa):
    tentativa.status = 200
    with pytest.raises(RegistroImutavel):
        tentativa.save()
    with pytest.raises(RegistroImutavel):
        tentativa.delete()
    with pytest.raises(RegistroImutavel):
        TentativaWebhook.objects.filter(pk=tentativa.pk).update(status=200)
    with pytest.raises(RegistroImutavel):
        TentativaWebhook.objects.all().delete()
