from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("protocolo", "0007_indices_das_listas_e_do_painel"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="protocolo",
            name="chave_de_abertura",
            field=models.CharField(blank=True, editable=False, max_length=32, null=True),
        ),
        migrations.AddConstraint(
            model_name="protocolo",
            constraint=models.UniqueConstraint(
                condition=models.Q(("chave_de_abertura__isnull", False)),
                fields=("chave_de_abertura",),
                name="protocolo_chave_de_abertura_unica",
            ),
        ),
    ]
