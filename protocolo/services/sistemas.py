"""
Integrated systems (docs/integracao.md): another system of the company (the telephone menu, a
chatbot, the CRM) registered by a supervisor, acting through an account of its own, and its tokens.

The account is what the services check and what the timeline names: it gets exactly the model
permissions its scopes need (PERMISSOES_DOS_ESCOPOS), never a supervisor's power (cancel, extend,
assign to others: those need a person with a second factor), belongs to no group, has no usable
password and no e-mail, so no login page and no password reset ever lets anyone in as it.

A token is shown once, when it is made; only its SHA-256 is kept (a token is 256 random bits: a
slow hash would buy nothing and cost every request). A system may hold two valid tokens at once,
so a rotation needs no downtime; a third is refused until one is revoked.
"""

import hashlib
import ipaddress
import re
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction

from .. import relogio
from ..contas.segundo_fator import PODERES_DE_SUPERVISOR
from ..exceptions import DadosInvalidos, PermissaoNegada
from ..models import AcessoDadoPessoal, Credencial, EscopoSistema, SistemaIntegrado
from .historico import _texto

# What each scope lets the system's account do in the services, as protocolo.<codename>.
PERMISSOES_DOS_ESCOPOS = {
    EscopoSistema.ABRIR: ("add_protocolo", "add_consumidor"),
    EscopoSistema.LER: ("view_protocolo", "view_interacao"),
    EscopoSistema.INTERACOES: ("add_interacao",),
    EscopoSistema.AGIR: ("change_protocolo", "atender_protocolo", "escalar_protocolo", "add_consumidor"),
    EscopoSistema.CONSUMIDORES: ("view_consumidor",),
    EscopoSistema.VINCULAR: ("atender_protocolo", "change_consumidor"),
    EscopoSistema.WEBHOOKS: (),
}
# Two valid tokens at once: the one in use and the one replacing it.
CREDENCIAIS_VALIDAS_MAXIMO = 2
PREFIXO_DO_TOKEN = "ptc_"  # nosec B105  # noqa: S105 (a label, not a secret)
# The token's first characters kept in the clear, to tell tokens apart in the admin and in logs.
TAMANHO_DO_PREFIXO = 12
NOME_DE_USUARIO = re.compile(r"[^a-z0-9]+")


def hash_do_token(token):
    return hashlib.sha256(str(token).encode("utf-8", "surrogatepass")).hexdigest()


def _escopos(escopos):
    validos = set(EscopoSistema.values)
    escolhidos = [str(e) for e in escopos or ()]
    invalidos = sorted(set(escolhidos) - validos)
    if invalidos:
        raise DadosInvalidos(f"Escopo desconhecido: {', '.join(invalidos)}.")
    return sorted(set(escolhidos))


def normalizar_enderecos(enderecos):
    """Addresses or networks (CIDR) as stored, or DadosInvalidos naming the first bad one."""
    normalizados = []
    for item in enderecos or ():
        texto = str(item).strip()
        if not texto:
            continue
        try:
            normalizados.append(str(ipaddress.ip_network(texto, strict=False)))
        except ValueError:
            raise DadosInvalidos(
                f"Endereço inválido: “{texto[:60]}” (use um IP ou uma rede, como 10.0.0.0/24)."
            ) from None
    return sorted(set(normalizados))


def endereco_permitido(sistema, ip):
    """Whether a request from `ip` may use this system's tokens: any address when its list is empty."""
    if not sistema.enderecos_permitidos:
        return True
    try:
        endereco = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if endereco.version == 6 and endereco.ipv4_mapped:
        endereco = endereco.ipv4_mapped
    for rede in sistema.enderecos_permitidos:
        try:
            if endereco in ipaddress.ip_network(rede, strict=False):
                return True
        except ValueError:
            continue
    return False


def _permissoes(escopos):
    codigos = {codigo for escopo in escopos for codigo in PERMISSOES_DOS_ESCOPOS[escopo]}
    # A supervisor's power never reaches an account without a person and a second factor behind it.
    codigos = {c for c in codigos if f"protocolo.{c}" not in PODERES_DE_SUPERVISOR}
    return Permission.objects.filter(content_type__app_label="protocolo", codename__in=codigos)


def _conceder(sistema):
    sistema.usuario.user_permissions.set(_permissoes(sistema.escopos if sistema.ativo else ()))


