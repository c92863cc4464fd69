"""
Back-office accounts: the admin's second factor (django-otp, TOTP) and what its pages need.

Supervisors work in the back-office with their password alone; the admin (every URL under
/admin/, the supervision dashboard included) also wants a code from an authenticator app. The admin
site is django-otp's OTPAdminSite (``has_permission`` requires ``request.user.is_verified()``), kept
with Django's own login form: a staff member who is logged in but not verified is sent from the
admin's login to the back-office pages that enrol a device (no device yet) or ask for the code.

A device is enrolled only once its first code is right: until then the key lives in the session,
so a page left half way leaves nothing behind. Wrong codes are throttled by django-otp on the device
(OTP_TOTP_THROTTLE_FACTOR: 1 s, 2 s, 4 s … after each consecutive failure). A supervisor who loses
the phone asks a superuser to delete the device in the admin (TOTP devices), and enrols again at
the next visit.
"""

import time
from base64 import b32encode
from urllib.parse import urlencode

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django_otp.admin import OTPAdminSite
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

NOME_DO_DISPOSITIVO = "Aplicativo autenticador"
CHAVE_PENDENTE = "contas_chave_totp_pendente"


class SiteAdmin(OTPAdminSite):
    """The default admin site: staff and verified by a second factor."""

    login_form = AdminAuthenticationForm
    login_template = None

    def __init__(self, name="admin"):
        super().__init__(name)

    def login(self, request, extra_context=None):
        usuario = request.user
        if usuario.is_active and usuario.is_staff and not usuario.is_verified():
            destino = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index", current_app=self.name)
            return redirect(f"{reverse('atendimento:verificacao')}?{urlencode({REDIRECT_FIELD_NAME: destino})}")
        return super().login(request, extra_context)


def dispositivo_confirmado(usuario):
    return TOTPDevice.objects.filter(user=usuario, confirmed=True).order_by("pk").first()


def verificar_codigo(dispositivo, codigo):
    """None when `codigo` is the device's current code, else the message to show. The device row is
    locked while it is checked, so two requests with one code cannot both pass (django-otp refuses
    a time step already used, ``last_t``)."""
    with transaction.atomic():
        dispositivo = TOTPDevice.objects.select_for_update().get(pk=dispositivo.pk)
        permitido, detalhes = dispositivo.verify_is_allowed()
        if not permitido:
            return _espere(detalhes)
        if dispositivo.verify_token(codigo):
            return None
    return "Código incorreto. Confira o código que o aplicativo mostra agora e digite de novo."


def _espere(detalhes):
    ate = (detalhes or {}).get("locked_until")
    segundos = max(1, int((ate - timezone.now()).total_seconds()) + 1) if ate else 1
    unidade = "segundo" if segundos == 1 else "segundos"
    return f"Muitos códigos errados seguidos. Espere {segundos} {unidade} e tente de novo."


# Enrolment ----------------------------------------------------------------------------------------


def chave_pendente(sessao):
    """The hex key offered to this session for enrolment (made on first use)."""
    chave = sessao.get(CHAVE_PENDENTE)
    if not chave:
        chave = sessao[CHAVE_PENDENTE] = random_hex(20)
    return chave


def ativacao(usuario, chave):
    """What the enrolment page shows: the base32 key to type (in groups of four) and the otpauth URI
    for the QR code."""
    base32 = b32encode(bytes.fromhex(chave)).decode()
    return {
        "chave": " ".join(base32[i : i + 4] for i in range(0, len(base32), 4)),
        "uri": TOTPDevice(user=usuario, key=chave).config_url,
    }


def ativar(usuario, sessao, codigo):
    """The confirmed device when `codigo` is right for the pending key, else None. A device
    confirmed meanwhile (another tab) wins: the pending key is dropped."""
    chave = sessao.get(CHAVE_PENDENTE)
    if not chave:
        return None
    totp = TOTP(bytes.fromhex(chave))
    totp.time = time.time()
    if not totp.verify(int(codigo), tolerance=1):
        return None
    with transaction.atomic():
        # One enrolment per user at a time: the user's row is the lock.
        get_user_model().objects.select_for_update().filter(pk=usuario.pk).get()
        existente = dispositivo_confirmado(usuario)
        del sessao[CHAVE_PENDENTE]
        if existente is not None:
            return None
        return TOTPDevice.objects.create(
            user=usuario,
            name=NOME_DO_DISPOSITIVO,
            key=chave,
            confirmed=True,
            last_t=totp.t(),
            drift=totp.drift,
        )
