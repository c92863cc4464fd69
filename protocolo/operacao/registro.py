"""
Personal data out of the logs (LGPD): a logging filter that masks CPFs, e-mail addresses and
Brazilian telephone numbers, and the tokens of the paths that grant access by themselves.

The filter renders the final text (message with its arguments, traceback, stack, string `extra`
fields) and writes the masked text back into the record, so every handler after it, whatever its
formatter, sees only masked text. It sits on every handler of settings.LOGGING and of
gunicorn.conf.py.
"""

import logging
import re

CPF_MASCARADO = "***.***.***-**"
EMAIL_MASCARADO = "***@***"
TELEFONE_MASCARADO = "(**) ****-****"

# An e-mail address, also as it appears URL-encoded in a logged path or referrer (%40). The local
# part starts only where a run of its characters starts: otherwise a long run with no @ in it (a
# 100 kB search someone typed) is rescanned from each of its characters, quadratic time per record.
_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)

# A CPF, formatted (123.456.789-09, partly formatted too) or any run of exactly 11 digits: valid or
# not, a typo is still someone's CPF. The 16-digit protocol numbers are not personal data and never
# match, since the run must not touch another digit.
_CPF = re.compile(r"(?<!\d)\d{3}\.?\d{3}\.?\d{3}[-.]?\d{2}(?!\d)")

# Brazilian telephone numbers. A separator, parentheses or the country code is required for the
# shorter forms, so that timestamps, sizes and the grouped protocol number (2026 1127 0000 0153)
# stay readable; 11-digit runs are already CPFs above. Area codes never contain a 0, so the
# company's 0800 numbers stay as they are.
_TELEFONE = re.compile(
    r"""
    (?<![\w+])
    (?:
        \+\s?55[\s.-]?\(?0?[1-9]{2}\)?[\s.-]?(?:9[\s.-]?)?\d{4}[\s.-]?\d{4}   # +55 11 91234-5678
      | (?:55\s?)?\(0?[1-9]{2}\)[\s.-]?(?:9[\s.-]?)?\d{4}[\s.-]?\d{4}        # (11) 91234-5678
      | 0?[1-9]{2}[\s.-](?:9[\s.-]?)?\d{4}[\s.-]?\d{4}                       # 11 91234-5678, 11 3123-4567
      | 9\d{4}-\d{4}                                                          # 91234-5678
      | 55[1-9]{2}9?\d{8}                                                     # 5511912345678
    )
    (?!\d)
    """,
    re.VERBOSE,
)

# The secret part of a path that grants access by itself: a signed link (/acesso/<token>/,
# /acesso/demandas/<token>/) and a staff password reset (/senha/redefinir/<uidb64>/<token>/). Anyone
# who reads the access log could otherwise follow them. The reset's own pages keep their names.
_SEGREDO_NO_CAMINHO = re.compile(
    r"(/acesso/(?:demandas/)?|/senha/redefinir/(?!(?:enviada|concluida)/))[^/\s\"?#]+(?:/[^/\s\"?#]+)?"
)
SEGREDO_MASCARADO = "***"

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_ATRIBUTOS_PADRAO = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


def mascarar(texto):
    """The text with every CPF, e-mail address, telephone number and access token masked."""
    texto = _SEGREDO_NO_CAMINHO.sub(r"\1" + SEGREDO_MASCARADO, texto)
    texto = _EMAIL.sub(EMAIL_MASCARADO, texto)
    texto = _CPF.sub(CPF_MASCARADO, texto)
    return _TELEFONE.sub(TELEFONE_MASCARADO, texto)


class MascararDadosPessoais(logging.Filter):
    """Masks personal data in a record in place; never drops a record."""

    _formatador = logging.Formatter()

    def filter(self, record):
        try:
            mensagem = record.getMessage()
        except Exception:  # a broken format string: log it anyway, masked
            mensagem = f"{record.msg!r} {record.args!r}"
        record.msg = mascarar(mensagem)
        record.args = None
        if hasattr(record, "message"):
            record.message = record.msg
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatador.formatException(record.exc_info)
        if record.exc_text:
            # Every logging.Formatter prints the cached exc_text instead of formatting exc_info
            # again. exc_info itself stays for Django's error reporters, which filter on their own
            # (sensitive_post_parameters, SafeExceptionReporterFilter).
            record.exc_text = mascarar(record.exc_text)
        if record.stack_info:
            record.stack_info = mascarar(record.stack_info)
        for nome, valor in list(vars(record).items()):
            if nome not in _ATRIBUTOS_PADRAO and isinstance(valor, str):
                setattr(record, nome, mascarar(valor))
        return True
