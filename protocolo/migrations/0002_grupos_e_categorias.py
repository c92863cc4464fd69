from django.db import migrations

from protocolo.dados_iniciais import criar_grupos_e_categorias


def criar(apps, schema_editor):
    criar_grupos_e_categorias(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("protocolo", "0001_inicial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("sequences", "0001_initial"),
    ]

    operations = [migrations.RunPython(criar, migrations.RunPython.noop)]
