"""The consumer portal's forms under the hostile corpus: stored as typed and shown inert everywhere,
or refused in Portuguese with nothing stored; never a 500."""

from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from consumidor.forms import COMENTARIO_MAXIMO, MENSAGEM_MAXIMA, OBJETO_MAXIMO
from protocolo import services
from protocolo.models import Consumidor, EscolhaDeCanal, Interacao, Mensagem, Protocolo
from protocolo.services.contatos import mascarar_contato, token_confirmacao
from tests.factories import categoria, email_de
from tests.hostil import inerte
from tests.hostil.corpus import CONTROLE, CORPUS, REPRESENTANTES, UNICODE, esperado
from tests.oidc.apoio import config

# Where a field's rule differs from the text areas' (one line), the control characters all go through it.
UMA_LINHA = [*REPRESENTANTES, *CONTROLE, *UNICODE]

pytestmark = pytest.mark.django_db

CPF_NOVO = "11144477735"

# Every consumidor URL that takes a POST, and the test below that sends it hostile input.
FORMULARIOS = {
    "consultar": "test_the_lookup_refuses_hostile_input",
    "abrir": "test_opening_keeps_or_refuses_the_objeto",
    "recuperar": "test_recovery_refuses_hostile_cpfs",
    "privacidade": "test_the_privacy_request_keeps_or_refuses_the_details",
    "mensagem": "test_a_consumer_message_is_kept_as_typed_and_shown_inert",
    "pedir_supervisao": "test_asking_for_supervision_ignores_hostile_fields",
    "resposta": "test_the_answer_to_a_resolution_keeps_or_refuses_the_comment",
    "sair": "test_signing_out_ignores_hostile_fields",
    "confirmar": "test_the_confirmation_ignores_hostile_fields_and_refuses_hostile_tokens",
    "confirmar_telefone": "test_the_contact_forms_refuse_hostile_input_in_portuguese",
    "novo_codigo": "test_the_contact_forms_refuse_hostile_input_in_portuguese",
    "preferir_canal": "test_the_contact_forms_refuse_hostile_input_in_portuguese",
    "canal_do_telefone": "test_the_contact_forms_refuse_hostile_input_in_portuguese",
    "verificar_inicio": "test_the_pdf_check_answers_hostile_files_and_names_with_a_verdict",
}
# Read-only pages that take a typed value in the URL or the query string.
CONSULTAS = {
    "verificar_inicio": "test_the_receipt_check_shows_a_hostile_code_inert",
    "verificar": "test_the_receipt_check_shows_a_hostile_code_inert",
    "entrar": "test_the_sign_in_refuses_hostile_input_in_portuguese",
    "entrar_retorno": "test_the_sign_in_refuses_hostile_input_in_portuguese",
    "link_curto": "test_a_hostile_short_link_code_opens_nothing",
}


def _cliente():
    return Client(raise_request_exception=False)


def _abertura(**campos):
    return {
        "cpf": CPF_NOVO,
        "nome": "Joana Teste",
        "email": "joana@exemplo.com.br",
        "categoria": str(categoria("cobranca").pk),
        "objeto": "Cobrança em dobro.",
        **campos,
    }


def _recusado(resposta, campo=None):
    """A refusal: the page again (200) with Portuguese errors on the form."""
    assert resposta.status_code == 200, resposta.status_code
    erros = inerte.erros_do_formulario(resposta)
    inerte.erros_em_portugues(erros)
    assert 'lang="pt-BR"' in resposta.text
    return erros


@pytest.mark.parametrize("carga", CORPUS, ids=str)
def test_opening_keeps_or_refuses_the_objeto(carga, vitrines):
    cliente = _cliente()
    resposta = cliente.post("/abrir/", _abertura(objeto=carga.valor))

    valor = esperado(carga.valor, maximo=OBJETO_MAXIMO, linhas=True)
    if valor is None:
        _recusado(resposta)
        inerte.html_inerte(resposta.text, carga.valor)
        assert not Protocolo.objects.filter(consumidor__cpf=CPF_NOVO).exists()
        return
    assert resposta.status_code == 302, resposta.status_code
    protocolo = Protocolo.objects.get(consumidor__cpf=CPF_NOVO)
    assert protocolo.objeto == valor
    vitrines.portal(protocolo, valor, cliente=cliente)
    vitrines.retaguarda(protocolo, valor)
    vitrines.admin(protocolo, valor, coluna="objeto")
    vitrines.mensagens(protocolo)


