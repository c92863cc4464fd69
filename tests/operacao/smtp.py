"""A real SMTP server on a local port, for the tests of a mail server that refuses and then accepts.

It speaks enough SMTP for smtplib (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT). In `modo`:
- "fora": the greeting is 421 and the connection is closed (a server out of service);
- "adiar": the message is received, recorded in `tentativas`, then refused with 451 (try later);
- "aceitar": the message is received, recorded in `tentativas` and in `entregues`, 250.
"""

import email
import socketserver
import threading


class _Sessao(socketserver.StreamRequestHandler):
    def _responder(self, linha):
        self.wfile.write(linha.encode() + b"\r\n")

    def handle(self):
        servidor = self.server.smtp
        if servidor.modo == "fora":
            self._responder("421 4.3.2 Servico indisponivel")
            return
        self._responder("220 teste ESMTP")
        while linha := self.rfile.readline():
            comando = linha.decode("ascii", "replace").strip().upper()
            if comando.startswith("EHLO"):
                self._responder("250 teste")
            elif comando == "DATA":
                self._responder("354 Termine com <CRLF>.<CRLF>")
                self._dados(servidor)
            elif comando.startswith("QUIT"):
                self._responder("221 Tchau")
                return
            elif comando.split(" ")[0] in ("HELO", "MAIL", "RCPT", "RSET", "NOOP"):
                self._responder("250 OK")
            else:
                self._responder("502 Comando nao implementado")

    def _dados(self, servidor):
        partes = []
        while (linha := self.rfile.readline()) not in (b".\r\n", b""):
            partes.append(linha[1:] if linha.startswith(b"..") else linha)
        mensagem = email.message_from_bytes(b"".join(partes))
        with servidor.trava:
            servidor.tentativas.append(mensagem)
            if servidor.modo == "aceitar":
                servidor.entregues.append(mensagem)
        self._responder("250 Entregue" if servidor.modo == "aceitar" else "451 4.3.0 Tente mais tarde")


class _Servidor(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class ServidorSMTP:
    def __init__(self, modo="aceitar"):
        self.modo = modo
        self.tentativas = []
        self.entregues = []
        self.trava = threading.Lock()
        self._servidor = _Servidor(("127.0.0.1", 0), _Sessao)
        self._servidor.smtp = self
        self.porta = self._servidor.server_address[1]
        self._linha = threading.Thread(target=self._servidor.serve_forever, kwargs={"poll_interval": 0.05})

    def __enter__(self):
        self._linha.start()
        return self

    def __exit__(self, *erro):
        self._servidor.shutdown()
        self._servidor.server_close()
        self._linha.join(5)

    def mailers(self):
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.porta, "timeout": 5},
            }
        }
