from django.db import migrations, models

# The back-office search (protocolo/selectors.py, docs/pilha.md): names without regard to accents,
# words of the demand in Portuguese, and contacts by their stored value. unaccent() is only STABLE
# (its dictionary could change), so neither an index nor a text search configuration can use it
# directly: the wrapper below pins the dictionary and declares itself IMMUTABLE, which is true as
# long as nobody edits unaccent.rules. Only on PostgreSQL: the SQLite demo scans its few rows.
CRIAR = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    CREATE OR REPLACE FUNCTION protocolo_sem_acento(texto text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, texto)) $$
    """,
    "CREATE INDEX IF NOT EXISTS consumidor_nome_sem_acento_trgm "
    "ON protocolo_consumidor USING gin (protocolo_sem_acento(nome::text) gin_trgm_ops)",
    # 0004's index over UPPER(nome) served nome__icontains, which no search runs any more.
    "DROP INDEX IF EXISTS consumidor_nome_trgm",
    # Portuguese stemming after unaccent: "reclamacao" finds "reclamação" and "cobranças" "cobrança".
    """
    DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'protocolo_pt') THEN
            CREATE TEXT SEARCH CONFIGURATION protocolo_pt (COPY = pg_catalog.portuguese);
            ALTER TEXT SEARCH CONFIGURATION protocolo_pt
                ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, portuguese_stem;
        END IF;
    END $$
    """,
    "CREATE INDEX IF NOT EXISTS protocolo_objeto_busca "
    "ON protocolo_protocolo USING gin (to_tsvector('protocolo_pt'::regconfig, objeto))",
    "CREATE INDEX IF NOT EXISTS interacao_publica_busca "
    "ON protocolo_interacao USING gin (to_tsvector('protocolo_pt'::regconfig, texto)) WHERE publica",
]
REMOVER = [
    "DROP INDEX IF EXISTS interacao_publica_busca",
    "DROP INDEX IF EXISTS protocolo_objeto_busca",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS protocolo_pt",
    "CREATE INDEX IF NOT EXISTS consumidor_nome_trgm ON protocolo_consumidor USING gin (UPPER(nome::text) gin_trgm_ops)",
    "DROP INDEX IF EXISTS consumidor_nome_sem_acento_trgm",
    "DROP FUNCTION IF EXISTS protocolo_sem_acento(text)",
]


def _executar(comandos):
    def executar(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for comando in comandos:
                schema_editor.execute(comando)

    return executar


class Migration(migrations.Migration):
    dependencies = [("protocolo", "0012_consumidor_sem_email_e_telefone")]

    operations = [
        migrations.AddIndex(
            model_name="contato",
            index=models.Index(fields=["valor"], name="contato_valor"),
        ),
        migrations.RunPython(_executar(CRIAR), _executar(REMOVER)),
    ]