@pytest.mark.parametrize("carga", UMA_LINHA, ids=str)
def test_opening_keeps_or_refuses_the_name(carga, vitrines):
    cliente = _cliente()
    resposta = cliente.post("/abrir/", _abertura(nome=carga.valor))

    valor = esperado(carga.valor, maximo=200, linhas=False)
    if valor is None:
        _recusado(resposta)
        inerte.html_inerte(resposta.text, carga.valor)
        assert not Consumidor.objects.filter(cpf=CPF_NOVO).exists()
        return
    assert resposta.status_code == 302, resposta.status_code
    protocolo = Protocolo.objects.get(consumidor__cpf=CPF_NOVO)
    assert protocolo.consumidor.nome == valor
    vitrines.portal(protocolo, valor, cliente=cliente, mostra=False)
    vitrines.retaguarda(protocolo, valor, nome=valor)
    vitrines.admin(protocolo, valor, mostra=False, coluna="consumidor")
    # Messages to an e-mail typed on the portal greet no one by name: the name on a CPF may not be
    # the typist's (docs/seguranca.md, "Contatos e identidade").
    vitrines.mensagens(protocolo)


EMAILS_HOSTIS = [
    *REPRESENTANTES,
    *(
        type(REPRESENTANTES[0])("email", nome, valor)
        for nome, valor in {
            "aspas_com_tag": '"<svg onload=alert(1)>"@exemplo.com.br',
            "quebra_de_cabecalho": "joana@exemplo.com.br\r\nBcc: vitima@exemplo.com",
            "controle_entre_aspas": '"\x01\x07"@exemplo.com.br',
            "formula": "=1+1@exemplo.com.br",
            "dois_destinatarios": "joana@exemplo.com.br, vitima@exemplo.com",
        }.items()
    ),
]


# The one hostile value that is a valid address (a spreadsheet formula is the CSV export's concern).
EMAILS_GUARDADOS = {"email-formula": "=1+1@exemplo.com.br"}
# The errors each other value gets, when more than "not an e-mail".
ERROS_DO_EMAIL = {
    "longo-letras": {
        "Informe um e-mail válido.",
        "Certifique-se de que o valor tenha no máximo 254 caracteres (ele possui 100000).",
    },
    "controle-nulo": {
        "Informe um e-mail válido.",
        "O texto contém caracteres inválidos.",
        "Caracteres nulos não são permitidos.",
    },
    "controle-escape_ansi": {"Informe um e-mail válido.", "O texto contém caracteres inválidos."},
    "email-quebra_de_cabecalho": {
        "Informe um e-mail válido.",
        "Use uma linha só, sem quebras de linha nem tabulações.",
    },
    "email-controle_entre_aspas": {"O texto contém caracteres inválidos."},
}


@pytest.mark.parametrize("carga", EMAILS_HOSTIS, ids=str)
def test_opening_keeps_a_valid_email_as_typed_or_refuses_it(carga, vitrines):
    cliente = _cliente()
    resposta = cliente.post("/abrir/", _abertura(email=carga.valor))

    consumidor = Consumidor.objects.filter(cpf=CPF_NOVO).first()
    if carga.id not in EMAILS_GUARDADOS:
        assert consumidor is None
        erros = _recusado(resposta)
        assert set(erros) == ERROS_DO_EMAIL.get(carga.id, {"Informe um e-mail válido."}), erros
        return
    assert resposta.status_code == 302
    protocolo = consumidor.protocolos.get()
    contato = protocolo.contatos.get()
    assert contato.valor == carga.valor.strip() == EMAILS_GUARDADOS[carga.id]
    assert "\n" not in contato.valor and "\r" not in contato.valor
    # The back-office shows a contact masked: the attendant asks, rather than reads it out.
    vitrines.retaguarda(protocolo, mascarar_contato(contato))
    services.contato_confirmar(contato=contato)
    mensagens = vitrines.mensagens(protocolo)
    assert {m.destinatario for m in mensagens} == {contato.valor}
    assert [email.to for email in vitrines.caixa] == [[contato.valor]] * 2


