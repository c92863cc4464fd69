import datetime
import os
import random
import secrets

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.br import cpf as stdnum_cpf

from protocolo import outbox, relogio, services
from protocolo.contas import segundo_fator
from protocolo.dados_iniciais import ATENDENTES, OUVIDORIA, SUPERVISORES, criar_grupos_e_categorias
from protocolo.models import Canal, Categoria, Contato, Protocolo, RespostaPronta, Situacao
from protocolo.services import respostas
from protocolo.validators import completar_cpf

NOMES = [
    "Ana Beatriz Souza",
    "Carlos Eduardo Lima",
    "Fernanda Oliveira",
    "João Pedro Santos",
    "Mariana Costa",
    "Rafael Almeida",
    "Juliana Pereira",
    "Lucas Rodrigues",
    "Patrícia Gomes",
    "Bruno Carvalho",
    "Camila Ribeiro",
    "Thiago Martins",
    "Larissa Ferreira",
    "Gustavo Barbosa",
    "Aline Rocha",
]


# Canned answers (respostas prontas) the supervisor keeps: (title, categoria code or None, text).
RESPOSTAS_PRONTAS = [
    (
        "Recebemos a sua demanda",
        None,
        "Olá, {nome}. Recebemos a sua demanda, protocolo {numero}, e vamos respondê-la até {prazo}. "
        "Se preferir, fale conosco pelo {telefone_empresa}.",
    ),
    (
        "Pedido de documentos",
        None,
        "Olá, {nome}. Para seguir com o protocolo {numero}, responda a esta mensagem com a fatura em que "
        "aparece a cobrança.",
    ),
    (
        "Reclamação em análise",
        "reclamacao",
        "Olá, {nome}. A sua reclamação (protocolo {numero}) está com a equipe responsável; a resposta sai até {prazo}.",
    ),
]


def _email(i, nome):
    primeiro = nome.split()[0].lower().replace("ã", "a").replace("í", "i").replace("ú", "u")
    return f"{primeiro}.{i}@exemplo.com.br"


EMAILS = [_email(i, nome) for i, nome in enumerate(NOMES)]

DEMANDAS = {
    "reclamacao": [
        "A internet cai todas as noites entre 20h e 23h desde o dia 3.",
        "O produto chegou com a tela trincada e a transportadora não aceitou a devolução.",
        "Fui atendido com grosseria na loja do shopping e quero registrar a reclamação.",
    ],
    "cobranca": [
        "Cobrança de R$ 49,90 de um serviço que eu nunca contratei na fatura de outubro.",
        "Paguei o boleto no dia do vencimento e recebi cobrança de juros.",
    ],
    "cancelamento": ["Quero cancelar o plano de TV a partir de hoje."],
    "informacao": ["Quais documentos preciso para transferir a titularidade da linha?"],
    "suporte-tecnico": ["O modem fica com a luz vermelha piscando depois da atualização."],
    "lgpd": ["Quero saber quais dados pessoais meus a empresa guarda e com quem compartilha."],
}


