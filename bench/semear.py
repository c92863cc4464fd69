"""
Seeds the benchmark database: N protocols over about two years of days (ending today), each with
its timeline chained by the HMAC function the application uses (protocolo/integridade.py), the
consumers (valid CPFs, most with several protocols), the back-office users and the per-day sequence
counters, so the next opening of any seeded day continues its numbering without a gap.

Two worker processes generate the COPY text by blocks of days while this process streams it to
PostgreSQL, in the transaction that truncates the tables (so COPY FREEZE writes the rows already
frozen, with no VACUUM pass afterwards). The secondary indexes are dropped before and rebuilt after
on two connections at once, as a restore does. Run under the benchmark's production settings:

    python bench/semear.py --protocolos 1000000 --amostras bench/.dados/amostras.tsv
"""

import argparse
import datetime
import functools
import json
import multiprocessing
import os
import queue
import random
import sys
import threading
import time
import zoneinfo
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protocolo.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection  # noqa: E402
from tqdm import tqdm  # noqa: E402

from protocolo import dados_iniciais, integridade, numeracao, resumos  # noqa: E402
from protocolo.models import Categoria, mascarar_cpf  # noqa: E402

DIAS = 730
PROTOCOLOS_POR_CONSUMIDOR = 2.5
ATENDENTES = 40
SUPERVISORES = 4
TABELAS = ("protocolo_consumidor", "protocolo_contato", "protocolo_protocolo", "protocolo_interacao")
LOTE_DE_DIAS = 8
PROCESSOS = 2
MEMORIA_DOS_INDICES = "384MB"

NOMES = [
    "Ana",
    "Bruno",
    "Carla",
    "Daniel",
    "Eduarda",
    "Felipe",
    "Gabriela",
    "Heitor",
    "Isabela",
    "João",
    "Karina",
    "Lucas",
    "Mariana",
    "Nicolas",
    "Olívia",
    "Paulo",
    "Queila",
    "Rafael",
    "Sofia",
    "Thiago",
    "Úrsula",
    "Vinícius",
    "Wagner",
    "Ximena",
    "Yasmin",
    "Zeca",
    "Beatriz",
    "Caio",
    "Débora",
    "Enzo",
]
SOBRENOMES = [
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Rodrigues",
    "Ferreira",
    "Alves",
    "Pereira",
    "Lima",
    "Gomes",
    "Costa",
    "Ribeiro",
    "Martins",
    "Carvalho",
    "Almeida",
    "Lopes",
    "Soares",
    "Fernandes",
    "Vieira",
    "Barbosa",
    "Rocha",
    "Dias",
    "Nascimento",
    "Andrade",
    "Moreira",
    "Nunes",
    "Marques",
    "Machado",
]
OBJETOS = [
    "Cobrança em duplicidade na fatura deste mês.",
    "Pedido de cancelamento do plano contratado.",
    "Produto entregue com defeito, quero a troca.",
    "Não recebi o reembolso prometido no último atendimento.",
    "Gostaria de informações sobre o contrato e as tarifas.",
    "Serviço fora do ar há dois dias no meu endereço.",
    "Solicito cópia dos meus dados pessoais (LGPD).",
    "A entrega está atrasada e o rastreio não atualiza.",
]
RESPOSTAS = [
    "Verificamos o seu caso e encaminhamos à área responsável.",
    "Precisamos do número do pedido para seguir com a análise.",
    "O estorno foi solicitado e aparece na próxima fatura.",
    "O cancelamento foi efetuado sem custo.",
]
CANAIS = (["telefone"] * 45) + (["chat"] * 20) + (["email"] * 10) + (["whatsapp"] * 12) + (["presencial"] * 3)
CANAIS += ["portal"] * 10
FUSO = zoneinfo.ZoneInfo(settings.TIME_ZONE)
UTC = datetime.UTC
NULO = "\\N"
UM_SEGUNDO = datetime.timedelta(seconds=1)
_JSON = json.JSONEncoder(ensure_ascii=False).encode


@functools.cache
def cpf_de(indice):
    """A valid CPF, distinct for each index below 10⁹ (an affine map mod 10⁹ is a bijection)."""
    base = f"{(indice * 7919 + 104_729) % 10**9:09d}"
    if len(set(base)) == 1:
        return None
    digitos = [int(c) for c in base]
    for tamanho in (9, 10):
        soma = sum(d * p for d, p in zip(digitos, range(tamanho + 1, 1, -1), strict=True))
        digitos.append((soma * 10 % 11) % 10)
    return "".join(map(str, digitos))