ERROS_DA_ABERTURA = {
    "cpf": {"O CPF tem 11 dígitos.", "O CPF tem apenas algarismos (pontos e traço são opcionais)."},
    "categoria": {"Escolha um assunto da lista.", "Caracteres nulos não são permitidos."},
}


@pytest.mark.parametrize("campo", ["cpf", "categoria"])
@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_opening_refuses_a_hostile_cpf_or_categoria(campo, carga):
    resposta = _cliente().post("/abrir/", _abertura(**{campo: carga.valor}))

    erros = _recusado(resposta)
    inerte.html_inerte(resposta.text, carga.valor)
    assert not Protocolo.objects.exists()
    assert not Consumidor.objects.exists()
    assert erros and set(erros) <= ERROS_DA_ABERTURA[campo], erros


@pytest.mark.parametrize("campo", ["numero", "cpf"])
@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_the_lookup_refuses_hostile_input(campo, carga, protocolo):
    dados = {"numero": protocolo.numero, "cpf": "529.982.247-25", campo: carga.valor}
    resposta = _cliente().post("/consultar/", dados)

    _recusado(resposta)
    inerte.html_inerte(resposta.text, carga.valor)


@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_recovery_refuses_hostile_cpfs(carga, protocolo):
    # The CPF of a consumer with an e-mail and a protocol around the hostile value: a lenient
    # reading would find them. Recovery never delivers inside the request, so the outbox row it
    # would write is what tells; the clean CPF at the end shows that row does get written.
    cpf = protocolo.consumidor.cpf
    recuperacoes = Mensagem.objects.filter(assunto="Seus protocolos de atendimento")
    for valor in (carga.valor, cpf + carga.valor, carga.valor + cpf):
        resposta = _cliente().post("/recuperar/", {"cpf": valor})

        _recusado(resposta)
        inerte.html_inerte(resposta.text, valor)
    services.processar_pedidos_de_recuperacao()
    assert not recuperacoes.exists()

    _cliente().post("/recuperar/", {"cpf": cpf})
    services.processar_pedidos_de_recuperacao()
    assert recuperacoes.get().destinatario == email_de(protocolo.consumidor)


@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_the_privacy_request_keeps_or_refuses_the_details(carga, vitrines):
    cliente = _cliente()
    dados = _abertura(pedido="acesso", detalhes=carga.valor)
    resposta = cliente.post("/privacidade/", dados)

    valor = esperado(carga.valor, maximo=COMENTARIO_MAXIMO, linhas=True)
    if valor is None:
        _recusado(resposta)
        inerte.html_inerte(resposta.text, carga.valor)
        assert not Protocolo.objects.filter(consumidor__cpf=CPF_NOVO).exists()
        return
    assert resposta.status_code == 302, resposta.status_code
    protocolo = Protocolo.objects.get(consumidor__cpf=CPF_NOVO)
    assert protocolo.objeto.endswith("\n\n" + valor)
    vitrines.portal(protocolo, valor, cliente=cliente)
    vitrines.admin(protocolo, valor, coluna="objeto", valor_csv=protocolo.objeto)


@pytest.mark.parametrize("campo", ["cpf", "nome", "email", "pedido"])
@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_the_privacy_request_refuses_hostile_identification(campo, carga):
    resposta = _cliente().post("/privacidade/", _abertura(**{"pedido": "acesso", campo: carga.valor}))

    if campo == "nome" and esperado(carga.valor, maximo=200, linhas=False) is not None:
        assert resposta.status_code == 302
        assert Consumidor.objects.get(cpf=CPF_NOVO).nome == carga.valor.strip()
        return
    _recusado(resposta)
    inerte.html_inerte(resposta.text, carga.valor)
    assert not Consumidor.objects.filter(cpf=CPF_NOVO).exists()


