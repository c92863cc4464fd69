"""
A throwaway TCP proxy, in threads of the test's own process, in front of a real server (the
PostgreSQL on 127.0.0.1:5432, say) on a free port of its own: the fault tests point a connection at
it and then freeze it. Frozen, it stops reading and writing but keeps every socket open, so the
kernel still accepts and acknowledges what the client sends and no reply ever comes: what a client
sees of a server stopped with SIGSTOP. Only this proxy's port is affected, never the shared server.
"""

import contextlib
import select
import socket
import threading
import time


class ProxyCongelavel:
    def __init__(self, destino, endereco="127.0.0.1"):
        self.destino = destino
        self._escuta = socket.create_server((endereco, 0))
        self.porta = self._escuta.getsockname()[1]
        self._andando = threading.Event()
        self._andando.set()
        self._fim = threading.Event()
        self._sockets = []
        self._trava = threading.Lock()

    def __enter__(self):
        threading.Thread(target=self._aceitar, daemon=True, name="proxy-aceitar").start()
        return self

    def __exit__(self, *_):
        self.fechar()

    def congelar(self, por=None):
        """Stop forwarding; with `por` seconds, forward again by itself after them (a test that
        would otherwise wait forever ends)."""
        self._andando.clear()
        if por is not None:
            threading.Timer(por, self.descongelar).start()

    def descongelar(self):
        self._andando.set()

    def fechar(self):
        self._fim.set()
        self._andando.set()
        with self._trava:
            for s in [self._escuta, *self._sockets]:
                with contextlib.suppress(OSError):
                    s.close()

    def _aceitar(self):
        while not self._fim.is_set():
            try:
                cliente, _ = self._escuta.accept()
            except OSError:
                return
            self._andando.wait()
            try:
                servidor = socket.create_connection(self.destino, timeout=1)
            except OSError:
                cliente.close()
                continue
            servidor.settimeout(None)
            with self._trava:
                self._sockets += [cliente, servidor]
            for de, para in ((cliente, servidor), (servidor, cliente)):
                threading.Thread(target=self._bombear, args=(de, para), daemon=True, name="proxy-bombear").start()

    def _bombear(self, de, para):
        try:
            while not self._fim.is_set():
                if not self._andando.is_set():
                    # Frozen: nothing is read, so nothing goes either way; the sockets stay open.
                    time.sleep(0.01)
                    continue
                prontos, _, _ = select.select([de], [], [], 0.05)
                if not prontos:
                    continue
                dados = de.recv(65536)
                if not dados:
                    break
                para.sendall(dados)
        except OSError:
            pass
        finally:
            for s in (de, para):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
