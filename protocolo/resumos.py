"""
The daily rollups behind the supervision dashboard's figures over a period (protocolo/models/
resumos.py, docs/desempenho.md). Summing 90 days of a large company's protocols reads a million
rows; summing their rollups reads a few thousand.

PostgreSQL keeps them, in the transaction that writes the protocol: an AFTER trigger on
protocolo_protocolo moves a protocol's share of a rollup (takes the old share out, puts the new one
in) only when a field that rollup reads changes, and one on protocolo_interacao moves a resolved
protocol to "reopened" when its first reopening entry is appended. The days are São Paulo's
(TIME_ZONE), as the dashboard's.

SQLite (the demo) has neither the triggers nor the rollups: the dashboard aggregates the protocols
there. `recalcular` rebuilds every row from the protocols, for the migration that creates them and
for data written with the triggers off (bench/semear.py copies with session_replication_role).
"""

import functools
import operator

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q

from .models import SEM_RESPOSTA_DEVIDA, AberturasDoDia, AvaliacoesDoDia, PrazosDoDia, ResolucoesDoDia, TipoInteracao

# Each rollup: the fields of its key, then its counts.
RESUMOS = {
    AberturasDoDia: (("dia",), ("n",)),
    PrazosDoDia: (("dia", "categoria_id", "responsavel_id"), ("total", "no_prazo")),
    ResolucoesDoDia: (("dia", "faixa"), ("n", "reabertos", "primeiro_contato")),
    AvaliacoesDoDia: (("dia", "avaliacao"), ("n",)),
}
TABELAS = tuple(modelo._meta.db_table for modelo in RESUMOS)


def _sql(texto):
    # The time zone is a literal in the functions: AT TIME ZONE with a constant is what lets the
    # planner treat the day as a plain expression of the row. The situações and the entry type
    # come from the models, as the installing migration saw them.
    return (
        texto.replace("{fuso}", settings.TIME_ZONE)
        .replace("{sem_resposta}", ", ".join(f"'{situacao}'" for situacao in SEM_RESPOSTA_DEVIDA))
        .replace("{reabertura}", f"'{TipoInteracao.REABERTURA}'")
        .replace("{tabelas}", ", ".join(TABELAS))
    )


