"""
The console mailer of development (`MAILER_URL=console://`, the default of `make run`): each message
as a person reads it, its headers and its text decoded, one link per line.

Django's own console backend prints the MIME source: quoted-printable turns every accented letter
into `=C3=A9` and breaks a long link with a soft `=` line break, so the signed links of the demo's
e-mails could not be followed from the terminal.
"""

from django.core.mail.backends.console import EmailBackend as ConsoleDoDjango


class EmailBackend(ConsoleDoDjango):
    def write_message(self, message):
        mime = message.message()
        cabecalhos = {
            "Message-ID": mime["Message-ID"],
            "Date": mime["Date"],
            "From": message.from_email,
            "To": ", ".join(message.to),
            "Subject": message.subject,
        }
        for nome, valor in cabecalhos.items():
            self.stream.write(f"{nome}: {valor}\n")
        self.stream.write(f"\n{message.body}\n")
        self.stream.write("-" * 79 + "\n")
