"""The ICP-Brasil roots we ship (pinned from certifi-icpbr) and the offline check of whether a signing
certificate chains to them (docs/evidencias.md, ICP-Brasil)."""

import datetime
import hashlib
import http.server
import threading
from pathlib import Path

import certifi_icpbr
import pytest
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID
from django.core.files.uploadedfile import SimpleUploadedFile
from pyhanko.sign import signers

from protocolo.evidencias import assinatura, desenvolvimento, icp

NOMES = {
    "Autoridade Certificadora Raiz Brasileira v5",
    "Autoridade Certificadora Raiz Brasileira v10",
    "Autoridade Certificadora Raiz Brasileira v11",
}


def _texto(resposta):
    return " ".join(resposta.text.split())


# The pins and the bundle


def test_the_pins_match_the_installed_bundle():
    raizes = icp.carregar()

    assert len(raizes) == 3
    assert {raiz.subject.native["common_name"] for raiz in raizes} == NOMES
    for raiz in raizes:
        assert raiz.subject == raiz.issuer
        assert raiz.subject.native["organization_name"] == "ICP-Brasil"
        assert hashlib.sha256(raiz.dump()).hexdigest() in icp.PINOS
    assert [raiz.dump() for raiz in icp.raizes()] == [raiz.dump() for raiz in raizes]


def test_only_the_icp_roots_are_used_not_mozillas():
    blocos = list(pem.unarmor(Path(certifi_icpbr.where()).read_bytes(), multiple=True))

    assert len(blocos) > 100  # the bundle holds Mozilla's roots and the ICP-Brasil intermediates too
    assert len(icp.raizes()) == 3
    assert all(ac.issuer.native["organization_name"] == "ICP-Brasil" for ac in icp.intermediarias())


def _copia_alterada(tmp_path, trocar):
    dados = Path(certifi_icpbr.where()).read_bytes()
    copia = tmp_path / "cacert.pem"
    copia.write_bytes(trocar(dados))
    return str(copia)


def _um_caractere_trocado_na_v10(dados):
    inicio = dados.index(b"# ICP-Brasilv10.crt")
    posicao = dados.index(b"-----BEGIN CERTIFICATE-----", inicio) + 28 + 200
    trocado = b"A" if dados[posicao : posicao + 1] != b"A" else b"B"
    return dados[:posicao] + trocado + dados[posicao + 1 :]


def _sem_a_v11(dados):
    inicio = dados.index(b"# ICP-Brasilv11.crt")
    fim = dados.index(b"-----END CERTIFICATE-----", inicio) + len(b"-----END CERTIFICATE-----")
    return dados[:inicio] + dados[fim:]


def _pem_da_v5_sem_fim(dados):
    inicio = dados.index(b"# ICP-Brasilv5.crt")
    fim = dados.index(b"-----END CERTIFICATE-----", inicio)
    return dados[:fim] + dados[fim + len(b"-----END CERTIFICATE-----") :]


@pytest.mark.parametrize(
    "trocar",
    [
        _um_caractere_trocado_na_v10,
        _sem_a_v11,
        lambda dados: b"isto n\xe3o \xe9 um pacote PEM" + dados[:500],
        _pem_da_v5_sem_fim,
    ],
    ids=["root-altered", "root-missing", "garbage", "broken-pem"],
)
def test_a_bundle_whose_roots_do_not_match_the_pins_yields_no_roots(tmp_path, trocar, caplog):
    caminho = _copia_alterada(tmp_path, trocar)

    assert icp.carregar(caminho) == ()
    assert icp.raizes_pem(caminho) == ""
    assert "ICP-Brasil" in caplog.text


def test_a_bundle_that_does_not_exist_yields_no_roots(tmp_path, caplog):
    assert icp.carregar(str(tmp_path / "nao-existe.pem")) == ()
    assert "ilegível" in caplog.text


# The chain check, with a throwaway hierarchy in place of ICP-Brasil's


class _Registro(http.server.BaseHTTPRequestHandler):
    pedidos = []

    def do_GET(self):
        self.pedidos.append(self.path)
        self.send_response(404)
        self.end_headers()

    do_POST = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def rede():
    """An HTTP server on loopback that records every request: the URLs of the throwaway chain's
    revocation lists, OCSP responder and issuer certificates all point at it."""
    _Registro.pedidos = []
    servidor = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Registro)
    servidor.timeout = 1
    linha = threading.Thread(target=servidor.serve_forever, daemon=True)
    linha.start()
    yield f"http://127.0.0.1:{servidor.server_port}", _Registro.pedidos
    servidor.shutdown()
    servidor.server_close()


def _nome(comum):
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "BR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ICP-Teste"),
            x509.NameAttribute(NameOID.COMMON_NAME, comum),
        ]
    )


