"""
The one way a webhook leaves this server (docs/seguranca.md, "Webhooks"). A subscription's URL is
typed by whoever set up an integrated system, and the request goes from inside the company's
network: without these rules it could reach the database, a metadata service or an admin page
(server-side request forgery). So:

- HTTPS only, with the certificate checked against the URL's host name;
- the name is resolved at each delivery, and every address it resolves to must be globally routable
  (`ip.is_global`) or in settings.PROTOCOLO_WEBHOOKS_ENDERECOS_PERMITIDOS (empty by default);
- the connection goes to the address that was checked, never to a second lookup of the name (so a
  second DNS answer cannot swap it for an internal address: DNS rebinding), with the host name sent
  in the TLS handshake (SNI) and in the Host header;
- short timeouts, for the connection and for the whole exchange;
- only the first bytes of the answer are read;
- redirects are not followed (http.client never follows them; a 3xx is a failed attempt).
"""

import functools
import http.client
import ipaddress
import socket
import ssl
import time
from typing import NamedTuple
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

# The answer is read up to here and the connection dropped: a receiver cannot make us read or keep
# a large body. The admin shows the first 500 characters.
RESPOSTA_MAXIMA = 4096


class EnderecoRecusado(Exception):
    """The URL or what its name resolves to is not allowed: no connection was made."""


class Resposta(NamedTuple):
    status: int
    inicio: bytes


def validar_url(url):
    """What a subscription's URL must be before anything resolves it; ValidationError in Portuguese."""
    try:
        _partes(url)
    except EnderecoRecusado as erro:
        raise ValidationError(str(erro)) from None


def _partes(url):
    """(host, port, path) of an https URL, or EnderecoRecusado."""
    try:
        partes = urlsplit(str(url))
        porta = partes.port or 443
    except ValueError:
        raise EnderecoRecusado("URL inválida.") from None
    if partes.scheme != "https":
        raise EnderecoRecusado("Só URLs https:// são aceitas.")
    if not partes.hostname:
        raise EnderecoRecusado("A URL não tem o nome do servidor.")
    if partes.username is not None or partes.password is not None:
        raise EnderecoRecusado("A URL não pode levar usuário e senha.")
    if any(ord(c) < 33 or ord(c) == 127 for c in str(url)):
        raise EnderecoRecusado("A URL contém espaços ou caracteres de controle.")
    if not str(url).isascii():
        # The request line and the Host header are ASCII: the name goes in punycode (xn--…) and the
        # path percent-encoded (%C3%A7 for ç), as a browser would send them.
        raise EnderecoRecusado(
            "A URL tem caracteres fora do ASCII: use o nome em punycode e o caminho codificado (%XX)."
        )
    caminho = partes.path or "/"
    if partes.query:
        caminho += "?" + partes.query
    return partes.hostname, porta, caminho


def _redes_permitidas():
    return [ipaddress.ip_network(rede, strict=False) for rede in settings.PROTOCOLO_WEBHOOKS_ENDERECOS_PERMITIDOS]


# NAT64's well-known prefix: a gateway turns 64:ff9b::a00:1 into 10.0.0.1.
NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _destino(ip):
    """The IPv4 address a relay reaches for this IPv6 one (NAT64, 6to4), or the address itself."""
    if ip.version == 6:
        if ip in NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if ip.sixtofour is not None:
            return ip.sixtofour
    return ip


def _na_lista(ip, redes):
    return any(ip in rede for rede in redes if rede.version == ip.version)