def _ts(instante):
    return NULO if instante is None else instante.isoformat(timespec="microseconds")


def _ou_nulo(valor):
    return NULO if valor is None else valor


class Entrada:
    """One timeline entry: the attributes integridade.conteudo_canonico reads, nothing else."""

    __slots__ = (
        "autor_id",
        "chave_versao",
        "criada_em",
        "detalhes",
        "mac",
        "nivel_anterior",
        "nivel_novo",
        "ordem",
        "origem",
        "publica",
        "situacao_anterior",
        "situacao_nova",
        "texto",
        "tipo",
    )

    def __init__(self, tipo, origem, texto, autor_id, criada_em, anterior="", nova="", nivel=None, detalhes=None):
        self.tipo, self.origem, self.publica, self.texto = tipo, origem, True, texto
        self.autor_id, self.criada_em = autor_id, criada_em
        self.situacao_anterior, self.situacao_nova = anterior, nova
        self.nivel_anterior, self.nivel_novo = nivel if nivel else (None, None)
        self.detalhes = {} if detalhes is None else detalhes
        self.ordem, self.chave_versao, self.mac = 1, None, ""


class Semeador:
    """Everything one worker needs to generate a block of days, inherited by the forked workers."""

    def __init__(self, *, protocolos, consumidores, categorias, atendentes, hoje, agora, semente):
        self.protocolos = protocolos
        self.consumidores = consumidores
        self.categorias = categorias  # [(id, código, dias)]
        self.atendentes = atendentes
        self.hoje = hoje
        self.agora = agora
        self.limite = agora - UM_SEGUNDO
        self.semente = semente
        self.dias = [hoje - datetime.timedelta(days=DIAS - 1 - i) for i in range(DIAS)]
        # The key version the application signs new entries with.
        sonda = Entrada("abertura", "sistema", "", None, agora)
        integridade.selar(sonda, "0", "")
        self.chave_versao = sonda.chave_versao
        # Numbers as numeracao builds them; the check digits (ISO 7064 MOD 97-10) by arithmetic,
        # checked against the application's own once per day.
        self.formato = numeracao.formato_atual()
        sorteio = random.Random(semente)  # noqa: S311 (synthetic data)
        # Weekdays busier than weekends, a little noise: the share of each day, then exact counts.
        pesos = [(1.0 if d.weekday() < 5 else 0.45) * sorteio.uniform(0.8, 1.2) for d in self.dias]
        total = sum(pesos)
        contagens = [int(protocolos * p / total) for p in pesos]
        for i in sorteio.sample(range(DIAS), protocolos - sum(contagens)):
            contagens[i] += 1
        self.contagens = contagens
        self.primeiro_id = [0] * DIAS
        acumulado = 0
        for i, n in enumerate(contagens):
            self.primeiro_id[i] = acumulado + 1
            acumulado += n

    def tarefas(self):
        """Blocks of days, each with a slice of the consumers, for the pool."""
        blocos = [list(range(i, min(i + LOTE_DE_DIAS, DIAS))) for i in range(0, DIAS, LOTE_DE_DIAS)]
        fatia = -(-self.consumidores // len(blocos))
        return [(dias, 1 + i * fatia, min(self.consumidores, (i + 1) * fatia) + 1) for i, dias in enumerate(blocos)]

    def gerar(self, tarefa):
        """(consumer, contact, protocol and interaction rows) as COPY bytes, [(day, count)], interactions."""
        indices_dos_dias, primeiro_consumidor, fim_dos_consumidores = tarefa
        sorteio = random.Random(self.semente * 1_000_003 + indices_dos_dias[0])  # noqa: S311 (synthetic data)
        consumidores, contatos = self._consumidores(sorteio, primeiro_consumidor, fim_dos_consumidores)
        protocolos, interacoes, contadores = [], [], []
        for indice in indices_dos_dias:
            dia, quantos = self.dias[indice], self.contagens[indice]
            contadores.append((dia, quantos))
            if not quantos:
                continue
            inicio = datetime.datetime.combine(dia, datetime.time(7, 0), FUSO).astimezone(UTC)
            janela = 14 * 3600
            if dia == self.hoje:
                janela = max(60, min(janela, (self.agora - inicio).total_seconds() - 60))
                if (self.agora - inicio).total_seconds() < 120:
                    inicio = self.agora - datetime.timedelta(seconds=janela + 60)
            segundos = sorted(sorteio.uniform(0, janela) for _ in range(quantos))
            idade = (self.hoje - dia).days
            prefixo = f"{self.formato.prefixo}{dia:%Y%m%d}"
            largura = self.formato.digitos_sequencia
            pk = self.primeiro_id[indice]
            for sequencia, deslocamento in enumerate(segundos, start=1):
                numero = f"{prefixo}{sequencia:0{largura}d}"
                if self.formato.verificadores:
                    numero += f"{98 - int(numero) * 100 % 97:02d}"
                if sequencia == 1 and numero != self.formato.montar(dia, 1):
                    raise AssertionError(f"{numero} difere de numeracao: {self.formato.montar(dia, 1)}")
                aberto_em = inicio + datetime.timedelta(seconds=deslocamento)
                self._protocolo(sorteio, pk, numero, dia, aberto_em, idade, protocolos, interacoes)
                pk += 1
        return (
            "".join(consumidores).encode(),
            "".join(contatos).encode(),
            "".join(protocolos).encode(),
            "".join(interacoes).encode(),
            contadores,
            len(interacoes),
        )

    def _consumidores(self, sorteio, primeiro, fim):
        """The consumers and their contacts: an e-mail for most and a telephone for each, bound to
        the consumer after an identity check (docs/seguranca.md, "Contatos"), stored normalised."""
        criado = _ts(self.agora - datetime.timedelta(days=DIAS + 1))
        linhas, contatos = [], []
        for pk in range(primeiro, fim):
            nome = f"{sorteio.choice(NOMES)} {sorteio.choice(SOBRENOMES)} {sorteio.choice(SOBRENOMES)}"
            linhas.append(f"{pk}\t{_ou_nulo(cpf_de(pk))}\t{nome}\t{criado}\t{NULO}\tf\t\n")
            telefone = f"119{sorteio.randint(1000, 9999)}{sorteio.randint(1000, 9999)}"
            valores = [("telefone", telefone)]
            if sorteio.random() < 0.85:
                valores.append(("email", f"cliente{pk}@exemplo.com.br"))
            for tipo, valor in valores:
                contatos.append(
                    f"{tipo}\t{valor}\t{pk}\tatendimento\t{criado}\t{criado}\tdocumento_presencial\t{criado}\n"
                )
        return linhas, contatos

    def _situacao(self, sorteio, idade):
        r = sorteio.random()
        if idade <= 1:
            return "aberto" if r < 0.45 else "em_atendimento" if r < 0.8 else "aguardando_consumidor"
        if idade <= 20:
            pendente = 0.5 * (1 - idade / 25)
            if r < pendente:
                return sorteio.choice(["aberto", "em_atendimento", "em_atendimento", "aguardando_consumidor"])
            return "resolvido" if r < pendente + 0.35 else "encerrado" if r < 0.96 else "cancelado"
        if r < 0.004:
            return sorteio.choice(["aberto", "em_atendimento", "aguardando_consumidor"])
        return "encerrado" if r < 0.95 else "cancelado"

    def _protocolo(self, sorteio, pk, numero, dia, aberto_em, idade, protocolos, interacoes):
        canal = sorteio.choice(CANAIS)
        categoria_id, categoria_codigo, prazo_dias = sorteio.choice(self.categorias)
        consumidor_id = None if sorteio.random() < 0.05 else 1 + int(self.consumidores * sorteio.random() ** 1.6)
        cpf = cpf_de(consumidor_id) if consumidor_id else None
        objeto = sorteio.choice(OBJETOS)
        situacao = self._situacao(sorteio, idade)
        r = sorteio.random()
        nivel = 3 if r < 0.03 else 2 if r < 0.13 else 1
        responsavel = None if situacao == "aberto" and sorteio.random() < 0.7 else sorteio.choice(self.atendentes)
        prazo = dia + datetime.timedelta(days=prazo_dias)
        atendente = responsavel or sorteio.choice(self.atendentes)
        limite = self.limite
        instante = aberto_em

        def depois(minutos_max):
            nonlocal instante
            proximo = instante + datetime.timedelta(seconds=sorteio.uniform(30, minutos_max * 60))
            instante = max(aberto_em, min(proximo, limite))
            return instante

        detalhes = {
            "canal": canal,
            "categoria": categoria_codigo,
            "prazo": prazo.isoformat(),
            "cpf": mascarar_cpf(cpf) if cpf else None,
        }
        if canal == "portal":
            entradas = [Entrada("abertura", "consumidor", objeto, None, aberto_em, "", "aberto", (None, 1), detalhes)]
        else:
            entradas = [
                Entrada("abertura", "atendente", objeto, atendente, aberto_em, "", "aberto", (None, 1), detalhes)
            ]
        anterior = "aberto"
        consumidor_escreveu = atendente_escreveu = resolvido_em = encerrado_em = avaliacao = None
        janela = max(2, min(idade, 6) * 24 * 60 // 3)

        if situacao in ("em_atendimento", "aguardando_consumidor"):
            entradas.append(Entrada("situacao", "atendente", "", atendente, depois(janela), anterior, "em_atendimento"))
            anterior = "em_atendimento"
        for n in range(1, nivel):
            entradas.append(
                Entrada(
                    "escalonamento",
                    "atendente",
                    "Encaminhado à supervisão para análise.",
                    atendente,
                    depois(janela),
                    nivel=(n, n + 1),
                )
            )
        if situacao == "aguardando_consumidor" or (situacao in ("resolvido", "encerrado") and sorteio.random() < 0.12):
            atendente_escreveu = depois(janela)
            entradas.append(Entrada("mensagem", "atendente", sorteio.choice(RESPOSTAS), atendente, atendente_escreveu))
        if situacao == "aguardando_consumidor":
            entradas.append(Entrada("situacao", "atendente", "", atendente, depois(janela), anterior, situacao))
        if situacao in ("aberto", "em_atendimento") and sorteio.random() < 0.3:
            consumidor_escreveu = depois(janela)
            entradas.append(
                Entrada(
                    "mensagem_consumidor",
                    "consumidor",
                    "Alguma novidade sobre o meu pedido?",
                    None,
                    consumidor_escreveu,
                )
            )
        if situacao in ("resolvido", "encerrado"):
            resolvido_em = atendente_escreveu = depois(janela)
            entradas.append(
                Entrada(
                    "resolucao", "atendente", sorteio.choice(RESPOSTAS), atendente, resolvido_em, anterior, "resolvido"
                )
            )
            anterior = "resolvido"
        if situacao == "encerrado":
            avaliacao = sorteio.randint(1, 5) if sorteio.random() < 0.4 else None
            encerrado_em = depois(20 * 24 * 60)
            entradas.append(
                Entrada(
                    "encerramento",
                    "consumidor" if avaliacao else "sistema",
                    "",
                    None,
                    encerrado_em,
                    anterior,
                    "encerrado",
                    detalhes={"avaliacao": avaliacao} if avaliacao else None,
                )
            )
        if situacao == "cancelado":
            encerrado_em = depois(janela)
            entradas.append(
                Entrada(
                    "cancelamento",
                    "atendente",
                    "Cancelado a pedido do consumidor.",
                    atendente,
                    encerrado_em,
                    anterior,
                    "cancelado",
                )
            )

        versao, mac = self.chave_versao, ""
        for ordem, e in enumerate(entradas, start=1):
            e.ordem, e.chave_versao = ordem, versao
            mac = integridade.calcular_mac(e, numero, mac)
            detalhes = _JSON(e.detalhes) if e.detalhes else "{}"
            interacoes.append(
                f"{pk}\t{ordem}\t{e.tipo}\t{e.origem}\tt\t{e.texto}\t{_ou_nulo(e.autor_id)}\t{_ts(e.criada_em)}\t"
                f"{e.situacao_anterior}\t{e.situacao_nova}\t{_ou_nulo(e.nivel_anterior)}\t{_ou_nulo(e.nivel_novo)}\t"
                f"{detalhes}\t{versao}\t{mac}\n"
            )
        pendente = situacao not in ("resolvido", "encerrado", "cancelado")
        escalado = prazo if pendente and nivel > 1 and prazo < self.hoje else None
        protocolos.append(
            f"{pk}\t{numero}\t{canal}\t{objeto}\t{situacao}\t{nivel}\t{_ts(aberto_em)}\t{prazo}\t"
            f"{_ts(resolvido_em)}\t{_ts(encerrado_em)}\t{_ou_nulo(escalado)}\t{_ou_nulo(avaliacao)}\t"
            f"{_ts(consumidor_escreveu)}\t{_ts(atendente_escreveu)}\t{len(entradas)}\t{categoria_id}\t"
            f"{_ou_nulo(consumidor_id)}\t{_ou_nulo(responsavel)}\n"
        )


_semeador = None


def _gerar(tarefa):
    return _semeador.gerar(tarefa)


def _usuarios():
    atendentes = Group.objects.get(name=dados_iniciais.ATENDENTES)
    supervisores = Group.objects.get(name=dados_iniciais.SUPERVISORES)
    ids = []
    for i in range(1, ATENDENTES + 1):
        usuario = User(username=f"atendente{i:02d}", first_name="Atendente", last_name=f"{i:02d}")
        usuario.set_unusable_password()
        usuario.save()
        usuario.groups.add(atendentes)
        ids.append(usuario.pk)
    for i in range(1, SUPERVISORES + 1):
        usuario = User(username=f"supervisor{i}", first_name="Supervisor", last_name=str(i), is_staff=True)
        usuario.set_unusable_password()
        usuario.save()
        usuario.groups.add(supervisores)
    return ids


def _indices_secundarios(cursor):
    """CREATE INDEX statements of the plain (not constraint) indexes of the seeded tables."""
    cursor.execute(
        """
        SELECT i.indexname, i.tablename, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """,
        [list(TABELAS)],
    )
    return cursor.fetchall()


COPIAS = {
    "consumidores": "COPY protocolo_consumidor (id, cpf, nome, criado_em, anonimizado_em, "
    "retencao_suspensa, motivo_retencao) FROM STDIN (FREEZE)",
    "contatos": "COPY protocolo_contato (tipo, valor, consumidor_id, origem, confirmado_em, vinculado_em, "
    "verificacao, criado_em) FROM STDIN (FREEZE)",
    "protocolos": "COPY protocolo_protocolo (id, numero, canal, objeto, situacao, nivel, aberto_em, prazo, "
    "resolvido_em, encerrado_em, escalado_no_prazo, avaliacao, consumidor_escreveu_em, atendente_escreveu_em, "
    "versao, categoria_id, consumidor_id, responsavel_id) FROM STDIN (FREEZE)",
    "interacoes": "COPY protocolo_interacao (protocolo_id, ordem, tipo, origem, publica, texto, autor_id, criada_em, "
    "situacao_anterior, situacao_nova, nivel_anterior, nivel_novo, detalhes, chave_versao, mac) FROM STDIN (FREEZE)",
}


def _em_paralelo(comandos, descricao):
    """Run the statements on PROCESSOS connections at once (each thread opens its own), in order."""
    fila = queue.SimpleQueue()
    for comando in comandos:
        fila.put(comando)
    barra = tqdm(total=len(comandos), unit=" comandos", desc=descricao, file=sys.stderr)
    erros = []

    def trabalhar():
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"SET maintenance_work_mem = '{MEMORIA_DOS_INDICES}'")
                # Two sessions already keep both cores busy; parallel workers would only queue.
                cursor.execute("SET max_parallel_maintenance_workers = 0")
                while True:
                    try:
                        comando = fila.get_nowait()
                    except queue.Empty:
                        return
                    cursor.execute(comando)
                    barra.update()
        except Exception as erro:
            erros.append(erro)
        finally:
            connection.close()

    linhas = [threading.Thread(target=trabalhar) for _ in range(PROCESSOS)]
    for linha in linhas:
        linha.start()
    for linha in linhas:
        linha.join()
    barra.close()
    if erros:
        raise erros[0]


def main():
    global _semeador
    parser = argparse.ArgumentParser()
    parser.add_argument("--protocolos", type=int, required=True)
    parser.add_argument("--amostras", required=True, help="TSV de número e CPF sorteados, para a carga")
    parser.add_argument("--quantas-amostras", type=int, default=20_000)
    parser.add_argument("--semente", type=int, default=2026)
    args = parser.parse_args()

    inicio = time.monotonic()
    # The machine is shared: what else was running before this seeding started, and at its end.
    carga_antes = os.getloadavg()[0]
    agora = datetime.datetime.now(UTC)
    hoje = agora.astimezone(FUSO).date()
    consumidores = max(1, int(args.protocolos / PROTOCOLOS_POR_CONSUMIDOR))
    atendentes = _usuarios()
    categorias = [(c.pk, c.codigo, c.prazo_dias) for c in Categoria.objects.order_by("pk")]
    _semeador = Semeador(
        protocolos=args.protocolos,
        consumidores=consumidores,
        categorias=categorias,
        atendentes=atendentes,
        hoje=hoje,
        agora=agora,
        semente=args.semente,
    )

    # The workers are forked with no database connection open: none of them may share its socket.
    connection.close()
    pool = multiprocessing.get_context("fork").Pool(PROCESSOS)
    tarefas = pool.imap_unordered(_gerar, _semeador.tarefas())
    connection.ensure_connection()
    conexao = connection.connection
    etapas = {}
    with pool, conexao.cursor() as cursor:
        # One transaction that empties the tables first, so COPY may write the rows already frozen.
        # Consistent by construction: the foreign keys' per-row triggers are skipped, and the
        # secondary indexes are built once at the end.
        conexao.autocommit = False
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET session_replication_role = replica")
        indices = _indices_secundarios(cursor)
        for nome, _, _ in indices:
            cursor.execute(f'DROP INDEX "{nome}"')
        cursor.execute(f"TRUNCATE {', '.join(TABELAS)} CASCADE")

        barra = tqdm(total=args.protocolos, unit=" protocolos", unit_scale=True, desc="Semeando", file=sys.stderr)
        total_interacoes = 0
        contadores = []
        for *dados, do_bloco, quantas in tarefas:
            for comando, bloco in zip(COPIAS.values(), dados, strict=True):
                if bloco:
                    with cursor.copy(comando) as copia:
                        copia.write(bloco)
            contadores.extend(do_bloco)
            total_interacoes += quantas
            barra.update(sum(n for _, n in do_bloco))
        barra.close()
        etapas["linhas"] = time.monotonic() - inicio

        with cursor.copy("COPY sequences_sequence (name, last) FROM STDIN") as copia:
            for dia, quantos in sorted(contadores):
                if quantos:
                    copia.write(f"{numeracao.nome_da_sequencia(dia)}\t{quantos}\n")
        for tabela in TABELAS:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{tabela}', 'id'), (SELECT max(id) FROM {tabela}))"  # noqa: S608
            )
        cursor.execute("SET session_replication_role = DEFAULT")
        conexao.commit()
        conexao.autocommit = True
    connection.close()

    # The biggest indexes first, so the two sessions finish together; statistics last.
    ordem = {"protocolo_interacao": 0, "protocolo_protocolo": 1, "protocolo_consumidor": 2, "protocolo_contato": 3}
    definicoes = [definicao for _, _, definicao in sorted(indices, key=lambda i: ordem[i[1]])]
    _em_paralelo([*definicoes, *(f"ANALYZE {t}" for t in (*TABELAS, "sequences_sequence"))], "Índices")
    etapas["indices_e_estatisticas"] = time.monotonic() - inicio - etapas["linhas"]
    # The copy skipped the triggers that keep the dashboard's daily rollups: one pass builds them.
    resumos.recalcular()
    with connection.cursor() as cursor:
        for tabela in resumos.TABELAS:
            cursor.execute(f"ANALYZE {tabela}")
    duracao = time.monotonic() - inicio
    etapas["resumos"] = duracao - etapas["linhas"] - etapas["indices_e_estatisticas"]

    # Pairs for the lookup load: protocols with a consumer whose CPF is on file.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.numero, c.cpf FROM protocolo_protocolo p JOIN protocolo_consumidor c ON c.id = p.consumidor_id
            WHERE c.cpf IS NOT NULL AND p.id %% %s = 0 LIMIT %s
            """,
            [max(1, args.protocolos // args.quantas_amostras), args.quantas_amostras],
        )
        with open(args.amostras, "w") as saida:
            for numero, cpf in cursor.fetchall():
                saida.write(f"{numero}\t{cpf}\n")

    resumo = {
        "protocolos": args.protocolos,
        "interacoes": total_interacoes,
        "consumidores": consumidores,
        "dias": DIAS,
        "segundos": round(duracao, 1),
        "etapas": {nome: round(segundos, 1) for nome, segundos in etapas.items()},
        "carga_media_antes": round(carga_antes, 2),
        "carga_media": round(os.getloadavg()[0], 2),
    }
    print("SEMEADURA " + json.dumps(resumo))


if __name__ == "__main__":
    main()