FUNCOES = _sql(
    """
CREATE OR REPLACE FUNCTION protocolo_resumos_faixa(aberto timestamptz, resolvido timestamptz)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN d < 86400 THEN (floor(d / 60) * 60)::integer
        ELSE (floor(d / 3600) * 3600)::integer
    END
    FROM (SELECT greatest(0, extract(epoch FROM resolvido - aberto)) AS d) AS duracao
$$;

CREATE OR REPLACE FUNCTION protocolo_resumos_aberturas(p protocolo_protocolo, sinal integer)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO protocolo_aberturasdodia AS r (dia, n)
    VALUES ((p.aberto_em AT TIME ZONE '{fuso}')::date, sinal)
    ON CONFLICT (dia) DO UPDATE SET n = r.n + EXCLUDED.n
$$;

-- To be answered by a deadline: cancelled ones, calls closed without a demand and duplicates never were.
CREATE OR REPLACE FUNCTION protocolo_resumos_conta_prazo(p protocolo_protocolo)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT p.prazo IS NOT NULL AND p.duplicado_de_id IS NULL AND p.situacao NOT IN ({sem_resposta})
$$;

-- Answered (resolved) by the end of the deadline's day.
CREATE OR REPLACE FUNCTION protocolo_resumos_cumprido(p protocolo_protocolo)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce((p.resolvido_em AT TIME ZONE '{fuso}')::date <= p.prazo, false)
$$;

CREATE OR REPLACE FUNCTION protocolo_resumos_prazos(p protocolo_protocolo, sinal integer)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF protocolo_resumos_conta_prazo(p) THEN
        INSERT INTO protocolo_prazosdodia AS r (dia, categoria_id, responsavel_id, total, no_prazo)
        VALUES (
            p.prazo, p.categoria_id, p.responsavel_id, sinal,
            CASE WHEN protocolo_resumos_cumprido(p) THEN sinal ELSE 0 END
        )
        ON CONFLICT (dia, categoria_id, responsavel_id)
        DO UPDATE SET total = r.total + EXCLUDED.total, no_prazo = r.no_prazo + EXCLUDED.no_prazo;
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION protocolo_resumos_resolucoes(p protocolo_protocolo, sinal integer, reaberto boolean)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF p.resolvido_em IS NULL THEN
        RETURN;
    END IF;
    IF reaberto IS NULL THEN
        reaberto := EXISTS (SELECT 1 FROM protocolo_interacao WHERE protocolo_id = p.id AND tipo = {reabertura});
    END IF;
    INSERT INTO protocolo_resolucoesdodia AS r (dia, faixa, n, reabertos, primeiro_contato)
    VALUES (
        (p.resolvido_em AT TIME ZONE '{fuso}')::date,
        protocolo_resumos_faixa(p.aberto_em, p.resolvido_em),
        sinal,
        CASE WHEN reaberto THEN sinal ELSE 0 END,
        CASE WHEN NOT reaberto AND p.nivel = 1
             AND (p.aberto_em AT TIME ZONE '{fuso}')::date = (p.resolvido_em AT TIME ZONE '{fuso}')::date
             THEN sinal ELSE 0 END
    )
    ON CONFLICT (dia, faixa) DO UPDATE SET
        n = r.n + EXCLUDED.n,
        reabertos = r.reabertos + EXCLUDED.reabertos,
        primeiro_contato = r.primeiro_contato + EXCLUDED.primeiro_contato;
END
$$;

CREATE OR REPLACE FUNCTION protocolo_resumos_avaliacoes(p protocolo_protocolo, sinal integer)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF p.avaliacao IS NOT NULL AND p.encerrado_em IS NOT NULL THEN
        INSERT INTO protocolo_avaliacoesdodia AS r (dia, avaliacao, n)
        VALUES ((p.encerrado_em AT TIME ZONE '{fuso}')::date, p.avaliacao, sinal)
        ON CONFLICT (dia, avaliacao) DO UPDATE SET n = r.n + EXCLUDED.n;
    END IF;
END
$$;

-- A change moves only the rollups whose share of the protocol changed: moving an open protocol
-- between em atendimento and aguardando, or escalating it, touches none.
CREATE OR REPLACE FUNCTION protocolo_resumos_protocolo() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM protocolo_resumos_aberturas(NEW, 1);
        PERFORM protocolo_resumos_prazos(NEW, 1);
        PERFORM protocolo_resumos_resolucoes(NEW, 1, NULL);
        PERFORM protocolo_resumos_avaliacoes(NEW, 1);
        RETURN NULL;
    END IF;
    IF OLD.aberto_em IS DISTINCT FROM NEW.aberto_em THEN
        PERFORM protocolo_resumos_aberturas(OLD, -1);
        PERFORM protocolo_resumos_aberturas(NEW, 1);
    END IF;
    IF (OLD.prazo, OLD.categoria_id, OLD.responsavel_id, protocolo_resumos_conta_prazo(OLD),
        protocolo_resumos_cumprido(OLD))
       IS DISTINCT FROM
       (NEW.prazo, NEW.categoria_id, NEW.responsavel_id, protocolo_resumos_conta_prazo(NEW),
        protocolo_resumos_cumprido(NEW)) THEN
        PERFORM protocolo_resumos_prazos(OLD, -1);
        PERFORM protocolo_resumos_prazos(NEW, 1);
    END IF;
    IF (OLD.resolvido_em IS NOT NULL OR NEW.resolvido_em IS NOT NULL)
       AND (OLD.resolvido_em, OLD.aberto_em, OLD.nivel)
           IS DISTINCT FROM (NEW.resolvido_em, NEW.aberto_em, NEW.nivel) THEN
        PERFORM protocolo_resumos_resolucoes(OLD, -1, NULL);
        PERFORM protocolo_resumos_resolucoes(NEW, 1, NULL);
    END IF;
    IF (OLD.encerrado_em, OLD.avaliacao) IS DISTINCT FROM (NEW.encerrado_em, NEW.avaliacao) THEN
        PERFORM protocolo_resumos_avaliacoes(OLD, -1);
        PERFORM protocolo_resumos_avaliacoes(NEW, 1);
    END IF;
    RETURN NULL;
END
$$;

-- The first reopening of a protocol still marked resolved: its share was counted as not reopened.
CREATE OR REPLACE FUNCTION protocolo_resumos_reabertura() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    p protocolo_protocolo;
BEGIN
    SELECT * INTO p FROM protocolo_protocolo WHERE id = NEW.protocolo_id;
    IF p.resolvido_em IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM protocolo_interacao
        WHERE protocolo_id = NEW.protocolo_id AND tipo = {reabertura} AND id <> NEW.id
    ) THEN
        PERFORM protocolo_resumos_resolucoes(p, -1, false);
        PERFORM protocolo_resumos_resolucoes(p, 1, true);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER protocolo_resumos
AFTER INSERT OR UPDATE ON protocolo_protocolo
FOR EACH ROW EXECUTE FUNCTION protocolo_resumos_protocolo();

CREATE OR REPLACE TRIGGER protocolo_resumos_reabertura
AFTER INSERT ON protocolo_interacao
FOR EACH ROW WHEN (NEW.tipo = {reabertura}) EXECUTE FUNCTION protocolo_resumos_reabertura();
"""
)