def _emitir(nome, chave, emissor, chave_emissor, *, ac, url):
    agora = datetime.datetime.now(datetime.UTC)
    construtor = (
        x509.CertificateBuilder()
        .subject_name(nome)
        .issuer_name(emissor)
        .public_key(chave.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(agora - datetime.timedelta(days=1))
        .not_valid_after(agora + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ac, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(chave.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(chave_emissor.public_key()), critical=False)
    )
    if url and nome != emissor:
        construtor = construtor.add_extension(
            x509.CRLDistributionPoints(
                [x509.DistributionPoint([x509.UniformResourceIdentifier(f"{url}/lcr")], None, None, None)]
            ),
            critical=False,
        ).add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(url)),
                    x509.AccessDescription(
                        AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(f"{url}/ac.crt")
                    ),
                ]
            ),
            critical=False,
        )
    return construtor.sign(chave_emissor, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _hierarquia(url="", *, chave_folha=None):
    """(root, intermediate, leaf) DER certificates: a root, a CA it issues, and a signing certificate."""
    chave_raiz, chave_ac = (ec.generate_private_key(ec.SECP256R1()) for _ in range(2))
    chave_folha = chave_folha or ec.generate_private_key(ec.SECP256R1())
    nome_raiz, nome_ac = _nome("Raiz de Teste v99"), _nome("AC Intermediaria de Teste")
    raiz = _emitir(nome_raiz, chave_raiz, nome_raiz, chave_raiz, ac=True, url=url)
    ac = _emitir(nome_ac, chave_ac, nome_raiz, chave_raiz, ac=True, url=url)
    folha = _emitir(_nome("Empresa Teste Ltda.:00000000000191"), chave_folha, nome_ac, chave_ac, ac=False, url=url)
    return raiz, ac, folha


def test_a_certificate_that_chains_to_the_trusted_root_is_icp_without_any_network_access(rede):
    url, pedidos = rede
    raiz, ac, folha = _hierarquia(url)

    resultado = icp.conferir(folha, (ac,), raizes_confiaveis=[asn1_x509.Certificate.load(raiz)])

    assert resultado.icp, resultado.motivo
    assert resultado.raiz == "Raiz de Teste v99"
    assert resultado.versao_da_raiz == "v99"
    assert pedidos == []  # no CRL, no OCSP, no issuer fetched


def test_the_intermediate_may_come_from_the_other_certificates(rede):
    url, pedidos = rede
    raiz, ac, folha = _hierarquia(url)

    resultado = icp.conferir(
        folha, (), raizes_confiaveis=[asn1_x509.Certificate.load(raiz)], outros=[asn1_x509.Certificate.load(ac)]
    )

    assert resultado.icp, resultado.motivo
    assert pedidos == []


def test_a_missing_intermediate_is_not_fetched_and_the_chain_fails(rede):
    url, pedidos = rede
    raiz, _, folha = _hierarquia(url)

    resultado = icp.conferir(folha, (), raizes_confiaveis=[asn1_x509.Certificate.load(raiz)])

    assert not resultado.icp
    assert "PathBuildingError" in resultado.motivo
    assert pedidos == []  # the caIssuers URL was not followed


def test_a_chain_to_another_root_is_not_icp():
    _, ac, folha = _hierarquia()
    outra_raiz, _, _ = _hierarquia()

    assert not icp.conferir(folha, (ac,), raizes_confiaveis=[asn1_x509.Certificate.load(outra_raiz)]).icp


def test_an_expired_chain_is_not_icp():
    raiz, ac, folha = _hierarquia()
    depois = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=60)

    resultado = icp.conferir(folha, (ac,), raizes_confiaveis=[asn1_x509.Certificate.load(raiz)], momento=depois)

    assert not resultado.icp


def test_without_trust_roots_nothing_is_icp():
    _, ac, folha = _hierarquia()

    assert not icp.conferir(folha, (ac,), raizes_confiaveis=()).icp


def test_garbage_instead_of_a_certificate_is_not_icp():
    assert not icp.conferir(b"\x30\x03\x02\x01\x01", (), raizes_confiaveis=icp.raizes()).icp


def test_a_pkcs12_with_its_chain_is_checked_with_the_cas_it_carries(tmp_path, settings, client):
    chave = ec.generate_private_key(ec.SECP256R1())
    raiz, ac, folha = _hierarquia(chave_folha=chave)
    caminho = tmp_path / "ecnpj.p12"
    caminho.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"ecnpj",
            chave,
            x509.load_der_x509_certificate(folha),
            [x509.load_der_x509_certificate(ac), x509.load_der_x509_certificate(raiz)],
            serialization.BestAvailableEncryption(b"senha"),
        )
    )
    settings.PROTOCOLO_ASSINATURA_PKCS12 = str(caminho)
    settings.PROTOCOLO_ASSINATURA_SENHA = "senha"
    atual = assinatura.certificado()

    assert atual.intermediarias == (ac,)
    assert atual.raizes == (raiz,)
    assert icp.conferir(atual.der, atual.cadeia, raizes_confiaveis=[asn1_x509.Certificate.load(raiz)]).icp
    assert not icp.do_certificado(atual).icp  # a private root is not ICP-Brasil's
    blocos = [der for _, _, der in pem.unarmor(client.get("/verificar/certificado.pem").content, multiple=True)]
    assert blocos == [folha, ac, raiz]


