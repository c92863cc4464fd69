"""A fake Meta WhatsApp Business Cloud API: a real HTTP server on loopback that answers as Meta
documents it (developers.facebook.com/docs/whatsapp/cloud-api/reference/messages and
…/support/error-codes).

`POST /vXX.X/{phone-number-id}/messages` with `Authorization: Bearer {token}` and a JSON body
(`messaging_product: whatsapp`, `to` in digits, `type: text` with `text.body`, or `type: template`
with `template.name`, `template.language.code` and the body's text parameters); 200 with
`{"messaging_product", "contacts": [{"input", "wa_id"}], "messages": [{"id": "wamid.…"}]}`.
Errors as `{"error": {"message", "type", "code", "error_subcode", "error_data": {"details"},
"fbtrace_id"}}`: 190 for a wrong token, 100 for a malformed request, 131047 for free text to a
telephone that has not written in 24 hours (the server knows who wrote through `escreveu`),
131026 for a number it was told is not on WhatsApp, 132001 for a template it does not have,
132000 for a wrong count of parameters, and the failures the test queues in `falhas` (429 with
130429, 500 with 131000, 503 with 133004). `pendurar` makes it read a request and never answer.

No pytest here: bench/mensageria.py runs it too.
"""

import base64
import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "EAAGtokendeumusuariodosistema"
NUMERO_ID = "106540352242922"
VERSAO = "v21.0"

# The templates the company registered (docs/operacao.md, "WhatsApp"): name → how many body
# parameters, or None for any number of them.
MODELOS = {
    "protocolo_numero": None,
    "protocolo_mensagem": None,
    "protocolo_resolucao": None,
    "protocolo_encerramento": None,
    "protocolo_cancelamento": None,
    "protocolo_escalonamento": None,
    "protocolo_prorrogacao": None,
    "protocolo_duplicidade": None,
    "protocolo_codigo": 1,
}

FALHAS = {
    429: (130429, "(#130429) Rate limit hit", "Cloud API message throughput has been reached."),
    500: (131000, "Something went wrong", "Message failed to send due to an unknown error."),
    503: (133004, "Server Temporarily Unavailable", "Server is temporarily unavailable."),
}


def url(porta, *, token=TOKEN, numero_id=NUMERO_ID, timeout="1"):
    """The WHATSAPP_URL pointing at a fake on this port."""
    return f"meta://{token}@127.0.0.1:{porta}/{VERSAO}/{numero_id}?inseguro=1&timeout={timeout}"


class Meta(ThreadingHTTPServer):
    """Meta's Cloud API on an ephemeral (or given) loopback port, in a thread of its own."""

    daemon_threads = True

    def __init__(self, porta=0, *, token=TOKEN, numero_id=NUMERO_ID, modelos=None):
        super().__init__(("127.0.0.1", porta), _Manipulador)
        self.token = token
        self.numero_id = numero_id
        self.modelos = dict(MODELOS if modelos is None else modelos)
        # Bodies accepted, each with the wamid answered: {"corpo": {...}, "id": "wamid.…"}.
        self.recebidas = []
        self.pedidos = 0
        self.falhas = []
        self.fora_do_whatsapp = set()
        self.pendurar = False
        self._janela = set()
        self._solto = threading.Event()
        self._trava = threading.Lock()
        self._linha = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def porta(self):
        return self.server_address[1]

    def escreveu(self, telefone):
        """The telephone (E.164 or digits) wrote to the company's number: free text reaches it."""
        self._janela.add(telefone.lstrip("+"))

    def __enter__(self):
        self._linha.start()
        return self

    def __exit__(self, *erro):
        self._solto.set()
        self.shutdown()
        self.server_close()


def _erro(codigo, mensagem, detalhes="", subcodigo=None, tipo="OAuthException"):
    erro = {"message": mensagem, "type": tipo, "code": codigo, "fbtrace_id": "A" + uuid.uuid4().hex[:22]}
    if subcodigo is not None:
        erro["error_subcode"] = subcodigo
    if detalhes:
        erro["error_data"] = {"messaging_product": "whatsapp", "details": detalhes}
    return {"error": erro}


def _parametro_invalido(detalhes):
    return 400, _erro(100, "(#100) Invalid parameter", detalhes)


