"""
Which channels a telephone still accepts, and the order channels are tried in (docs/dominio.md,
"Canais das mensagens"). A consumer stops
SMS or WhatsApp with the keyword SAIR or from the portal; the choice is recorded, append-only, in
EscolhaDeCanal, and honoured from the next message on. Nothing overrides a refusal: a message the
law requires goes by another channel the consumer still accepts, or is recorded as not sent.
"""

from django.db import transaction

from . import sms, whatsapp
from .models import CanalMensagem, EscolhaDeCanal

CANAIS_DE_TELEFONE = (CanalMensagem.WHATSAPP, CanalMensagem.SMS)
# After the protocol's canal_preferido: e-mail, then WhatsApp (free for the consumer, read receipts),
# then SMS.
ORDEM = (CanalMensagem.EMAIL, CanalMensagem.WHATSAPP, CanalMensagem.SMS)


def configurado(canal):
    """Whether messages can go out on `canal` here: e-mail always, WhatsApp and SMS with their backend."""
    if canal == CanalMensagem.WHATSAPP:
        return whatsapp.ativo()
    if canal == CanalMensagem.SMS:
        return sms.ativo()
    return canal == CanalMensagem.EMAIL


def ordem(protocolo):
    """The channels configured here, in the order a message to this protocol's consumer tries them."""
    preferido = protocolo.canal_preferido
    candidatos = ([preferido] if preferido in ORDEM else []) + [c for c in ORDEM if c != preferido]
    return [CanalMensagem(c) for c in candidatos if configurado(c)]


def aceita(telefone, canal):
    """Whether `telefone` (E.164) still accepts messages on `canal`: yes unless its newest choice
    for that channel is a refusal. E-mail has no such choice here."""
    if canal not in CANAIS_DE_TELEFONE:
        return True
    ultima = EscolhaDeCanal.objects.filter(telefone=telefone, canal=canal).order_by("-em", "-id").first()
    return ultima is None or ultima.aceita


def vigentes(telefones):
    """{(telefone, canal): the EscolhaDeCanal in force} for several telephones, in one query. The
    newest of each pair is picked here rather than by DISTINCT ON, which SQLite (make run) lacks: a
    telephone has a handful of choices at most."""
    telefones = list(telefones)
    escolhas = {}
    if telefones:
        for escolha in EscolhaDeCanal.objects.filter(telefone__in=telefones).order_by("-em", "-id"):
            escolhas.setdefault((escolha.telefone, escolha.canal), escolha)
    return escolhas


def recusados(telefones):
    """{(telefone, canal)} refused now, for several telephones in one query."""
    return {par for par, escolha in vigentes(telefones).items() if not escolha.aceita}


def registrar(*, telefone, canal, aceita, origem, protocolo=None):
    """Record a consumer's choice for one telephone and channel; a choice equal to the one in force
    writes nothing. Returns the row in force."""
    if canal not in CANAIS_DE_TELEFONE:
        raise ValueError(f"Canal sem escolha por telefone: {canal!r}.")
    with transaction.atomic():
        ultima = EscolhaDeCanal.objects.filter(telefone=telefone, canal=canal).order_by("-em", "-id").first()
        if ultima is not None and ultima.aceita == aceita:
            return ultima
        if ultima is None and aceita:
            # Accepting is what a telephone does until it refuses: nothing to record.
            return None
        return EscolhaDeCanal.objects.create(
            telefone=telefone, canal=canal, aceita=aceita, origem=origem, protocolo=protocolo
        )