def endereco_permitido(endereco, redes=None):
    """Whether a webhook may connect to this IP address."""
    ip = ipaddress.ip_address(endereco.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        # ::ffff:127.0.0.1 is 127.0.0.1 on the wire.
        ip = ip.ipv4_mapped
    redes = _redes_permitidas() if redes is None else redes
    destino = _destino(ip)
    return _na_lista(ip, redes) or _na_lista(destino, redes) or (ip.is_global and destino.is_global)


def resolver(host, porta):
    """The addresses a name resolves to now, in the resolver's order."""
    enderecos = []
    for *_, endereco in socket.getaddrinfo(host, porta, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP):
        if endereco[0] not in enderecos:
            enderecos.append(endereco[0])
    return enderecos


def enderecos_verificados(host, porta, *, resolvedor=resolver):
    """The addresses to connect to, in the resolver's order: every answer of one lookup must be
    allowed (an answer that mixes an internal address with a public one is refused whole)."""
    try:
        enderecos = resolvedor(host, porta)
    except OSError as erro:
        raise EnderecoRecusado(f"O nome {host} não foi resolvido ({erro}).") from None
    if not enderecos:
        raise EnderecoRecusado(f"O nome {host} não foi resolvido.")
    redes = _redes_permitidas()
    proibidos = [e for e in enderecos if not endereco_permitido(e, redes)]
    if proibidos:
        raise EnderecoRecusado(
            f"{host} resolve para {', '.join(proibidos)}, endereço que não é público: a entrega foi recusada."
        )
    return enderecos


@functools.lru_cache(maxsize=4)
def _contexto_tls(ca):
    """One TLS context per CA setting, kept for the process: loading the system's authorities costs
    about a tenth of a second, more than the rest of a delivery. A changed CA file is read at the
    next start of the deliverer."""
    contexto = ssl.create_default_context(cafile=ca or None)
    contexto.minimum_version = ssl.TLSVersion.TLSv1_2
    return contexto


def postar(url, corpo, cabecalhos, *, resolvedor=resolver, tempo_limite=None):
    """POST `corpo` to an https URL under the rules above; Resposta(status, first bytes). Raises
    EnderecoRecusado (nothing sent), OSError (connection, TLS, timeout) or http.client's errors."""
    host, porta, caminho = _partes(url)
    enderecos = enderecos_verificados(host, porta, resolvedor=resolvedor)
    tempo_limite = settings.PROTOCOLO_WEBHOOKS_TEMPO_LIMITE if tempo_limite is None else tempo_limite
    fim = time.monotonic() + tempo_limite
    contexto = _contexto_tls(settings.PROTOCOLO_WEBHOOKS_CA)
    bruto = _conectar(enderecos, porta, fim)
    try:
        bruto.settimeout(_restante(fim))
        # The certificate is checked against the URL's name (and SNI carries it), not the address.
        tls = contexto.wrap_socket(bruto, server_hostname=host)
    except BaseException:
        bruto.close()
        raise
    # Given the context, so it does not build (and load the authorities into) one of its own.
    conexao = http.client.HTTPSConnection(host, porta, timeout=tempo_limite, context=contexto)
    # The socket already open to the checked address: http.client never resolves the name itself.
    conexao.sock = tls
    try:
        conexao.request("POST", caminho, body=corpo, headers={**cabecalhos, "Connection": "close"})
        tls.settimeout(_restante(fim))
        resposta = conexao.getresponse()
        inicio = b""
        while len(inicio) < RESPOSTA_MAXIMA:
            tls.settimeout(_restante(fim))
            pedaco = resposta.read1(RESPOSTA_MAXIMA - len(inicio))
            if not pedaco:
                break
            inicio += pedaco
        return Resposta(resposta.status, inicio)
    finally:
        conexao.close()


def _conectar(enderecos, porta, fim):
    """A TCP connection to the first of the checked addresses that answers (an IPv6 address the
    server has no route to, then the IPv4 one), within the time left."""
    erro = None
    for endereco in enderecos:
        try:
            return socket.create_connection((endereco, porta), timeout=_restante(fim))
        except TimeoutError:
            raise
        except OSError as falha:
            erro = falha
    raise erro


def _restante(fim):
    restante = fim - time.monotonic()
    if restante <= 0:
        raise TimeoutError("tempo esgotado")
    return restante