REMOVER = """
DROP TRIGGER IF EXISTS protocolo_resumos ON protocolo_protocolo;
DROP TRIGGER IF EXISTS protocolo_resumos_reabertura ON protocolo_interacao;
DROP FUNCTION IF EXISTS protocolo_resumos_protocolo();
DROP FUNCTION IF EXISTS protocolo_resumos_reabertura();
DROP FUNCTION IF EXISTS protocolo_resumos_aberturas(protocolo_protocolo, integer);
DROP FUNCTION IF EXISTS protocolo_resumos_prazos(protocolo_protocolo, integer);
DROP FUNCTION IF EXISTS protocolo_resumos_resolucoes(protocolo_protocolo, integer, boolean);
DROP FUNCTION IF EXISTS protocolo_resumos_avaliacoes(protocolo_protocolo, integer);
DROP FUNCTION IF EXISTS protocolo_resumos_cumprido(protocolo_protocolo);
DROP FUNCTION IF EXISTS protocolo_resumos_conta_prazo(protocolo_protocolo);
DROP FUNCTION IF EXISTS protocolo_resumos_faixa(timestamptz, timestamptz);
"""

RECALCULAR = _sql(
    """
LOCK TABLE {tabelas} IN ACCESS EXCLUSIVE MODE;
TRUNCATE {tabelas};

INSERT INTO protocolo_aberturasdodia (dia, n)
SELECT (aberto_em AT TIME ZONE '{fuso}')::date, count(*) FROM protocolo_protocolo GROUP BY 1;

INSERT INTO protocolo_prazosdodia (dia, categoria_id, responsavel_id, total, no_prazo)
SELECT prazo, categoria_id, responsavel_id, count(*), count(*) FILTER (WHERE protocolo_resumos_cumprido(p))
FROM protocolo_protocolo p
WHERE protocolo_resumos_conta_prazo(p)
GROUP BY 1, 2, 3;

INSERT INTO protocolo_resolucoesdodia (dia, faixa, n, reabertos, primeiro_contato)
SELECT dia, faixa, count(*), count(*) FILTER (WHERE reaberto),
       count(*) FILTER (WHERE NOT reaberto AND nivel = 1 AND dia_aberto = dia)
FROM (
    SELECT (p.resolvido_em AT TIME ZONE '{fuso}')::date AS dia,
           protocolo_resumos_faixa(p.aberto_em, p.resolvido_em) AS faixa,
           (p.aberto_em AT TIME ZONE '{fuso}')::date AS dia_aberto,
           p.nivel,
           r.protocolo_id IS NOT NULL AS reaberto
    FROM protocolo_protocolo p
    LEFT JOIN (
        SELECT DISTINCT protocolo_id FROM protocolo_interacao WHERE tipo = {reabertura}
    ) r ON r.protocolo_id = p.id
    WHERE p.resolvido_em IS NOT NULL
) AS resolvidos
GROUP BY 1, 2;

INSERT INTO protocolo_avaliacoesdodia (dia, avaliacao, n)
SELECT (encerrado_em AT TIME ZONE '{fuso}')::date, avaliacao, count(*)
FROM protocolo_protocolo
WHERE avaliacao IS NOT NULL AND encerrado_em IS NOT NULL
GROUP BY 1, 2;
"""
)


def disponiveis(conexao=None):
    """Whether the dashboard reads the rollups: on PostgreSQL, where the triggers keep them."""
    return (conexao or connection).vendor == "postgresql"


def instalar(conexao):
    with conexao.cursor() as cursor:
        cursor.execute(FUNCOES)


def remover(conexao):
    with conexao.cursor() as cursor:
        cursor.execute(REMOVER)


def recalcular(conexao=None):
    """Rebuild every rollup row from the protocols, in one transaction. Writers wait on the lock
    and then apply their change on top of the rebuilt rows, so nothing is counted twice or lost."""
    conexao = conexao or connection
    with transaction.atomic(using=conexao.alias), conexao.cursor() as cursor:
        cursor.execute(RECALCULAR)


def linhas(conexao=None):
    """{(tabela, *chave): contagens} of every rollup row that counts something: what
    `manage.py recalcular_resumos --conferir` compares before and after a rebuild."""
    alias = (conexao or connection).alias
    resultado = {}
    for modelo, (chave, contagens) in RESUMOS.items():
        algum = functools.reduce(operator.or_, (~Q(**{contagem: 0}) for contagem in contagens))
        for linha in modelo.objects.using(alias).filter(algum).values_list(*chave, *contagens):
            resultado[(modelo._meta.db_table, *linha[: len(chave)])] = linha[len(chave) :]
    return resultado
