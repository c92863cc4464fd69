"""Every URL pattern of the root resolver, the admin's included, and a concrete address for each.

A pattern is keyed by its name ("admin:protocolo_protocolo_change") or, unnamed, by its route
("admin/protocolo/protocolo/<path:object_id>/"). Addresses are built from real rows: the protocol
the visitor holds, its consumer, a category, the supervisor's own user, one row of every model the
admin registers."""

import re
from dataclasses import dataclass

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from sequences.models import Sequence

from protocolo import services
from protocolo.models import (
    AcessoDadoPessoal,
    AssinaturaWebhook,
    Categoria,
    EntregaWebhook,
    Feriado,
    Mensagem,
    MensagemRecebida,
    RespostaPronta,
    SistemaIntegrado,
)
from protocolo.services import respostas
from tests.factories import ConsumidorFactory, abrir

ACESSO = {"username": "alguem", "ip_address": "203.0.113.9", "user_agent": "teste", "path_info": "/"}


@dataclass(frozen=True)
class Rota:
    chave: str
    rota: str


def rotas(resolver=None, prefixo="", espaco=""):
    for padrao in (resolver or get_resolver()).url_patterns:
        if isinstance(padrao, URLResolver):
            namespace = f"{espaco}{padrao.namespace}:" if padrao.namespace else espaco
            yield from rotas(padrao, prefixo + str(padrao.pattern), namespace)
        elif isinstance(padrao, URLPattern):
            rota = prefixo + str(padrao.pattern)
            yield Rota(espaco + padrao.name if padrao.name else rota, rota)


def chaves():
    return {r.chave for r in rotas()}


ADMIN_MODELO = re.compile(
    r"^admin:(?P<app>[a-z_]+?)_(?P<modelo>[a-z]+)_(?P<acao>changelist|add|change|history|delete)$"
)


def modelos_do_admin():
    """(app_label, model_name) of every model the admin registers."""
    return sorted((m._meta.app_label, m._meta.model_name) for m in admin.site._registry)


def usuario_de(cliente):
    return User.objects.get(pk=cliente.session["_auth_user_id"])


class Objetos:
    """One real row of each admin model, made on first use, and its primary key."""

    def __init__(self, clientes):
        self.protocolo = clientes.protocolo
        self.supervisor = usuario_de(clientes["supervisor"])
        self._linhas = {}

    def pk(self, app, modelo):
        if (app, modelo) not in self._linhas:
            self._linhas[app, modelo] = getattr(self, f"_{app}_{modelo}")()
        return self._linhas[app, modelo].pk

    def _protocolo_protocolo(self):
        return self.protocolo

    def _protocolo_interacao(self):
        return self.protocolo.interacoes.first()

    def _protocolo_consumidor(self):
        return ConsumidorFactory()

    def _protocolo_categoria(self):
        return Categoria.objects.first()

    def _protocolo_feriado(self):
        return Feriado.objects.create(data="2030-04-19", descricao="Sexta-feira Santa")

    def _protocolo_respostapronta(self):
        return respostas.resposta_salvar(
            resposta=RespostaPronta(titulo="Prazo", texto="Olá, {nome}."), autor=self.supervisor
        )

    def _protocolo_mensagem(self):
        return Mensagem.objects.create(destinatario="a@exemplo.com.br", assunto="Teste", corpo="Olá")

    def _protocolo_mensagemrecebida(self):
        return MensagemRecebida.objects.create(
            canal="whatsapp", provedor="meta", id_no_provedor="wamid.rotas", telefone="+5511987654321", texto="Oi"
        )

    def _protocolo_acessodadopessoal(self):
        consumidor = ConsumidorFactory()
        protocolo = abrir(consumidor=consumidor)
        return AcessoDadoPessoal.objects.create(
            usuario=self.supervisor, consumidor=consumidor, protocolo=protocolo, tipo="ver_cpf"
        )

    def _protocolo_sistemaintegrado(self):
        return services.sistema_criar(nome="URA", escopos=["protocolos:abrir"], responsavel=self.supervisor)

    def _protocolo_assinaturawebhook(self):
        usuario = User.objects.create_user(username="sistema-crm-rotas")
        sistema = SistemaIntegrado.objects.create(
            nome="CRM (rotas)", escopos=["webhooks"], responsavel=self.supervisor, usuario=usuario
        )
        return AssinaturaWebhook.objects.create(
            sistema=sistema, url="https://crm.exemplo.com.br/webhooks", eventos=["protocolo.aberto"]
        )

    def _protocolo_entregawebhook(self):
        assinatura = AssinaturaWebhook.objects.get(pk=self.pk("protocolo", "assinaturawebhook"))
        abrir()
        return EntregaWebhook.objects.filter(assinatura=assinatura).latest("pk")

    def _auth_user(self):
        return self.supervisor

    def _auth_group(self):
        return Group.objects.first()

    def _sequences_sequence(self):
        return Sequence.objects.first()

    def _axes_accessattempt(self):
        return AccessAttempt.objects.create(**ACESSO, failures_since_start=1)

    def _axes_accesslog(self):
        return AccessLog.objects.create(**ACESSO)

    def _axes_accessfailurelog(self):
        return AccessFailureLog.objects.create(**ACESSO)

    def _otp_totp_totpdevice(self):
        return TOTPDevice.objects.create(user=self.supervisor, name="Outro", confirmed=True)


