# The consumer's e-mail and telephone now live in Contato (0011 copied them to their protocols).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("protocolo", "0011_contatos_do_cadastro"),
    ]

    operations = [
        migrations.RemoveField(model_name="consumidor", name="email"),
        migrations.RemoveField(model_name="consumidor", name="telefone"),
    ]
