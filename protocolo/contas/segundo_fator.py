"""
Back-office accounts: the second factor (django-otp, TOTP), who is asked for it, and its pages.

Who is asked (docs/seguranca.md, "Verificação em duas etapas"):
- the admin (every URL under /admin/, the supervision dashboard included) always asks staff. The
  admin site is django-otp's OTPAdminSite (``has_permission`` requires
  ``request.user.is_verified()``), kept with Django's own login form: a staff member who is logged in
  but not verified is sent from the admin's login to the pages that enrol a device (no device yet)
  or ask for the code;
- a supervisor's own powers (PODERES_DE_SUPERVISOR: assigning to others, cancelling, extending a
  deadline …) are held only by a verified session, wherever they are used: PoderesVerificados
  withholds them from the request's user until the code is given, so the back-office's pages, its
  services and its templates all see an attendant until then; the back-office's views send whoever
  tries one to the code (decorators.poder_de_supervisor);
- where PROTOCOLO_SEGUNDO_FATOR_ATENDENTES is on (production's default), the whole back-office asks
  everyone in it (decorators.atendimento).

A device is enrolled only once its first code is right: until then the key lives in the session,
so a page left half way leaves nothing behind. Wrong codes are throttled by django-otp on the device
(OTP_TOTP_THROTTLE_FACTOR: 1 s, 2 s, 4 s … after each consecutive failure). Someone who loses the
phone asks a superuser to delete the device in the admin (TOTP devices), and enrols again at the
next visit.
"""

import time
from base64 import b32encode
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django_otp.admin import OTPAdminSite
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from protocolo.dados_iniciais import PERMISSOES_ATENDENTES, PERMISSOES_SUPERVISORES

NOME_DO_DISPOSITIVO = "Aplicativo autenticador"
CHAVE_PENDENTE = "contas_chave_totp_pendente"


class SiteAdmin(OTPAdminSite):
    """The default admin site: staff and verified by a second factor."""

    login_form = AdminAuthenticationForm
    # The back-office's login page: from the password to the code to the admin, one look.
    login_template = "atendimento/entrar.html"

    def __init__(self, name="admin"):
        super().__init__(name)

    def login(self, request, extra_context=None):
        usuario = request.user
        if usuario.is_active and usuario.is_staff and not usuario.is_verified():
            destino = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index", current_app=self.name)
            return redirect(f"{reverse('atendimento:verificacao')}?{urlencode({REDIRECT_FIELD_NAME: destino})}")
        return super().login(request, {"titulo_da_entrada": "Entrar na supervisão", **(extra_context or {})})


# What a supervisor may do and an attendant may not: the difference between the two groups.
PODERES_DE_SUPERVISOR = frozenset(
    f"{app}.{codigo}" for app, codigo in set(PERMISSOES_SUPERVISORES) - set(PERMISSOES_ATENDENTES)
)


class PoderesVerificados:
    """An authentication backend that authenticates nobody and only refuses: a supervisor's power
    (PODERES_DE_SUPERVISOR) to a request's user whose session has not given the code. Raising
    PermissionDenied ends Django's permission check with "no" whatever the other backends say.

    Only the request's user carries ``is_verified`` (django-otp's OTPMiddleware puts it there): a
    user read from the database elsewhere (a command, a responsável chosen in a form) is judged on
    its groups alone. Active superusers hold every permission before any backend is asked; the
    back-office's views stop them (decorators.poder_de_supervisor)."""

    def authenticate(self, request, **credenciais):
        return None

    def has_perm(self, usuario, permissao, obj=None):
        if permissao in PODERES_DE_SUPERVISOR and not _verificado(usuario):
            raise PermissionDenied
        return False


def _verificado(usuario):
    verificar = getattr(usuario, "is_verified", None)
    return verificar is None or verificar()


def exigido_de_todos():
    """Whether the whole back-office asks for the code (PROTOCOLO_SEGUNDO_FATOR_ATENDENTES)."""
    return settings.PROTOCOLO_SEGUNDO_FATOR_ATENDENTES


def falta_para(usuario, permissao):
    """Whether `usuario` would hold `permissao` (app.codename) once verified and has not given the
    code yet: the supervisor to send to the code rather than refuse."""
    if permissao not in PODERES_DE_SUPERVISOR or _verificado(usuario) or not usuario.is_active:
        return False
    return usuario.is_superuser or ModelBackend().has_perm(usuario, permissao)


def falta_para_algum(usuario):
    return any(falta_para(usuario, permissao) for permissao in sorted(PODERES_DE_SUPERVISOR))


def pedir_codigo(destino):
    """The page that asks for the code (or enrols a device first), then goes on to `destino`."""
    return f"{reverse('atendimento:verificacao')}?{urlencode({REDIRECT_FIELD_NAME: destino})}"


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
