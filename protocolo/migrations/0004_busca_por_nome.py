from django.db import migrations

# Serves the search by part of a name in the painel, the consumer lookup and the admin
# (`nome__icontains`, which PostgreSQL runs as UPPER(nome::text) LIKE UPPER('%…%')). Only on
# PostgreSQL: the SQLite demo scans its few rows.
CRIAR = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS consumidor_nome_trgm ON protocolo_consumidor USING gin (UPPER(nome::text) gin_trgm_ops)",
]
REMOVER = ["DROP INDEX IF EXISTS consumidor_nome_trgm"]


def _executar(comandos):
    def executar(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for comando in comandos:
                schema_editor.execute(comando)

    return executar


class Migration(migrations.Migration):
    dependencies = [("protocolo", "0003_acessos_a_dados_pessoais")]

    operations = [migrations.RunPython(_executar(CRIAR), _executar(REMOVER))]
