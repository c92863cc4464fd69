"""Fake SMS providers: real HTTP servers on loopback that answer as the real ones document.

Twilio's Messages API: POST /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded, HTTP
Basic auth with the Account SID and Auth Token; 201 with the message resource ("sid", "status"
queued…), and errors as {"code", "message", "more_info", "status"} (20003 for bad credentials,
20429 for too many requests, 21211/21610/21614 for a number that is invalid, unsubscribed or not a
mobile: `recusas` maps a number to the code it is refused with). The generic gateway takes
Zenvia's v2 JSON body with its X-API-TOKEN header and answers 200 with the message's "id".
"""

import base64
import json
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

SID = "AC" + "0" * 31 + "1"
TOKEN = "segredo-do-token-twilio"
TOKEN_GATEWAY = "token-do-gateway"


class Provedor(ThreadingHTTPServer):
    """A provider on an ephemeral loopback port. `falhas`: statuses to answer, in turn, before
    accepting again (429, 500, 503)."""

    daemon_threads = True

    def __init__(self, manipulador, porta=0):
        super().__init__(("127.0.0.1", porta), manipulador)
        self.recebidas = []
        self.falhas = []
        self.recusas = {}
        self.pedidos = 0
        self._linha = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def porta(self):
        return self.server_address[1]

    def __enter__(self):
        self._linha.start()
        return self

    def __exit__(self, *erro):
        self.shutdown()
        self.server_close()


class _Base(BaseHTTPRequestHandler):
    # Keep-alive, as the real providers: a deliverer's session sends a round over one connection,
    # and an idle one is closed after `timeout` seconds.
    protocol_version = "HTTP/1.1"
    timeout = 5
    # Headers and body leave in one write (flushed after each request): written apart, the body
    # would wait on Nagle's algorithm for the client's delayed ACK, 40 ms a message.
    wbufsize = -1

    def log_message(self, *args):
        pass

    def _responder(self, status, corpo):
        dados = json.dumps(corpo).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(dados)))
        self.end_headers()
        self.wfile.write(dados)

    def _corpo(self):
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))


RECUSAS_TWILIO = {
    21211: "The 'To' number {} is not a valid phone number.",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number {} is not a valid mobile number",
}


def _erro_twilio(status, codigo, mensagem):
    return {
        "code": codigo,
        "message": mensagem,
        "more_info": f"https://www.twilio.com/docs/errors/{codigo}",
        "status": status,
    }


class _Twilio(_Base):
    def do_POST(self):
        self.server.pedidos += 1
        corpo = self._corpo()
        caminho = f"/2010-04-01/Accounts/{SID}/Messages.json"
        esperado = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
        if self.headers.get("Authorization") != esperado:
            return self._responder(401, _erro_twilio(401, 20003, "Authenticate"))
        if self.path != caminho:
            return self._responder(404, _erro_twilio(404, 20404, "The requested resource was not found"))
        if self.server.falhas:
            status = self.server.falhas.pop(0)
            codigo = 20429 if status == 429 else 20500
            return self._responder(
                status, _erro_twilio(status, codigo, "Too Many Requests" if status == 429 else "Internal Server Error")
            )
        dados = {k: v[-1] for k, v in parse_qs(corpo.decode()).items()}
        if not dados.get("To", "").startswith("+") or not dados.get("From") or not dados.get("Body"):
            return self._responder(400, _erro_twilio(400, 21604, "A 'To' phone number is required."))
        if codigo := self.server.recusas.get(dados["To"]):
            return self._responder(400, _erro_twilio(400, codigo, RECUSAS_TWILIO[codigo].format(dados["To"])))
        sid = "SM" + uuid.uuid4().hex
        self.server.recebidas.append(dados)
        self._responder(
            201,
            {
                "sid": sid,
                "account_sid": SID,
                "to": dados["To"],
                "from": dados["From"],
                "body": dados["Body"],
                "status": "queued",
                "num_segments": "1",
                "direction": "outbound-api",
                "api_version": "2010-04-01",
                "uri": f"/2010-04-01/Accounts/{SID}/Messages/{sid}.json",
            },
        )


class _Gateway(_Base):
    def do_POST(self):
        self.server.pedidos += 1
        corpo = self._corpo()
        if self.headers.get("X-API-TOKEN") != TOKEN_GATEWAY:
            return self._responder(401, {"code": "AUTHENTICATION_ERROR", "message": "Invalid token"})
        if self.server.falhas:
            status = self.server.falhas.pop(0)
            return self._responder(status, {"code": "INTERNAL_ERROR", "message": "Falha temporária"})
        try:
            dados = json.loads(corpo)
        except ValueError:
            return self._responder(400, {"code": "VALIDATION_ERROR", "message": "JSON inválido"})
        self.server.recebidas.append({"corpo": dados, "idempotency_key": self.headers.get("Idempotency-Key")})
        self._responder(200, {"id": str(uuid.uuid4()), **dados})


def twilio(porta=0):
    return Provedor(_Twilio, porta)


def gateway(porta=0):
    return Provedor(_Gateway, porta)


class Mudo:
    """A port that accepts connections and never answers: a provider that hangs."""

    def __enter__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.porta = self.socket.getsockname()[1]
        return self

    def __exit__(self, *erro):
        self.socket.close()


def porta_fechada():
    """A loopback port nobody listens on: a provider that is down."""
    with socket.create_server(("127.0.0.1", 0)) as s:
        return s.getsockname()[1]
