import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from protocolo.dados_iniciais import (
    ATENDENTES,
    CATEGORIAS,
    OUVIDORIA,
    PERMISSOES_OUVIDORIA,
    PERMISSOES_SUPERVISORES,
    SUPERVISORES,
)
from protocolo.models import Categoria


@pytest.mark.django_db(transaction=True)
def test_a_flush_leaves_the_seeded_groups_and_categorias_as_migration_0002_made_them():
    # What TransactionTestCase runs after every transactional test.
    call_command("flush", verbosity=0, interactive=False)

    assert set(Group.objects.values_list("name", flat=True)) == {ATENDENTES, SUPERVISORES, OUVIDORIA}
    supervisores = Group.objects.get(name=SUPERVISORES).permissions
    assert set(supervisores.values_list("content_type__app_label", "codename")) == set(PERMISSOES_SUPERVISORES)
    # The third nível's team (migration 0019): the attendants' work, and assigning within its queue.
    ouvidoria = Group.objects.get(name=OUVIDORIA).permissions
    assert set(ouvidoria.values_list("content_type__app_label", "codename")) == set(PERMISSOES_OUVIDORIA)
    assert ("protocolo", "atribuir_protocolo") in PERMISSOES_OUVIDORIA
    assert ("protocolo", "cancelar_protocolo") not in PERMISSOES_OUVIDORIA
    assert sorted(Categoria.objects.values_list("codigo", "prazo_dias", "tipo_prazo")) == sorted(
        (codigo, dias, tipo) for codigo, _, dias, tipo, _ in CATEGORIAS
    )
