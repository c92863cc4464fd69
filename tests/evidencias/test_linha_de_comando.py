"""The offline check docs/evidencias.md and the certificate page tell a third party to run: pyHanko's
own command line, with our published certificate as the only trust root and nothing else of ours."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

PYHANKO = Path(sys.executable).with_name("pyhanko")


def _validar(tmp_path, client, dados):
    certificado = tmp_path / "certificado-protocolo.pem"
    certificado.write_bytes(client.get(reverse("consumidor:certificado_pem")).content)
    arquivo = tmp_path / "arquivo.pdf"
    arquivo.write_bytes(dados)
    # The command as the page shows it, run where the files are.
    return subprocess.run(
        [str(PYHANKO), "sign", "validate", "--trust", certificado.name, arquivo.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(autouse=True)
def _com_o_comando():
    if not PYHANKO.exists():
        pytest.fail("O comando pyhanko não está no .venv: rode `make venv` (vem do pyhanko-cli, em requirements-dev).")


def test_the_documented_command_finds_our_pdf_intact_and_trusted(tmp_path, client, assinado):
    resultado = _validar(tmp_path, client, assinado)

    assert resultado.returncode == 0, resultado.stdout + resultado.stderr
    assert "INTACT:TRUSTED" in resultado.stdout


def test_the_documented_command_refuses_a_pdf_with_one_byte_changed(tmp_path, client, assinado):
    alterado = bytearray(assinado)
    posicao = alterado.index(b"/Contents") - 40
    alterado[posicao] = ord("0") if alterado[posicao] != ord("0") else ord("1")

    resultado = _validar(tmp_path, client, bytes(alterado))

    assert resultado.returncode != 0
    assert "INTACT:TRUSTED" not in resultado.stdout


def test_the_documented_command_does_not_trust_another_companys_signature(tmp_path, client, de_outra_chave):
    resultado = _validar(tmp_path, client, de_outra_chave)

    assert resultado.returncode != 0
    assert "INTACT:TRUSTED" not in resultado.stdout