@pytest.mark.parametrize("carga", CORPUS, ids=str)
def test_a_consumer_message_is_kept_as_typed_and_shown_inert(carga, visitante, protocolo, vitrines):
    antes = protocolo.interacoes.count()
    resposta = visitante.post(f"/protocolo/{protocolo.numero}/mensagem/", {"texto": carga.valor})

    valor = esperado(carga.valor, maximo=MENSAGEM_MAXIMA, linhas=True)
    if valor is None:
        _recusado(resposta)
        inerte.html_inerte(resposta.text, carga.valor)
        assert protocolo.interacoes.count() == antes
        return
    assert resposta.status_code == 302, resposta.status_code
    assert protocolo.interacoes.latest("ordem").texto == valor
    vitrines.portal(protocolo, valor)
    vitrines.retaguarda(protocolo, valor)
    vitrines.admin(protocolo, valor, mostra=False)


def _resolvido(protocolo, atendente):
    services.protocolo_resolver(protocolo=protocolo, texto="Estornamos a cobrança.", autor=atendente)


@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_the_answer_to_a_resolution_keeps_or_refuses_the_comment(carga, visitante, protocolo, atendente, vitrines):
    _resolvido(protocolo, atendente)
    antes = protocolo.interacoes.count()
    resposta = visitante.post(
        f"/protocolo/{protocolo.numero}/resposta/", {"resposta": "nao_resolvido", "comentario": carga.valor}
    )

    valor = esperado(carga.valor, maximo=COMENTARIO_MAXIMO, linhas=True)
    if valor is None:
        _recusado(resposta)
        inerte.html_inerte(resposta.text, carga.valor)
        assert protocolo.interacoes.count() == antes
        return
    assert resposta.status_code == 302, resposta.status_code
    assert Interacao.objects.filter(protocolo=protocolo, texto=valor).exists()
    vitrines.portal(protocolo, valor)
    vitrines.retaguarda(protocolo, valor)


@pytest.mark.parametrize("campo", ["resposta", "avaliacao"])
@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_the_answer_refuses_hostile_choices(campo, carga, visitante, protocolo, atendente):
    _resolvido(protocolo, atendente)
    dados = {"resposta": "resolvido", "avaliacao": "5", campo: carga.valor}
    resposta = visitante.post(f"/protocolo/{protocolo.numero}/resposta/", dados)

    _recusado(resposta)
    inerte.html_inerte(resposta.text, carga.valor)
    protocolo.refresh_from_db()
    assert protocolo.situacao == "resolvido"


@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_asking_for_supervision_ignores_hostile_fields(carga, visitante, protocolo):
    resposta = visitante.post(
        f"/protocolo/{protocolo.numero}/supervisao/", {"motivo": carga.valor, "nivel": carga.valor}
    )

    assert resposta.status_code == 302
    assert not any(carga.valor.strip() in i.texto for i in protocolo.interacoes.all())


@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_the_receipt_check_shows_a_hostile_code_inert(carga):
    cliente = _cliente()
    resposta = cliente.get("/verificar/", {"codigo": carga.valor})

    assert resposta.status_code in (200, 404), resposta.status_code
    inerte.html_inerte(resposta.text, carga.valor)
    caminho = "".join(c for c in carga.valor[:200] if c not in "/?#%\x00")
    if caminho.strip():
        resposta = cliente.get(f"/verificar/{caminho}/")
        assert resposta.status_code == 404, resposta.status_code
        inerte.html_inerte(resposta.text, caminho)