def endereco(rota, objetos, argumentos):
    """A concrete address for `rota`; `argumentos` maps a URL name to a function of the visitor's
    protocol giving its kwargs (the apps' permission tables)."""
    if rota.chave in argumentos:
        return reverse(rota.chave, kwargs=argumentos[rota.chave](objetos.protocolo))
    especiais = {
        "admin:app_list": lambda: reverse("admin:app_list", kwargs={"app_label": "protocolo"}),
        "admin/(?P<url>.*)$": lambda: "/admin/nao-existe/",
        "admin:view_on_site": lambda: reverse(
            "admin:view_on_site",
            kwargs={
                "content_type_id": ContentType.objects.get_for_model(objetos.protocolo).pk,
                "object_id": objetos.protocolo.pk,
            },
        ),
        "admin:auth_user_password_change": lambda: reverse(
            "admin:auth_user_password_change", kwargs={"id": objetos.pk("auth", "user")}
        ),
        "admin:protocolo_protocolo_acao": lambda: reverse(
            "admin:protocolo_protocolo_acao",
            kwargs={"object_id": objetos.pk("protocolo", "protocolo"), "nome": "cancelar"},
        ),
        "admin:protocolo_sistemaintegrado_tokens": lambda: reverse(
            "admin:protocolo_sistemaintegrado_tokens", kwargs={"object_id": objetos.pk("protocolo", "sistemaintegrado")}
        ),
        "admin:otp_totp_totpdevice_config": lambda: reverse(
            "admin:otp_totp_totpdevice_config", kwargs={"pk": objetos.pk("otp_totp", "totpdevice")}
        ),
        "admin:otp_totp_totpdevice_qrcode": lambda: reverse(
            "admin:otp_totp_totpdevice_qrcode", kwargs={"pk": objetos.pk("otp_totp", "totpdevice")}
        ),
    }
    if rota.chave in especiais:
        return especiais[rota.chave]()
    if casado := ADMIN_MODELO.match(rota.chave):
        if casado["acao"] in ("changelist", "add"):
            return reverse(rota.chave)
        return reverse(rota.chave, kwargs={"object_id": objetos.pk(casado["app"], casado["modelo"])})
    if casado := re.fullmatch(r"admin/(?P<app>[a-z_]+)/(?P<modelo>[a-z]+)/<path:object_id>/", rota.chave):
        return f"/admin/{casado['app']}/{casado['modelo']}/{objetos.pk(casado['app'], casado['modelo'])}/"
    return reverse(rota.chave)
