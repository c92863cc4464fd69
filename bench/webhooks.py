"""
Webhook deliveries per second (docs/desempenho.md): a real HTTPS receiver on loopback, with a
certificate of a test authority (trustme), answers 204 to every POST; a subscription of an
integrated system to every event; N protocols opened through the service write their events in
their transactions; then `entregar_pendentes`, the function `manage.py entregar_webhooks` runs, drains
them, signing and sending each one on its own connection as in production. Prints one line
"WEBHOOKS {json}" for bench/executar.py.

Runs against the seeded database of the scale being measured (DATABASE_URL), on top of its
million protocols: the deliverer's queries read the same tables they do in production.
"""

import argparse
import json
import os
import ssl
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import trustme

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))


class Receptor(BaseHTTPRequestHandler):
    recebidos = 0
    trava = threading.Lock()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(204)
        self.end_headers()
        with Receptor.trava:
            Receptor.recebidos += 1

    def log_message(self, *args):
        pass


def receptor(autoridade):
    """An HTTPS server on a free loopback port, in a thread; (server, port)."""
    servidor = ThreadingHTTPServer(("127.0.0.1", 0), Receptor)
    contexto = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    autoridade.issue_cert("127.0.0.1").configure_cert(contexto)
    servidor.socket = contexto.wrap_socket(servidor.socket, server_side=True)
    threading.Thread(target=servidor.serve_forever, daemon=True).start()
    return servidor, servidor.server_address[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--eventos", type=int, default=2000)
    args = parser.parse_args()

    autoridade = trustme.CA()
    pem = Path(tempfile.mkdtemp()) / "ca.pem"
    autoridade.cert_pem.write_to_path(str(pem))
    servidor, porta = receptor(autoridade)
    # Read by the settings at start: the receiver is on loopback, which production refuses.
    os.environ["PROTOCOLO_WEBHOOKS_ENDERECOS_PERMITIDOS"] = "127.0.0.1"
    os.environ["PROTOCOLO_WEBHOOKS_CA"] = str(pem)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protocolo.settings")

    import django

    django.setup()
    from django.contrib.auth.models import User

    from protocolo import outbox, services
    from protocolo.models import AssinaturaWebhook, EntregaWebhook, EventoWebhook
    from protocolo.webhooks import entrega

    responsavel = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench-webhooks", password=None
    )
    sistema = services.sistema_criar(nome=f"Bench {time.time_ns()}", escopos=["webhooks"], responsavel=responsavel)
    assinatura = AssinaturaWebhook.objects.create(
        sistema=sistema, url=f"https://127.0.0.1:{porta}/", eventos=[e.value for e in EventoWebhook]
    )
    with outbox.entrega_adiada():
        for _ in range(args.eventos):
            services.protocolo_abrir(canal="telefone")
    pendentes = EntregaWebhook.objects.filter(assinatura=assinatura, entregue_em__isnull=True).count()

    inicio = time.monotonic()
    entregues = falhas = 0
    while entregues + falhas < pendentes:
        rodada = entrega.entregar_pendentes(limite=pendentes)
        entregues, falhas = entregues + rodada.entregues, falhas + rodada.falhas
        if not rodada.entregues and not rodada.falhas:
            break
    segundos = time.monotonic() - inicio
    servidor.shutdown()
    AssinaturaWebhook.objects.filter(pk=assinatura.pk).update(ativa=False)
    resultado = {
        "eventos": pendentes,
        "entregues": entregues,
        "falhas": falhas,
        "recebidos": Receptor.recebidos,
        "segundos": round(segundos, 2),
        "por_segundo": round(entregues / segundos, 1) if segundos else None,
    }
    print("WEBHOOKS " + json.dumps(resultado), flush=True)


if __name__ == "__main__":
    main()
