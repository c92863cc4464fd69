"""Stored telephones to E.164 (docs/seguranca.md, "Telefones"). A value that does not parse is left
as it was and named in the log (its id, never the number), for the team to correct by hand; the
search still finds it by its digits."""

import logging

from django.db import migrations

logger = logging.getLogger("protocolo.migracoes")


def para_e164(apps, schema_editor):
    from protocolo.services.contatos import telefone_e164

    Contato = apps.get_model("protocolo", "Contato")
    ilegiveis = []
    for contato in Contato.objects.filter(tipo="telefone").exclude(valor="").only("pk", "valor").iterator():
        numero = telefone_e164(contato.valor)
        if numero is None:
            ilegiveis.append(contato.pk)
        elif numero != contato.valor:
            Contato.objects.filter(pk=contato.pk).update(valor=numero)
    if ilegiveis:
        logger.warning(
            "%s telefone(s) não lido(s) como número válido ficaram como estavam: contatos %s.",
            len(ilegiveis),
            ", ".join(map(str, ilegiveis)),
        )


class Migration(migrations.Migration):
    dependencies = [("protocolo", "0022_mensagem_canal_sms")]

    operations = [migrations.RunPython(para_e164, migrations.RunPython.noop, elidable=True)]
