"""
Inbound WhatsApp messages per second (docs/desempenho.md): the Django application served in this
process on a loopback port, and clients posting Meta's notifications to /integracoes/whatsapp/meta/,
each signed with X-Hub-Signature-256 as Meta signs. Two rounds, each message from its own telephone:
first a message without a number (it opens a protocol and queues its number on WhatsApp), then one
naming that protocol (it joins the protocol's timeline). CPU per message is the application's own
(the server threads' CPU time per request), not the database's nor the clients'. Prints one line
"ENTRADA {json}" for bench/executar.py.

Runs against the seeded database of the scale being measured (DATABASE_URL) or any migrated one
(DEBUG=1 and a small database to try it: `DEBUG=1 DATABASE_URL=… python bench/entrada.py
--mensagens 50`). The answers stay in the outbox (PROTOCOLO_ENTREGA_IMEDIATA=0).
"""

import argparse
import hashlib
import hmac
import json
import os
import secrets
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))

SEGREDO = secrets.token_hex(32)
CAMINHO = "/integracoes/whatsapp/meta/"


class Servidor(ThreadingMixIn, WSGIServer):
    daemon_threads = True

    def process_request_thread(self, request, client_address):
        # A thread per request, each with its own database connection, which CONN_MAX_AGE would
        # keep open after the thread is gone: a thousand requests would exhaust the server.
        from django.db import connections

        try:
            super().process_request_thread(request, client_address)
        finally:
            connections.close_all()


class Silencioso(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class Medida:
    """The application, timing each request's CPU in the thread that serves it."""

    def __init__(self, aplicacao):
        self.aplicacao = aplicacao
        self.cpu = 0.0
        self.trava = threading.Lock()

    def __call__(self, environ, start_response):
        inicio = time.thread_time()
        try:
            return list(self.aplicacao(environ, start_response))
        finally:
            gasto = time.thread_time() - inicio
            with self.trava:
                self.cpu += gasto


def notificacao(telefone, texto, identificador):
    mensagem = {
        "from": telefone.lstrip("+"),
        "id": identificador,
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": texto},
    }
    valor = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "1"}, "messages": [mensagem]}
    corpo = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": valor}]}],
    }
    return json.dumps(corpo).encode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mensagens", type=int, default=1000)
    parser.add_argument("--clientes", type=int, default=4)
    args = parser.parse_args()

    os.environ["WHATSAPP_SEGREDO_APP"] = SEGREDO
    os.environ["PROTOCOLO_ENTREGA_IMEDIATA"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protocolo.settings")

    import django

    django.setup()
    import requests
    from django.core.wsgi import get_wsgi_application
    from django.db.models import Count

    from protocolo.models import MensagemRecebida

    medida = Medida(get_wsgi_application())
    servidor = make_server("127.0.0.1", 0, medida, server_class=Servidor, handler_class=Silencioso)
    threading.Thread(target=servidor.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{servidor.server_address[1]}{CAMINHO}"
    rodada = time.time_ns()
    # A telephone of its own per message (+55 11 9xxxx-xxxx), so no sender's limit is reached.
    telefones = [f"+55119{(rodada // 1000 + i) % 10**8:08d}" for i in range(args.mensagens)]
    local = threading.local()

    def postar(corpo):
        if not hasattr(local, "sessao"):
            local.sessao = requests.Session()
        assinatura = "sha256=" + hmac.new(SEGREDO.encode(), corpo, hashlib.sha256).hexdigest()
        resposta = local.sessao.post(
            url,
            data=corpo,
            headers={
                "Content-Type": "application/json",
                "X-Hub-Signature-256": assinatura,
                "X-Forwarded-Proto": "https",
            },
            timeout=30,
        )
        return resposta.status_code

    def medir(corpos):
        medida.cpu = 0.0
        inicio = time.monotonic()
        with ThreadPoolExecutor(args.clientes) as executor:
            codigos = list(executor.map(postar, corpos))
        segundos = time.monotonic() - inicio
        return {
            "mensagens": len(corpos),
            "erros": sum(c != 200 for c in codigos),
            "segundos": round(segundos, 2),
            "por_segundo": round(len(corpos) / segundos, 1) if segundos else None,
            "cpu_ms_por_mensagem": round(1000 * medida.cpu / len(corpos), 2) if corpos else None,
        }

    aberturas = medir(
        [
            notificacao(t, "Fui cobrado duas vezes na fatura.", f"wamid.bench{rodada}a{i}")
            for i, t in enumerate(telefones)
        ]
    )
    abertos = dict(
        MensagemRecebida.objects.filter(
            id_no_provedor__startswith=f"wamid.bench{rodada}a", protocolo__isnull=False
        ).values_list("telefone", "protocolo__numero")
    )
    anexas = medir(
        [
            notificacao(t, f"Protocolo {abertos[t]}: alguma novidade?", f"wamid.bench{rodada}b{i}")
            for i, t in enumerate(telefones)
            if t in abertos
        ]
    )
    resultados = dict(
        MensagemRecebida.objects.filter(id_no_provedor__startswith=f"wamid.bench{rodada}")
        .values_list("resultado")
        .annotate(n=Count("id"))
    )
    servidor.shutdown()
    print("ENTRADA " + json.dumps({"aberturas": aberturas, "anexadas": anexas, "resultados": resultados}), flush=True)


if __name__ == "__main__":
    main()