@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_the_pdf_check_answers_hostile_files_and_names_with_a_verdict(carga):
    """The corpus as the file's bytes, its name and a stray field: a verdict (tests/evidencias has
    the hostile PDFs themselves), shown inert."""
    conteudo = carga.valor.encode("utf-8", "surrogatepass")
    arquivo = SimpleUploadedFile(carga.valor[:100] + ".pdf", conteudo, content_type="application/pdf")

    resposta = _cliente().post("/verificar/", {"arquivo": arquivo, "codigo": carga.valor})

    assert resposta.status_code == 200, resposta.status_code
    assert resposta.context["veredito"][1] == "Não é um PDF"
    inerte.html_inerte(resposta.text, carga.valor)


@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_signing_out_ignores_hostile_fields(carga, visitante, protocolo):
    resposta = visitante.post("/sair/", {"next": carga.valor, "provedor": carga.valor})

    assert resposta.status_code == 302 and resposta["Location"] == "/"
    assert visitante.get(f"/protocolo/{protocolo.numero}/").status_code == 404


@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_the_sign_in_refuses_hostile_input_in_portuguese(carga, settings):
    # The state is checked before anything reaches the provider: nothing listens at this address.
    settings.PROTOCOLO_OIDC = {"empresa": config("http://127.0.0.1:9")}
    cliente = _cliente()
    for consulta in ({"code": carga.valor, "state": carga.valor}, {"error": carga.valor, "state": carga.valor}):
        resposta = cliente.get("/entrar/empresa/retorno/", consulta)

        assert resposta.status_code == 400, resposta.status_code
        assert "Entrada não concluída" in resposta.text
        inerte.html_inerte(resposta.text, carga.valor)
    caminho = "".join(c for c in carga.valor[:200] if c not in "/?#%\x00")
    if caminho.strip():
        for endereco in (f"/entrar/{caminho}/", f"/entrar/{caminho}/retorno/?code=a&state=b"):
            resposta = cliente.get(endereco)
            assert resposta.status_code == 404, resposta.status_code
            inerte.html_inerte(resposta.text, caminho)


@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_the_confirmation_ignores_hostile_fields_and_refuses_hostile_tokens(carga, protocolo):
    contato = services.contato_do_protocolo(
        protocolo=protocolo, tipo="email", valor="joana@exemplo.com.br", origem="portal"
    )

    forjado = _cliente().post(f"/confirmar/{quote(carga.valor[:2000], safe='')}/", {"token": carga.valor})
    assert forjado.status_code == 404
    inerte.html_inerte(forjado.text, carga.valor, mostra=False)

    certo = reverse("consumidor:confirmar", args=[token_confirmacao(contato)])
    resposta = _cliente().post(certo, {"token": carga.valor, "contato": carga.valor})
    assert resposta.status_code == 200
    inerte.html_inerte(resposta.text, carga.valor, mostra=False)
    contato.refresh_from_db()
    assert contato.confirmado_em is not None and contato.valor == "joana@exemplo.com.br"


ROTAS_DE_CONTATO = ["telefone/confirmar", "telefone/novo-codigo", "canais/preferencia", "canais/telefone"]


@pytest.mark.parametrize("rota", ROTAS_DE_CONTATO)
@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_the_contact_forms_refuse_hostile_input_in_portuguese(rota, carga, visitante, protocolo):
    campos = ("telefone", "codigo", "canal_preferido", "canal", "acao")
    resposta = visitante.post(f"/protocolo/{protocolo.numero}/{rota}/", dict.fromkeys(campos, carga.valor))

    assert resposta.status_code == 200, resposta.status_code
    inerte.html_inerte(resposta.text, carga.valor)
    assert "data-erros-canais" in resposta.text
    assert Protocolo.objects.get(pk=protocolo.pk).canal_preferido == ""
    assert not EscolhaDeCanal.objects.exists()


@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_a_hostile_short_link_code_opens_nothing(carga):
    cliente = _cliente()

    resposta = cliente.get(f"/l/{quote(carga.valor[:2000], safe='')}/")

    assert resposta.status_code == 404, resposta.status_code
    inerte.html_inerte(resposta.text, carga.valor, mostra=False)
    assert not cliente.session.get("protocolos_acessiveis")
