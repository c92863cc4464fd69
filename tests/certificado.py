"""The certificate that signs the PDFs in the tests: a development one (protocolo/evidencias/desenvolvimento.py),
made once per test run in a temporary folder removed at exit."""

import atexit
import shutil
import tempfile
from pathlib import Path

from protocolo.evidencias import desenvolvimento

SENHA = "testes"


def de_teste():
    pasta = tempfile.mkdtemp(prefix="protocolo-certificado-")
    atexit.register(shutil.rmtree, pasta, ignore_errors=True)
    return str(desenvolvimento.criar(Path(pasta) / "testes.p12", senha=SENHA))
