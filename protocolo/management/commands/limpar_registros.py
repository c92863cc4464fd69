import argparse
import datetime
from importlib import import_module

from axes.helpers import get_cool_off
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.sessions.models import Session

from protocolo import relogio
from protocolo.models import Mensagem

from ._tarefas import ComandoPeriodico

LOTE = 5000
SESSOES_NO_BANCO = (
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
    "protocolo.operacao.sessoes",
)


def _dias(valor):
    try:
        dias = int(valor)
    except ValueError:
        dias = -1
    if dias < 0:
        raise argparse.ArgumentTypeError(f"informe um número inteiro de 0 ou mais dias (recebido: {valor}).")
    return dias


class Command(ComandoPeriodico):
    help = (
        "Faxina que um servidor em produção precisa: sessões expiradas, tentativas de login cujo "
        "bloqueio já terminou e registros antigos de login (django-axes), e mensagens já entregues da "
        "caixa de saída depois de um prazo. Nunca toca protocolos, históricos nem acessos a dados "
        "pessoais. Rode pelo cron (diariamente)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--dias-mensagens",
            type=_dias,
            default=90,
            help="Apaga as mensagens entregues há mais que estes dias (padrão 90).",
        )
        parser.add_argument(
            "--dias-logins",
            type=_dias,
            default=90,
            help="Apaga os registros de login e de falhas de login mais antigos que estes dias (padrão 90).",
        )

    def handle(self, *args, dry_run=False, dias_mensagens, dias_logins, **options):
        agora = relogio.agora()
        # django-axes' own reading of AXES_COOLOFF_TIME (hours, timedelta, callable or dotted path);
        # None means a lockout lasts until someone resets it, so no attempt is ever past its use.
        espera = get_cool_off()
        tentativas = AccessAttempt.objects.none() if espera is None else AccessAttempt.objects.all()
        alvos = [
            (
                "mensagens entregues",
                Mensagem.objects.filter(enviada_em__lt=agora - datetime.timedelta(days=dias_mensagens)),
            ),
            (
                "tentativas de login com bloqueio vencido",
                tentativas.filter(attempt_time__lt=agora - (espera or datetime.timedelta(0))),
            ),
            (
                "registros de login",
                AccessLog.objects.filter(attempt_time__lt=agora - datetime.timedelta(days=dias_logins)),
            ),
            (
                "registros de falha de login",
                AccessFailureLog.objects.filter(attempt_time__lt=agora - datetime.timedelta(days=dias_logins)),
            ),
        ]
        if settings.SESSION_ENGINE in SESSOES_NO_BANCO:
            alvos.insert(0, ("sessões expiradas", Session.objects.filter(expire_date__lt=agora)))
        elif not dry_run:
            # Cache or cookie sessions expire by themselves; the engine knows what else to do.
            import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()

        for rotulo, queryset in alvos:
            total = queryset.count()
            if dry_run:
                self.stdout.write(f"Simulação: apagaria {total} {rotulo}.")
                continue
            self.stdout.write(f"{self._apagar(queryset, total, rotulo, options)} {rotulo} apagado(s).")
        if dry_run:
            self.stdout.write("Nada foi alterado.")

    def _apagar(self, queryset, total, rotulo, options):
        """In batches of primary keys: short transactions, never one lock over a whole table."""
        progresso = self.progresso(total, rotulo, options)
        apagados = 0
        modelo = queryset.model
        while lote := list(queryset.values_list("pk", flat=True)[:LOTE]):
            apagados += modelo._base_manager.filter(pk__in=lote).delete()[1].get(modelo._meta.label, 0)
            progresso.avancar(len(lote))
        progresso.fim()
        return apagados