def test_the_development_certificate_is_not_icp(tmp_path):
    caminho = desenvolvimento.criar(tmp_path / "dev.p12", senha="s")
    signer = signers.SimpleSigner.load_pkcs12(str(caminho), passphrase=b"s")
    cadeia = tuple(c.dump() for c in signer.cert_registry if c.dump() != signer.signing_cert.dump())

    resultado = icp.conferir(
        signer.signing_cert.dump(), cadeia, raizes_confiaveis=icp.raizes(), outros=icp.intermediarias()
    )

    assert not resultado.icp
    assert resultado.raiz == ""


def test_our_configured_certificate_is_checked_once_per_process():
    atual = assinatura.certificado()

    primeiro = icp.do_certificado(atual)
    segundo = icp.do_certificado(assinatura.certificado())

    assert primeiro is segundo
    assert not primeiro.icp  # the tests sign with a development certificate


# The pages


def test_the_certificate_page_says_the_development_certificate_is_not_icp(client):
    resposta = client.get("/verificar/certificado/")
    texto = _texto(resposta)

    assert resposta.status_code == 200
    assert (
        "Não é um certificado ICP-Brasil: a assinatura prova integridade e origem da nossa chave, sem a presunção "
        "do art. 10 §1 da MP 2.200-2." in texto
    )
    assert "Emitido pela ICP-Brasil" not in texto
    assert 'href="/verificar/certificado/icp-brasil.pem"' in resposta.text
    assert (
        "pyhanko sign validate --trust icp-brasil.pem --trust-replace --other-certs certificado-protocolo.pem "
        "--no-revocation-check arquivo.pdf" in texto
    )


def test_the_roots_download_holds_exactly_the_three_pinned_roots(client):
    resposta = client.get("/verificar/certificado/icp-brasil.pem")

    assert resposta.status_code == 200
    assert resposta["Content-Disposition"] == 'attachment; filename="icp-brasil.pem"'
    assert resposta["X-Content-Type-Options"] == "nosniff"
    blocos = [der for _, _, der in pem.unarmor(resposta.content, multiple=True)]
    assert sorted(hashlib.sha256(der).hexdigest() for der in blocos) == sorted(icp.PINOS)
    for der in blocos:
        assert asn1_x509.Certificate.load(der).subject.native["common_name"] in NOMES


@pytest.mark.django_db
def test_an_authentic_pdf_signed_with_a_non_icp_certificate_does_not_claim_the_presumption(client, assinado):
    resposta = client.post(
        "/verificar/", {"arquivo": SimpleUploadedFile("documento.pdf", assinado, content_type="application/pdf")}
    )

    _, titulo, explicacao = resposta.context["veredito"]
    assert titulo == "Documento autêntico e inalterado"
    assert "ICP-Brasil" not in explicacao


def _pagina_com_cadeia_icp(rf, veredito):
    """The verification page's text for this verdict, with our certificate chaining to ICP-Brasil."""
    from consumidor import evidencias
    from consumidor.forms import VerificacaoPdfForm

    resposta = evidencias._pagina(
        rf.get("/verificar/"),
        VerificacaoPdfForm(),
        veredito=veredito,
        cadeia_icp=icp.Cadeia(True, raiz="Autoridade Certificadora Raiz Brasileira v10"),
    )
    return " ".join(resposta.content.decode().split())


@pytest.mark.django_db
def test_with_an_icp_certificate_the_authentic_answer_says_so(rf):
    from protocolo.evidencias import validacao

    texto = _pagina_com_cadeia_icp(rf, validacao.Veredito.AUTENTICO)

    assert "Documento autêntico e inalterado" in texto
    assert "emitido pela ICP-Brasil (cadeia até a AC Raiz v10 conferida aqui, sem consulta à rede)" in texto
    assert "art. 10, § 1º, da MP 2.200-2/2001" in texto


@pytest.mark.django_db
def test_an_icp_certificate_does_not_make_another_signers_pdf_ours(rf):
    from protocolo.evidencias import validacao

    texto = _pagina_com_cadeia_icp(rf, validacao.Veredito.OUTRA_CHAVE)

    assert "Não assinado por nós" in texto
    assert "ICP-Brasil" not in texto
