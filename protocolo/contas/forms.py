"""The accounts' forms: a password reset by e-mail and the authenticator app's code."""

import re
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError

from .decorators import ATENDER


class RedefinirSenhaForm(PasswordResetForm):
    """Django's reset by e-mail, for back-office users only, with the link on PROTOCOLO_URL_BASE
    (never the request's Host, which a client chooses). Saved by the deliverer, after the page has
    answered (redefinicao.py), so its templates are named here rather than on the view."""

    email = forms.EmailField(
        label="E-mail", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )

    def get_users(self, email):
        return [u for u in super().get_users(email) if u.is_staff or u.has_perm(ATENDER)]

    def save(self, **kwargs):
        base = urlsplit(settings.PROTOCOLO_URL_BASE)
        return super().save(
            **{
                **kwargs,
                "subject_template_name": "registration/senha_redefinir_assunto.txt",
                "email_template_name": "registration/senha_redefinir_email.txt",
                "domain_override": base.netloc,
                "use_https": base.scheme == "https",
                "extra_email_context": {"url_base": settings.PROTOCOLO_URL_BASE},
            }
        )


class CodigoForm(forms.Form):
    """The 6 digits of the authenticator app (the view checks them against the device)."""

    codigo = forms.CharField(
        label="Código de 6 dígitos",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 8}
        ),
        help_text="O código que o aplicativo autenticador mostra agora; ele muda a cada 30 segundos.",
    )

    def clean_codigo(self):
        codigo = "".join(self.cleaned_data["codigo"].split()).replace("-", "")
        if not re.fullmatch(r"[0-9]{6}", codigo):
            raise ValidationError("Digite os 6 dígitos do código, sem letras.")
        return codigo
