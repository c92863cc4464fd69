"""
SMS and WhatsApp messages per second (docs/desempenho.md): N pending SMS, then N pending WhatsApp
messages in the outbox, each batch drained by `outbox.entregar_pendentes` (the function `manage.py
enviar_mensagens` runs) to fake providers on loopback that answer as Twilio's Messages API and
Meta's Cloud API do: the tests' fakes (tests/sms/provedores.py, tests/whatsapp/provedores.py),
which need no pytest, run in a process of their own so that the CPU a message costs splits into
the deliverer's and the provider's (process CPU time, user and system). The WhatsApp messages
carry a template and no consumer wrote in 24 hours, so each one reads the window and goes as its
template, as the messages the company starts do. Prints one line "MENSAGERIA {json}" for
bench/executar.py.

Runs against the database of DATABASE_URL (the bench's seeded one, or any migrated database:
`DEBUG=1 DATABASE_URL=… .venv/bin/python bench/mensageria.py --mensagens 200`). Other messages due in
that outbox go out in the same rounds, through MAILER_URL: they are counted apart ("outras").
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))


def _cpu():
    uso = resource.getrusage(resource.RUSAGE_SELF)
    return uso.ru_utime + uso.ru_stime


def provedores():
    """The fake providers' process: prints their ports, then, for each line read, its CPU seconds
    so far and what each provider took; ends when its input closes."""
    from tests.sms import provedores as sms
    from tests.whatsapp import provedores as whatsapp

    with sms.twilio() as twilio, whatsapp.Meta() as meta:
        print(json.dumps({"twilio": twilio.porta, "meta": meta.porta}), flush=True)
        for _ in sys.stdin:
            figuras = {"cpu": _cpu(), "twilio": len(twilio.recebidas), "meta": len(meta.recebidas)}
            print(json.dumps(figuras), flush=True)


class Provedores:
    def __init__(self):
        self.processo = subprocess.Popen(  # noqa: S603  # nosec B603
            [sys.executable, __file__, "--provedores"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.portas = json.loads(self.processo.stdout.readline())

    def figuras(self):
        self.processo.stdin.write("\n")
        self.processo.stdin.flush()
        return json.loads(self.processo.stdout.readline())

    def parar(self):
        self.processo.stdin.close()
        self.processo.wait(timeout=10)


def medir(canal, quantas, servidor):
    """Seed `quantas` due messages of the channel, drain the outbox, and the figures."""
    from django.core.mail import make_msgid

    from protocolo import outbox, relogio
    from protocolo.models import Mensagem

    dominio = f"bench-mensageria-{canal}-{time.time_ns()}"
    agora = relogio.agora()
    Mensagem.objects.bulk_create(
        [
            Mensagem(
                canal=canal,
                destinatario=f"+55119{i:08d}",
                assunto="Número do protocolo",
                corpo=f"Empresa: seu protocolo é 2026.{i:07d}-00. Guarde-o para acompanhar o atendimento.",
                modelo="protocolo_numero" if canal == Mensagem.Canal.WHATSAPP else "",
                parametros=[f"2026.{i:07d}-00"] if canal == Mensagem.Canal.WHATSAPP else [],
                message_id=make_msgid(domain=dominio),
                proxima_tentativa_em=agora,
            )
            for i in range(quantas)
        ],
        batch_size=1000,
    )
    antes = servidor.figuras()
    cpu, inicio = time.process_time(), time.monotonic()
    enviadas = falhas = desistidas = 0
    while True:
        rodada = outbox.entregar_pendentes(limite=quantas)
        enviadas, falhas, desistidas = (
            enviadas + rodada.enviadas,
            falhas + rodada.falhas,
            desistidas + rodada.desistidas,
        )
        if not rodada.enviadas or rodada.servidor_indisponivel:
            break
    segundos = time.monotonic() - inicio
    cpu_entregador = time.process_time() - cpu
    depois = servidor.figuras()
    nossas = Mensagem.objects.filter(message_id__endswith=f"@{dominio}>", enviada_em__isnull=False).count()
    provedor = "twilio" if canal == Mensagem.Canal.SMS else "meta"
    return {
        "mensagens": quantas,
        "entregues": nossas,
        "outras": enviadas - nossas,
        "falhas": falhas,
        "desistidas": desistidas,
        "recebidas": depois[provedor] - antes[provedor],
        "segundos": round(segundos, 2),
        "por_segundo": round(nossas / segundos, 1) if segundos else None,
        "cpu_entregador_ms": round(1000 * cpu_entregador / max(enviadas, 1), 2),
        "cpu_provedor_ms": round(1000 * (depois["cpu"] - antes["cpu"]) / max(enviadas, 1), 2),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mensagens", type=int, default=1000, help="Quantos SMS e quantas mensagens de WhatsApp.")
    parser.add_argument("--provedores", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.provedores:
        provedores()
        return

    servidor = Provedores()
    try:
        # Read by the settings at start: the fakes listen on loopback, over plain http.
        from tests.sms.provedores import SID
        from tests.sms.provedores import TOKEN as TOKEN_TWILIO
        from tests.whatsapp.provedores import NUMERO_ID, TOKEN, VERSAO

        os.environ["SMS_URL"] = (
            f"twilio://{SID}:{TOKEN_TWILIO}@127.0.0.1:{servidor.portas['twilio']}/"
            "?de=%2B5511900000000&inseguro=1&timeout=5"
        )

        os.environ["WHATSAPP_URL"] = (
            f"meta://{TOKEN}@127.0.0.1:{servidor.portas['meta']}/{VERSAO}/{NUMERO_ID}?inseguro=1&timeout=5"
        )
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protocolo.settings")

        import logging

        import django

        django.setup()
        # twilio-python logs every request at INFO.
        logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
        from protocolo.models import Mensagem

        resultado = {
            "sms": medir(Mensagem.Canal.SMS, args.mensagens, servidor),
            "whatsapp": medir(Mensagem.Canal.WHATSAPP, args.mensagens, servidor),
        }
    finally:
        servidor.parar()
    print("MENSAGERIA " + json.dumps(resultado), flush=True)


if __name__ == "__main__":
    main()
