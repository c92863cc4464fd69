"""The providers of the sign-in tests (tests/oidc/apoio.py).

One provider process serves every test of the session: whether its CPF is identity-proofed is the
portal's setting, so the same provider stands for a proofed and a non-proofed one under two names.
A second process announces an issuer other than the address the portal is told, as a provider
mixed up with another would."""

import pytest

from tests.oidc.apoio import Provedor, config


@pytest.fixture(scope="session")
def provedor():
    p = Provedor()
    yield p
    p.parar()


@pytest.fixture(scope="session")
def provedor_confuso():
    """Answers at 127.0.0.1 but signs its tokens as http://localhost:<port>."""
    p = Provedor(PROVEDOR_HOST="localhost")
    yield p
    p.parar()


@pytest.fixture
def provedores(settings, provedor, provedor_confuso):
    """Four providers: `empresa` proofs the CPF, `aberto` is the same provider without proofing,
    `govbr` takes the CPF from `sub` and proofs only silver and gold accounts, and `confuso` is told
    an issuer that the tokens of its provider do not carry."""
    settings.PROTOCOLO_OIDC = {
        "empresa": config(provedor.endereco, titulo="Conta Exemplo", cpf_comprovado=True),
        "aberto": config(provedor.endereco, titulo="Cadastro Aberto"),
        "govbr": config(
            provedor.endereco,
            titulo="gov.br",
            claim_cpf="sub",
            cpf_comprovado=True,
            claim_nivel="nivel",
            niveis_aceitos=["prata", "ouro"],
        ),
        "confuso": config(provedor_confuso.endereco, titulo="Provedor Confuso", cpf_comprovado=True),
    }
    return settings.PROTOCOLO_OIDC