def sistema_criar(*, nome, escopos, responsavel, enderecos_permitidos=(), autor=None):
    """Register a system and the account it acts as. Returns the system (no token yet)."""
    _exigir_supervisor(autor)
    nome = _texto(nome, campo="nome")[:100]
    escopos = _escopos(escopos)
    enderecos = normalizar_enderecos(enderecos_permitidos)
    with transaction.atomic():
        if SistemaIntegrado.objects.filter(nome=nome).exists():
            raise DadosInvalidos(f"Já existe um sistema chamado “{nome}”.")
        usuario = get_user_model()(
            username=_nome_de_usuario(nome),
            # The team sees the system's name (nome_de reads the full name); the public timeline,
            # which shows a first name only, says "Atendente".
            last_name=nome[:150],
            is_active=True,
            is_staff=False,
        )
        usuario.set_unusable_password()
        usuario.save()
        sistema = SistemaIntegrado.objects.create(
            nome=nome, escopos=escopos, enderecos_permitidos=enderecos, responsavel=responsavel, usuario=usuario
        )
        _conceder(sistema)
    return sistema


def _nome_de_usuario(nome):
    base = "sistema-" + (NOME_DE_USUARIO.sub("-", nome.lower()).strip("-")[:40] or "integrado")
    usuario = base
    while get_user_model().objects.filter(username=usuario).exists():
        usuario = f"{base}-{secrets.token_hex(3)}"
    return usuario


def sistema_alterar(*, sistema, escopos, enderecos_permitidos, ativo, responsavel=None, autor=None):
    """Change what a system may do; its account's permissions follow. Deactivated, its tokens stop
    working at once (Credencial.objects.validas)."""
    _exigir_supervisor(autor)
    escopos = _escopos(escopos)
    enderecos = normalizar_enderecos(enderecos_permitidos)
    with transaction.atomic():
        sistema = SistemaIntegrado.objects.select_for_update().select_related("usuario").get(pk=sistema.pk)
        sistema.escopos, sistema.enderecos_permitidos, sistema.ativo = escopos, enderecos, bool(ativo)
        campos = ["escopos", "enderecos_permitidos", "ativo"]
        if responsavel is not None:
            sistema.responsavel = responsavel
            campos.append("responsavel")
        sistema.save(update_fields=campos)
        _conceder(sistema)
    return sistema


def credencial_criar(*, sistema, autor):
    """A new token for the system: (credencial, token). The token is in no row and no log: the
    caller shows it once."""
    _exigir_supervisor(autor)
    with transaction.atomic():
        sistema = SistemaIntegrado.objects.select_for_update().get(pk=sistema.pk)
        if not sistema.ativo:
            raise DadosInvalidos("O sistema está desativado: ative-o antes de criar um token.")
        if sistema.credenciais.validas().count() >= CREDENCIAIS_VALIDAS_MAXIMO:
            raise DadosInvalidos(
                f"O sistema já tem {CREDENCIAIS_VALIDAS_MAXIMO} tokens válidos: revogue o antigo antes de criar outro."
            )
        token = PREFIXO_DO_TOKEN + secrets.token_urlsafe(32)
        credencial = Credencial.objects.create(
            sistema=sistema, prefixo=token[:TAMANHO_DO_PREFIXO], hash=hash_do_token(token), criada_por=autor
        )
    return credencial, token


def credencial_revogar(*, credencial, autor):
    """Revoke a token for good (the row stays, with when). Revoking twice changes nothing."""
    _exigir_supervisor(autor)
    with transaction.atomic():
        credencial = Credencial.objects.select_for_update().get(pk=credencial.pk)
        if credencial.revogada_em is None:
            credencial.revogada_em = relogio.agora()
            credencial.save(update_fields=["revogada_em"])
    return credencial


def consumidor_registrar_leitura(*, consumidor, sistema, protocolo=None):
    """One row of the access log (LGPD art. 37) for a read of the consumer's data by a system, as
    "mostrar CPF" writes one for a person. Nothing when there is no consumer."""
    if consumidor is None:
        return None
    return AcessoDadoPessoal.objects.create(
        usuario=sistema.usuario, consumidor=consumidor, protocolo=protocolo, tipo=AcessoDadoPessoal.Tipo.API
    )


def _exigir_supervisor(autor):
    # Only a supervisor registers systems and handles their tokens; None is a command or a test.
    if autor is not None and not autor.has_perm("protocolo.exportar_protocolos"):
        raise PermissaoNegada("Só supervisores cadastram sistemas integrados e seus tokens.")
