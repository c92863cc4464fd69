"""
A webhook receiver on loopback, as an integrated system would run one: HTTPS with a certificate
from a test CA (trustme), each request's signature verified with the `standardwebhooks` library.
What it does with a request is its `modos`, taken one per request (the last one repeats):
"ok" (200), "erro" (500), "pendura" (never answers until the test ends), "redireciona" (302 to
`destino`), "grande" (a 200 with a body of 8 MB).
"""

import http.server
import json
import socket
import ssl
import threading

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

GRANDE = 8 * 1024 * 1024


class Recebido(dict):
    """One request as the receiver saw it."""


class _Tratador(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # The head and the body go in two writes: without this, each answer waits for a delayed ACK.
    disable_nagle_algorithm = True

    def do_POST(self):
        receptor = self.server.receptor
        corpo = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        cabecalhos = dict(self.headers.items())
        try:
            payload = Webhook(receptor.segredo).verify(corpo, cabecalhos)
            assinatura_valida = True
        except WebhookVerificationError:
            payload, assinatura_valida = json.loads(corpo or b"null"), False
        receptor.registrar(
            Recebido(
                id=self.headers.get("webhook-id"),
                timestamp=int(self.headers.get("webhook-timestamp")),
                assinatura=self.headers.get("webhook-signature"),
                corpo=corpo,
                cabecalhos=cabecalhos,
                payload=payload,
                valida=assinatura_valida,
                host=self.headers.get("Host"),
                sni=getattr(self.connection, "_sni", None),
            )
        )
        modo = receptor.proximo_modo()
        if modo == "pendura":
            receptor.soltar.wait(10)
            return self._responder(200, b"tarde demais")
        if modo == "redireciona":
            self.send_response(302)
            self.send_header("Location", receptor.destino)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if modo == "grande":
            self.send_response(200)
            self.send_header("Content-Length", str(GRANDE))
            self.end_headers()
            bloco = b"x" * 65536
            try:
                for _ in range(GRANDE // len(bloco)):
                    self.wfile.write(bloco)
            except OSError:
                receptor.cortado.set()
            return None
        return self._responder(500 if modo == "erro" else 200, b"recebido" if modo == "ok" else b"falhou")

    def _responder(self, status, corpo):
        self.send_response(status)
        self.send_header("Content-Length", str(len(corpo)))
        self.end_headers()
        self.wfile.write(corpo)

    def log_message(self, *args):
        pass


class _Servidor(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def get_request(self):
        conexao, endereco = super().get_request()
        if self.tls is None:
            return conexao, endereco
        conexao = self.tls.wrap_socket(conexao, server_side=True, do_handshake_on_connect=False)
        conexao.settimeout(5)
        try:
            conexao.do_handshake()
        except (OSError, ssl.SSLError):
            conexao.close()
            raise
        return conexao, endereco

    def handle_error(self, request, client_address):
        pass


class Receptor:
    def __init__(self, certificado=None, *, modos=("ok",), porta=0, destino=""):
        self.modos = list(modos)
        self.destino = destino
        self.segredo = None
        self.recebidos = []
        self.soltar = threading.Event()
        self.cortado = threading.Event()
        self._trava = threading.Lock()
        self.servidor = _Servidor(("127.0.0.1", porta), _Tratador, bind_and_activate=True)
        self.servidor.receptor = self
        self.servidor.tls = None
        if certificado is not None:
            contexto = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            certificado.configure_cert(contexto)
            # The name the client asked for in the handshake (SNI), kept on the connection.
            contexto.sni_callback = lambda conexao, nome, _contexto: setattr(conexao, "_sni", nome)
            self.servidor.tls = contexto
        self.porta = self.servidor.server_address[1]
        self._linha = threading.Thread(target=self.servidor.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._linha.start()

    def url(self, host="127.0.0.1", caminho="/webhooks"):
        esquema = "https" if self.servidor.tls is not None else "http"
        return f"{esquema}://{host}:{self.porta}{caminho}"

    def registrar(self, recebido):
        with self._trava:
            self.recebidos.append(recebido)

    def proximo_modo(self):
        with self._trava:
            return self.modos.pop(0) if len(self.modos) > 1 else self.modos[0]

    def parar(self):
        self.soltar.set()
        self.servidor.shutdown()
        self.servidor.server_close()


def porta_livre():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
