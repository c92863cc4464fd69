"""
The record is append-only at every depth (docs/dominio.md §1): the model, its manager's
queryset, and below Django a PostgreSQL trigger (django-pgtrigger `Protect`) that refuses what raw
SQL or any code path skipping the model would do.
"""

import pgtrigger
import pytest
from django.db import connection, transaction
from django.db.utils import ProgrammingError

from protocolo import services
from protocolo.exceptions import RegistroImutavel
from protocolo.models import Interacao, Protocolo
from tests.factories import abrir

pytestmark = pytest.mark.django_db

RECUSA_INTERACAO = "pgtrigger: Cannot update or delete rows from protocolo_interacao table"
RECUSA_PROTOCOLO = "pgtrigger: Cannot delete rows from protocolo_protocolo table"


@pytest.fixture
def protocolo(atendente):
    protocolo = abrir(atendente=atendente)
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Cliente pediu retorno.", autor=atendente)
    return protocolo


def _sql(sql, params):
    """Run one statement in a savepoint, so a refusal leaves the test's transaction usable."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _textos(protocolo):
    return list(Interacao.objects.filter(protocolo=protocolo).order_by("ordem").values_list("texto", flat=True))


# Below Django: the triggers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE protocolo_interacao SET texto = 'x' WHERE protocolo_id = %s",
        "UPDATE protocolo_interacao SET mac = md5(mac) || md5(mac) WHERE protocolo_id = %s",
        "UPDATE protocolo_interacao SET ordem = ordem + 100 WHERE protocolo_id = %s",
        "DELETE FROM protocolo_interacao WHERE protocolo_id = %s",
    ],
    ids=["texto", "mac", "ordem", "delete"],
)
def test_the_database_refuses_rewriting_or_deleting_timeline_entries(protocolo, sql):
    antes = _textos(protocolo)

    with pytest.raises(ProgrammingError, match=RECUSA_INTERACAO):
        _sql(sql, [protocolo.pk])

    assert _textos(protocolo) == antes


def test_the_database_refuses_deleting_a_protocol(protocolo):
    with pytest.raises(ProgrammingError, match=RECUSA_PROTOCOLO):
        _sql("DELETE FROM protocolo_protocolo WHERE id = %s", [protocolo.pk])

    assert Protocolo.objects.filter(pk=protocolo.pk).exists()


def test_the_database_refuses_deleting_a_protocol_without_entries(atendente):
    """The protocol trigger stands on its own, not on the foreign key from its timeline."""
    protocolo = abrir(atendente=atendente)
    with pgtrigger.ignore("protocolo.Interacao:interacao_somente_acrescimo"):
        _sql("DELETE FROM protocolo_interacao WHERE protocolo_id = %s", [protocolo.pk])

    with pytest.raises(ProgrammingError, match=RECUSA_PROTOCOLO):
        _sql("DELETE FROM protocolo_protocolo WHERE id = %s", [protocolo.pk])


def test_the_database_lets_services_update_a_protocol(protocolo):
    atualizadas = _sql("UPDATE protocolo_protocolo SET objeto = 'Objeto corrigido.' WHERE id = %s", [protocolo.pk])

    assert atualizadas == 1
    protocolo.refresh_from_db()
    assert protocolo.objeto == "Objeto corrigido."


def test_the_database_lets_entries_be_appended(protocolo, atendente):
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Mais uma nota.", autor=atendente)

    assert _textos(protocolo)[-1] == "Mais uma nota."


def test_the_trigger_stops_the_base_manager_that_skips_the_guarded_queryset(protocolo):
    """`_base_manager` (used by Django internals) is a plain manager: only the trigger is left."""
    with pytest.raises(ProgrammingError, match=RECUSA_INTERACAO), transaction.atomic():
        Interacao._base_manager.filter(protocolo=protocolo).update(texto="x")
    with pytest.raises(ProgrammingError, match=RECUSA_INTERACAO), transaction.atomic():
        Interacao._base_manager.filter(protocolo=protocolo).delete()

    assert _textos(protocolo) == ["Cobrança indevida na fatura.", "Cliente pediu retorno."]


# In Django: the model and its queryset (the admin's bulk paths) -------------------------------------


@pytest.mark.parametrize(
    "operacao",
    [
        lambda p: Interacao.objects.filter(protocolo=p).delete(),
        lambda p: Interacao.objects.filter(protocolo=p).update(texto="x"),
        lambda p: p.interacoes.all().delete(),
        lambda p: Interacao.objects.filter(protocolo=p).first().delete(),
        lambda p: Interacao.objects.filter(protocolo=p).first().save(),
        lambda p: Protocolo.objects.filter(pk=p.pk).delete(),
        lambda p: p.delete(),
    ],
    ids=[
        "interacoes-queryset-delete",
        "interacoes-queryset-update",
        "interacoes-related-manager-delete",
        "interacao-delete",
        "interacao-save",
        "protocolos-queryset-delete",
        "protocolo-delete",
    ],
)
def test_django_refuses_rewriting_the_record_before_reaching_the_database(protocolo, operacao):
    with pytest.raises(RegistroImutavel), transaction.atomic():
        operacao(protocolo)

    assert _textos(protocolo) == ["Cobrança indevida na fatura.", "Cliente pediu retorno."]
