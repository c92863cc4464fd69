"""
The admin's second factor in tests. `force_login` stands for a complete login: the password and,
for staff, the authenticator code (the admin refuses a staff session that has not given it). Tests
of the second factor itself log in with `force_login(usuario, verificado=False)` or through the pages.
"""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def dispositivo_de(usuario):
    """The user's confirmed TOTP device, made if there is none."""
    existente = TOTPDevice.objects.filter(user=usuario, confirmed=True).first()
    return existente or TOTPDevice.objects.create(user=usuario, name="Aplicativo autenticador", confirmed=True)


def codigo(dispositivo, deslocamento=0):
    """The code the authenticator app shows now (or `deslocamento` 30-second steps away)."""
    totp = TOTP(dispositivo.bin_key, dispositivo.step, dispositivo.t0, dispositivo.digits)
    totp.time += deslocamento * dispositivo.step
    return f"{totp.token():0{dispositivo.digits}d}"


class Cliente(Client):
    def force_login(self, user, backend=None, *, verificado=True):
        super().force_login(user, backend)
        if verificado and user.is_staff:
            sessao = self.session
            sessao[DEVICE_ID_SESSION_KEY] = dispositivo_de(user).persistent_id
            sessao.save()
