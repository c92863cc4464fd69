from django.db import migrations

from protocolo.dados_iniciais import criar_grupos_e_categorias


def criar_ouvidoria(apps, schema_editor):
    # The Ouvidoria group works the third nível's queue (docs/dominio.md §5); the other groups and
    # the categorias are left as they are.
    criar_grupos_e_categorias(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("protocolo", "0018_sistemas_integrados"),
    ]

    operations = [
        migrations.RunPython(criar_ouvidoria, migrations.RunPython.noop),
    ]
