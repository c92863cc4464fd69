"""`manage.py certificado_de_desenvolvimento`, which `make run` calls without a configured PKCS#12."""

import pytest
from django.core.management import CommandError, call_command
from pyhanko.sign import signers


def test_it_creates_a_development_certificate_once_and_says_what_it_is(tmp_path, settings, capsys):
    settings.DEBUG = True
    caminho = tmp_path / "dev" / "desenvolvimento.p12"

    call_command("certificado_de_desenvolvimento", str(caminho))
    primeiro = caminho.read_bytes()
    call_command("certificado_de_desenvolvimento", str(caminho))

    assert caminho.read_bytes() == primeiro  # kept: the PDFs signed before still match its page
    assert caminho.stat().st_mode & 0o777 == 0o600
    assert "certificado de DESENVOLVIMENTO" in capsys.readouterr().out
    signer = signers.SimpleSigner.load_pkcs12(str(caminho), passphrase=b"desenvolvimento")
    assert "(desenvolvimento)" in signer.signing_cert.subject.human_friendly


def test_it_refuses_outside_debug(tmp_path, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="só existe com DEBUG=1"):
        call_command("certificado_de_desenvolvimento", str(tmp_path / "x.p12"))

    assert not (tmp_path / "x.p12").exists()