class Command(BaseCommand):
    help = (
        "Cria dados de demonstração realistas (idempotente) e os usuários 'atendente', 'supervisor' e "
        "'ouvidoria'; "
        "a senha vem de DEMO_PASSWORD ou é gerada e impressa."
    )

    def handle(self, *args, **options):
        criar_grupos_e_categorias(apps)
        senha = os.environ.get("DEMO_PASSWORD") or secrets.token_urlsafe(9)
        atendente = self._usuario("atendente", "Alice", "Atendente", ATENDENTES, senha)
        supervisor = self._usuario("supervisor", "Sérgio", "Supervisor", SUPERVISORES, senha, staff=True)
        ouvidoria = self._usuario("ouvidoria", "Olívia", "Ouvidora", OUVIDORIA, senha)
        # The admin and a supervisor's powers ask for a second factor (and the whole back-office
        # where PROTOCOLO_SEGUNDO_FATOR_ATENDENTES is on): the demo users' authenticator keys are printed.
        verificados = [
            ("supervisor", "admin e ações de supervisão", supervisor),
            ("ouvidoria", "atribuições no nível 3", ouvidoria),
        ]
        if segundo_fator.exigido_de_todos():
            verificados.append(("atendente", "toda a retaguarda", atendente))
        dispositivos = [(nome, onde, self._dispositivo(usuario)) for nome, onde, usuario in verificados]

        # The demo's own consumers mark it as seeded: "@exemplo.com.br" alone is the placeholder
        # anyone types when trying the portal, and would make the demo silently skip itself.
        if Contato.objects.filter(valor__in=EMAILS).exists():
            self.stdout.write("Dados de demonstração já existem; nada novo foi criado.")
        else:
            with outbox.entrega_adiada(), transaction.atomic():
                self._popular(atendente, supervisor, ouvidoria)

        exemplo = (
            Protocolo.objects.filter(contatos__valor__in=EMAILS, situacao=Situacao.EM_ATENDIMENTO)
            .select_related("consumidor")
            .order_by("aberto_em")
            .first()
        )
        # The base the links in e-mails and receipts use: make run points it where runserver listens.
        url = settings.PROTOCOLO_URL_BASE
        self.stdout.write(self.style.SUCCESS(f"\nPortal de demonstração pronto: {url}"))
        self.stdout.write(f"  Atendimento (retaguarda): {url}/atendimento/  usuário: atendente  senha: {senha}")
        self.stdout.write(f"  Supervisão (admin):       {url}/admin/        usuário: supervisor senha: {senha}")
        self.stdout.write(f"  Ouvidoria (nível 3):      {url}/atendimento/  usuário: ouvidoria  senha: {senha}")
        for nome, onde, dispositivo in dispositivos:
            ativacao = segundo_fator.ativacao(dispositivo.user, dispositivo.key)
            self.stdout.write(
                f"  Verificação em duas etapas ({onde}) do {nome}: no aplicativo autenticador, a chave "
                f"{ativacao['chave']}\n    ou o endereço {ativacao['uri']}"
            )
        if exemplo:
            self.stdout.write(
                f"  Portal do consumidor: protocolo {exemplo.numero_formatado} com o CPF "
                f"{stdnum_cpf.format(exemplo.consumidor.cpf)}"
            )

    def _dispositivo(self, usuario):
        return segundo_fator.dispositivo_confirmado(usuario) or TOTPDevice.objects.create(
            user=usuario, name=segundo_fator.NOME_DO_DISPOSITIVO, confirmed=True
        )

    def _usuario(self, username, nome, sobrenome, grupo, senha, staff=False):
        usuario, _ = User.objects.get_or_create(
            username=username, defaults={"first_name": nome, "last_name": sobrenome}
        )
        usuario.is_staff = staff
        usuario.set_password(senha)
        usuario.save()
        usuario.groups.add(Group.objects.get(name=grupo))
        return usuario

    def _popular(self, atendente, supervisor, ouvidoria):
        # Seeded on purpose: the same demo data on every machine, never used for secrets.
        sorteio = random.Random(2026)  # nosec B311
        categorias = {c.codigo: c for c in Categoria.objects.all()}
        for titulo, codigo, texto in RESPOSTAS_PRONTAS:
            respostas.resposta_salvar(
                resposta=RespostaPronta(titulo=titulo, categoria=categorias.get(codigo), texto=texto), autor=supervisor
            )
        consumidores = []
        contatos = {}
        for nome, email in zip(NOMES, EMAILS, strict=True):
            base = f"{sorteio.randrange(10**8, 10**9):09d}"
            consumidor, _ = services.consumidor_identificar(cpf=completar_cpf(base), nome=nome)
            consumidores.append(consumidor)
            contatos[consumidor.pk] = (email, f"1198{sorteio.randrange(10**6, 10**7)}")

        agora = timezone.now()
        # (days ago, final situação, nível, categoria) for a realistic spread over the last month.
        roteiro = [
            (0, "aberto", 1, None),
            (0, "em_atendimento", 1, "reclamacao"),
            (1, "aguardando_consumidor", 1, "informacao"),
            (2, "em_atendimento", 1, "suporte-tecnico"),
            (3, "resolvido", 1, "cobranca"),
            (4, "em_atendimento", 2, "reclamacao"),
            (5, "resolvido", 1, "informacao"),
            (6, "encerrado", 1, "suporte-tecnico"),
            (9, "em_atendimento", 1, "reclamacao"),
            (10, "em_atendimento", 2, "cobranca"),
            (11, "aguardando_consumidor", 1, "reclamacao"),
            (12, "em_atendimento", 3, "reclamacao"),
            (14, "encerrado", 1, "cancelamento"),
            (15, "cancelado", 1, "informacao"),
            (16, "duplicado", 1, "cobranca"),
            (18, "encerrado", 2, "reclamacao"),
            (20, "em_atendimento", 1, "lgpd"),
            (22, "encerrado", 1, "cobranca"),
            (25, "resolvido", 1, "suporte-tecnico"),
            (28, "encerrado", 1, "informacao"),
            (1, "sem_demanda", 1, None),
        ]
        originais = []
        for n, (dias, destino, nivel, codigo) in enumerate(roteiro):
            inicio = agora - datetime.timedelta(days=dias, hours=sorteio.randrange(1, 8), minutes=sorteio.randrange(60))
            relogio_local = _Relogio(inicio, sorteio)
            consumidor = consumidores[n % len(consumidores)]
            canal = sorteio.choice(
                [Canal.TELEFONE, Canal.CHAT, Canal.EMAIL, Canal.WHATSAPP, Canal.PORTAL, Canal.PRESENCIAL]
            )
            with relogio.em(relogio_local.passo(0)):
                protocolo = services.protocolo_abrir(canal=canal, atendente=atendente)
            if destino == "aberto":
                continue
            if destino == "sem_demanda":
                with relogio.em(relogio_local.passo(1)):
                    services.protocolo_encerrar_sem_demanda(
                        protocolo=protocolo, motivo="A ligação caiu antes do relato.", autor=atendente
                    )
                continue
            with relogio.em(relogio_local.passo(2)):
                email, telefone = contatos[consumidor.pk]
                # What the attendant types serves this protocol; the first consumer's e-mail is
                # also bound, after the identity check, so the demo shows both kinds.
                protocolo, _, _ = services.protocolo_identificar_por_cpf(
                    protocolo=protocolo, cpf=consumidor.cpf, email=email, telefone=telefone, autor=atendente
                )
                if n == 1:
                    services.consumidor_vincular_contato(
                        consumidor=consumidor,
                        tipo=Contato.Tipo.EMAIL,
                        valor=email,
                        origem=Contato.Origem.ATENDIMENTO,
                        verificacao="documento_presencial",
                        autor=atendente,
                        protocolo=protocolo,
                    )
            with relogio.em(relogio_local.passo(3)):
                protocolo = services.protocolo_definir_categoria(
                    protocolo=protocolo, categoria=categorias[codigo], autor=atendente
                )
            with relogio.em(relogio_local.passo(4)):
                protocolo = services.protocolo_registrar_objeto(
                    protocolo=protocolo, objeto=sorteio.choice(DEMANDAS[codigo]), autor=atendente
                )
            if destino == "duplicado" and originais:
                with relogio.em(relogio_local.passo(5)):
                    services.protocolo_marcar_duplicado(protocolo=protocolo, original=originais[0], autor=atendente)
                continue
            originais.append(protocolo)
            with relogio.em(relogio_local.passo(6)):
                protocolo = services.protocolo_mudar_situacao(
                    protocolo=protocolo, situacao=Situacao.EM_ATENDIMENTO, autor=atendente
                )
            with relogio.em(relogio_local.passo(30)):
                services.protocolo_registrar_interacao(
                    protocolo=protocolo,
                    texto="Consumidor ligou de novo; orientado a aguardar a análise do financeiro.",
                    autor=atendente,
                )
            if dias >= 1:
                with relogio.em(relogio_local.passo(60 * 20)):
                    services.protocolo_registrar_interacao(
                        protocolo=protocolo,
                        texto="Estou aguardando um retorno. Alguma novidade?",
                        origem=services.Origem.CONSUMIDOR,
                    )
            for _ in range(nivel - 1):
                with relogio.em(relogio_local.passo(60 * 24)):
                    protocolo = services.protocolo_escalar(
                        protocolo=protocolo, motivo="Prazo próximo do fim sem solução no nível atual.", autor=supervisor
                    )
            # Past the first nível the case is the next team's (docs/dominio.md §5).
            quem = {1: atendente, 2: supervisor, 3: ouvidoria}[protocolo.nivel]
            if destino == "aguardando_consumidor":
                with relogio.em(relogio_local.passo(60 * 2)):
                    services.protocolo_registrar_interacao(
                        protocolo=protocolo,
                        texto="Precisamos de uma foto da nota fiscal para seguir com a análise.",
                        autor=quem,
                        publica=True,
                    )
                    services.protocolo_mudar_situacao(
                        protocolo=protocolo, situacao=Situacao.AGUARDANDO_CONSUMIDOR, autor=quem
                    )
            elif destino in ("resolvido", "encerrado"):
                with relogio.em(relogio_local.passo(60 * 24 * min(dias, 3))):
                    protocolo = services.protocolo_resolver(
                        protocolo=protocolo,
                        texto="Estornamos o valor na próxima fatura e ajustamos o cadastro.",
                        autor=quem,
                    )
                if destino == "encerrado":
                    with relogio.em(relogio_local.passo(60 * 24)):
                        services.protocolo_encerrar(
                            protocolo=protocolo,
                            origem=services.Origem.CONSUMIDOR,
                            avaliacao=sorteio.choice([3, 4, 5, 5]),
                            comentario="Resolveram, obrigado.",
                        )
            elif destino == "cancelado":
                with relogio.em(relogio_local.passo(60)):
                    services.protocolo_cancelar(
                        protocolo=protocolo, motivo="Aberto por engano durante um teste de linha.", autor=supervisor
                    )


class _Relogio:
    """Moments after a protocol's opening, never in the future."""

    def __init__(self, inicio, sorteio):
        self.instante = inicio
        self.sorteio = sorteio

    def passo(self, minutos):
        self.instante = min(
            self.instante + datetime.timedelta(minutes=minutos, seconds=self.sorteio.randrange(5, 50)),
            timezone.now(),
        )
        return self.instante
