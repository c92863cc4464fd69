"""A time-stamping authority (RFC 3161) on loopback: certomancer's Animator, a real WSGI server on an
ephemeral port, from a small PKI (a root and a TSA certificate it issues) adapted from certomancer's
example configuration. Its keys are made here, so nothing is read from the network."""

import threading
from pathlib import Path

from certomancer.integrations.animator import Animator, AnimatorArchStore
from certomancer.registry import CertomancerConfig
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from werkzeug.serving import WSGIRequestHandler, make_server

ARQUITETURA = "testes"


class _Calado(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


def _chave(caminho):
    chave = ec.generate_private_key(ec.SECP256R1())
    caminho.write_bytes(
        chave.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


def _configuracao(pasta: Path):
    _chave(pasta / "raiz.key.pem")
    _chave(pasta / "tsa.key.pem")
    validade = {"valid-from": "2020-01-01T00:00:00+0000", "valid-to": "2100-01-01T00:00:00+0000"}
    return {
        "external-url-prefix": "http://127.0.0.1",
        "keysets": {
            ARQUITETURA: {
                "path-prefix": str(pasta),
                "keys": {"raiz": {"path": "raiz.key.pem"}, "tsa": {"path": "tsa.key.pem"}},
            }
        },
        "pki-architectures": {
            ARQUITETURA: {
                "keyset": ARQUITETURA,
                "entity-defaults": {"country-name": "BR", "organization-name": "Carimbadora de Testes"},
                "entities": {"raiz": {"common-name": "Raiz de Testes"}, "tsa": {"common-name": "Carimbo de Testes"}},
                "certs": {
                    "raiz": {
                        "subject": "raiz",
                        "issuer": "raiz",
                        "validity": validade,
                        "extensions": [
                            {"id": "basic_constraints", "critical": True, "value": {"ca": True}},
                            {
                                "id": "key_usage",
                                "critical": True,
                                "smart-value": {"schema": "key-usage", "params": ["key_cert_sign", "crl_sign"]},
                            },
                        ],
                    },
                    "tsa": {
                        "subject": "tsa",
                        "issuer": "raiz",
                        "validity": validade,
                        "extensions": [
                            {
                                "id": "key_usage",
                                "critical": True,
                                "smart-value": {"schema": "key-usage", "params": ["digital_signature"]},
                            },
                            {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
                        ],
                    },
                },
                "services": {"time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}}},
            }
        },
    }


class Carimbadora:
    """The authority, serving while inside `with`: `url` to ask it, `raiz` (asn1crypto) to trust it."""

    def __init__(self, pasta):
        configuracao = CertomancerConfig(_configuracao(Path(pasta)), key_search_dir=str(pasta))
        arquitetura = configuracao.get_pki_arch(ARQUITETURA)
        self.raiz = arquitetura.get_cert("raiz")
        self.pedidos = 0
        animador = Animator(AnimatorArchStore(configuracao.pki_archs), with_web_ui=False)

        def contado(environ, start_response):
            self.pedidos += 1
            return animador(environ, start_response)

        self._servidor = make_server("127.0.0.1", 0, contado, threaded=True, request_handler=_Calado)
        self.url = f"http://127.0.0.1:{self._servidor.server_port}/{ARQUITETURA}/tsa/tsa"
        self._linha = threading.Thread(target=self._servidor.serve_forever, daemon=True)

    def __enter__(self):
        self._linha.start()
        return self

    def __exit__(self, *erro):
        self._servidor.shutdown()
        self._servidor.server_close()