class _Manipulador(BaseHTTPRequestHandler):
    # Keep-alive, as Meta's servers: a deliverer's session sends a round over one connection.
    protocol_version = "HTTP/1.1"
    # An idle kept-alive connection is closed after this, so no thread outlives a test for long.
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

    def do_POST(self):
        corpo = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        servidor = self.server
        with servidor._trava:
            servidor.pedidos += 1
        if servidor.pendurar:
            servidor._solto.wait(10)
            self.close_connection = True
            return
        self._responder(*self._atender(servidor, corpo))

    def _atender(self, servidor, corpo):
        if self.headers.get("Authorization") != f"Bearer {servidor.token}":
            return 401, _erro(190, "Invalid OAuth access token - Cannot parse access token")
        caminho = re.fullmatch(r"/v\d+\.\d+/(\d+)/messages", self.path)
        if caminho is None or caminho[1] != servidor.numero_id:
            return 400, _erro(
                100,
                f"Unsupported post request. Object with ID '{caminho[1] if caminho else ''}' does not exist, "
                "cannot be loaded due to missing permissions, or does not support this operation.",
                subcodigo=33,
                tipo="GraphMethodException",
            )
        with servidor._trava:
            status = servidor.falhas.pop(0) if servidor.falhas else None
        if status is not None:
            codigo, mensagem, detalhes = FALHAS[status]
            return status, _erro(codigo, mensagem, detalhes)
        try:
            dados = json.loads(corpo)
        except ValueError:
            return _parametro_invalido("The request body is not valid JSON.")
        if not isinstance(dados, dict) or dados.get("messaging_product") != "whatsapp":
            return 400, _erro(100, "(#100) The parameter messaging_product is required.")
        para = dados.get("to")
        if not isinstance(para, str) or not re.fullmatch(r"\d{8,15}", para):
            return 400, _erro(131009, "(#131009) Parameter value is not valid", "Invalid 'to' parameter.")
        opaco = dados.get("biz_opaque_callback_data", "")
        if not isinstance(opaco, str) or len(opaco) > 512:
            return _parametro_invalido("biz_opaque_callback_data must be a string of at most 512 characters.")
        if dados.get("type") == "text":
            recusa = self._texto(servidor, dados, para)
        elif dados.get("type") == "template":
            recusa = self._modelo(servidor, dados.get("template"))
        else:
            recusa = _parametro_invalido("Param type must be one of {TEXT, TEMPLATE, …}.")
        if recusa:
            return recusa
        if para in servidor.fora_do_whatsapp:
            return 400, _erro(131026, "Message Undeliverable", "Message Undeliverable.")
        wamid = "wamid." + base64.b64encode(uuid.uuid4().bytes * 2).decode()
        with servidor._trava:
            servidor.recebidas.append({"corpo": dados, "id": wamid})
        return 200, {
            "messaging_product": "whatsapp",
            "contacts": [{"input": para, "wa_id": para}],
            "messages": [{"id": wamid, "message_status": "accepted"}],
        }

    def _texto(self, servidor, dados, para):
        texto = dados.get("text")
        if not isinstance(texto, dict) or not isinstance(texto.get("body"), str) or not texto["body"].strip():
            return _parametro_invalido("text['body'] is required.")
        if len(texto["body"]) > 4096:
            return _parametro_invalido("text['body'] is longer than 4096 characters.")
        if para not in servidor._janela:
            return 400, _erro(
                131047,
                "Re-engagement message",
                "Message failed to send because more than 24 hours have passed since the customer last "
                "replied to this number.",
            )
        return None

    def _modelo(self, servidor, modelo):
        if not isinstance(modelo, dict) or not isinstance(modelo.get("name"), str):
            return _parametro_invalido("template['name'] is required.")
        idioma = (modelo.get("language") or {}).get("code") if isinstance(modelo.get("language"), dict) else None
        nome = modelo["name"]
        if nome not in servidor.modelos or idioma != "pt_BR":
            return 404, _erro(
                132001,
                "(#132001) Template name does not exist in the translation",
                f"template name ({nome}) does not exist in {idioma}",
            )
        componentes = modelo.get("components", [])
        if not isinstance(componentes, list) or not all(isinstance(c, dict) for c in componentes):
            return _parametro_invalido("template['components'] must be a list.")
        for componente in componentes:
            for parametro in componente.get("parameters", []):
                texto = parametro.get("text") if isinstance(parametro, dict) else None
                if not isinstance(texto, str) or parametro.get("type") != "text" or not texto.strip():
                    return _parametro_invalido("Each parameter needs type 'text' and a text.")
                if re.search(r"[\n\t]| {5}", texto):
                    return _parametro_invalido(
                        "Param text cannot have new-line/tab characters or more than 4 consecutive spaces."
                    )
        corpo = [c for c in componentes if c.get("type") == "body"]
        textos = [p["text"] for c in corpo for p in c.get("parameters", [])]
        esperados = servidor.modelos[nome]
        if (esperados is None and not textos) or (esperados is not None and len(textos) != esperados):
            return 400, _erro(
                132000,
                "(#132000) Number of parameters does not match the expected number of params",
                f"body: number of localizable_params ({len(textos)}) does not match the expected number of params",
            )
        if nome == "protocolo_codigo":
            botoes = [c for c in componentes if c.get("type") == "button" and c.get("sub_type") == "url"]
            if not botoes or [p.get("text") for p in botoes[0].get("parameters", [])] != textos:
                return _parametro_invalido("An authentication template needs its code in the copy-code button.")
        return None
