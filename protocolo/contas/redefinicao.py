"""
The back-office's password reset by e-mail, in two halves so the page's answer tells nothing.

The page (views.RedefinirSenha) only writes a PedidoDeSenha with the typed e-mail, whatever it is:
the same one INSERT, no user lookup, no template rendered, no mail server. Looking the e-mail up
among the back-office accounts, writing the mail (Django's token generator, the link on
PROTOCOLO_URL_BASE) and sending it happen afterwards, in `manage.py enviar_mensagens` (every minute
from cron, or a moment later with `--continuo`), which deletes each request once answered: typed
e-mails of people without an account are not kept.

The mail goes straight to the mail server through Django's PasswordResetForm, never through the
outbox (protocolo/outbox.py): the outbox is readable in the admin, and a reset link read there would
open the account. A mail server that refuses is logged by Django (django.contrib.auth) and the
request is answered all the same; whoever asked can ask again.
"""

from django.db import transaction

from protocolo.models import PedidoDeSenha

from .forms import RedefinirSenhaForm


def pedir(email):
    """The page's whole work: one row, the same for any e-mail."""
    PedidoDeSenha.objects.create(email=email)


def atender_pedidos(*, limite=1000):
    """Answer up to `limite` waiting requests, oldest first; how many were answered. Each is locked
    (skipping those another deliverer holds) and deleted in the transaction that sends its mail."""
    atendidos = 0
    while atendidos < limite:
        with transaction.atomic():
            pedido = PedidoDeSenha.objects.select_for_update(skip_locked=True).order_by("pk").first()
            if pedido is None:
                break
            form = RedefinirSenhaForm({"email": pedido.email})
            if form.is_valid():
                # Sends one mail per active back-office account with this e-mail, none otherwise.
                form.save()
            pedido.delete()
            atendidos += 1
    return atendidos
