"""Migration 0010 (docs/seguranca.md, "Contatos anteriores"): every e-mail and telephone a consumer
record held becomes a confirmed contact of each of that consumer's protocols, never bound."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

ANTES = [("protocolo", "0010_contatos")]
DEPOIS = [("protocolo", "0012_consumidor_sem_email_e_telefone")]


def _migrar(alvo):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(alvo)
    return executor.loader.project_state(alvo).apps


@pytest.mark.django_db(transaction=True)
def test_existing_contacts_become_contacts_of_their_protocols_never_bound(capsys):
    antigas = _migrar(ANTES)
    try:
        Consumidor = antigas.get_model("protocolo", "Consumidor")
        Protocolo = antigas.get_model("protocolo", "Protocolo")
        com_dois = Consumidor.objects.create(
            cpf="52998224725", email="Maria@Exemplo.com.br", telefone="(11) 98888-7777"
        )
        sem_protocolo = Consumidor.objects.create(cpf="11144477735", email="sem@exemplo.com.br")
        Consumidor.objects.create(cpf="39053344705")
        primeiro = Protocolo.objects.create(numero="1", canal="telefone", consumidor=com_dois)
        segundo = Protocolo.objects.create(numero="2", canal="portal", consumidor=com_dois)
        Protocolo.objects.create(numero="3", canal="telefone")

        novas = _migrar(DEPOIS)
    finally:
        _migrar(executor_alvo_final())

    Contato = novas.get_model("protocolo", "Contato")
    # Read after the last migration, so the telephone is in E.164 (0023_telefones_e164).
    contatos = list(Contato.objects.order_by("protocolo_id", "tipo").values_list("protocolo_id", "tipo", "valor"))
    assert contatos == [
        (primeiro.pk, "email", "maria@exemplo.com.br"),
        (primeiro.pk, "telefone", "+5511988887777"),
        (segundo.pk, "email", "maria@exemplo.com.br"),
        (segundo.pk, "telefone", "+5511988887777"),
    ]
    assert not Contato.objects.filter(consumidor__isnull=False).exists()
    assert set(Contato.objects.values_list("origem", flat=True)) == {"migracao"}
    assert not Contato.objects.filter(confirmado_em__isnull=True).exists()
    assert sem_protocolo.pk  # its e-mail had no protocol to serve: nothing migrated for it
    assert "Contatos migrados do cadastro para os seus protocolos: 4." in capsys.readouterr().out


def executor_alvo_final():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes("protocolo")
