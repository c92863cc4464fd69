"""The admin under the hostile corpus: searches and filters, the actions' confirmation forms, the
change forms of what supervisors may edit, and the CSV export; never a 500."""

import pytest
from django.contrib import admin
from django.test import Client

from protocolo.models import AssinaturaWebhook, Categoria, Feriado, RespostaPronta, SistemaIntegrado
from protocolo.services import TEXTO_MAXIMO
from tests.hostil import inerte
from tests.hostil.corpus import REPRESENTANTES, esperado
from tests.protocolo.apoio import retrato

pytestmark = pytest.mark.django_db

LISTAS = [
    "/admin/protocolo/protocolo/",
    "/admin/protocolo/interacao/",
    "/admin/protocolo/consumidor/",
    "/admin/protocolo/categoria/",
    "/admin/protocolo/feriado/",
    "/admin/protocolo/mensagem/",
    "/admin/protocolo/respostapronta/",
    "/admin/protocolo/acessodadopessoal/",
    "/admin/protocolo/assinaturawebhook/",
    "/admin/protocolo/entregawebhook/",
    "/admin/protocolo/protocolo/exportar/",
    "/admin/supervisao/",
]
# The models whose admin lets someone add or change rows, and the test that sends them hostile input.
EDITAVEIS = {
    "categoria": "test_a_categoria_name_is_kept_as_typed_or_refused",
    "feriado": "test_a_holiday_description_is_kept_as_typed_or_refused",
    "respostapronta": "test_a_canned_answer_title_is_kept_as_typed_or_refused",
    "consumidor": "test_the_legal_hold_reason_is_kept_as_typed_or_refused",
    "assinaturawebhook": "test_a_webhook_url_is_kept_as_typed_or_refused",
    "user": "test_user_and_group_forms_refuse_hostile_input_in_portuguese",
    "group": "test_user_and_group_forms_refuse_hostile_input_in_portuguese",
    "sistemaintegrado": "test_an_integrated_system_is_kept_as_typed_or_refused",
}


def test_every_editable_admin_model_is_covered(supervisor, django_user_model):
    raiz = django_user_model.objects.create_superuser("raiz", "raiz@exemplo.com", "s")
    pedido = type("Pedido", (), {"user": raiz})()
    # Ours and Django's users and groups; django-axes', django-otp's and django-sequences' admins
    # are their libraries' own.
    editaveis = {
        modelo._meta.model_name
        for modelo, modelo_admin in admin.site._registry.items()
        if modelo._meta.app_label in ("protocolo", "auth")
        and (modelo_admin.has_add_permission(pedido) or modelo_admin.has_change_permission(pedido))
    }
    assert editaveis <= set(EDITAVEIS), editaveis - set(EDITAVEIS)


@pytest.mark.parametrize(
    ("endereco", "parametro"),
    [
        *((endereco, "q") for endereco in LISTAS),
        *(
            ("/admin/protocolo/protocolo/", parametro)
            for parametro in ["situacao__exact", "prazo", "periodo", "responsavel", "o", "p"]
        ),
        ("/admin/protocolo/protocolo/exportar/", "prazo"),
        ("/admin/protocolo/categoria/", "ativa__exact"),
        ("/admin/protocolo/interacao/", "publica__exact"),
    ],
)
@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_searches_and_filters_answer_hostile_input(endereco, parametro, carga, protocolo, cliente_supervisor):
    resposta = cliente_supervisor.get(endereco, {parametro: carga.valor})

    assert resposta.status_code in (200, 302), resposta.status_code
    if endereco.endswith("exportar/") and resposta.status_code == 200:
        inerte.csv_neutro(inerte.linhas_csv(b"".join(resposta.streaming_content)))
    elif resposta.status_code == 200:
        inerte.html_inerte(resposta.text, carga.valor)


@pytest.mark.parametrize(
    ("acao", "campo", "dados"),
    [
        ("escalar", "motivo", {}),
        ("resolver", "texto", {}),
        ("cancelar", "motivo", {}),
        ("prorrogar", "motivo", {"novo_prazo": "2099-12-31"}),
        ("prorrogar", "novo_prazo", {"motivo": "Feriado."}),
        ("atribuir", "responsavel", {}),
    ],
)
@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_action_confirmations_keep_or_refuse_the_text(
    acao, campo, dados, carga, protocolo, cliente_supervisor, vitrines
):
    antes = protocolo.interacoes.count()
    corpo = {"action": acao, "_selected_action": protocolo.pk, "confirmar": "1", **dados, campo: carga.valor}
    resposta = cliente_supervisor.post("/admin/protocolo/protocolo/", corpo)

    valor = esperado(carga.valor, maximo=TEXTO_MAXIMO, linhas=True) if campo in ("motivo", "texto") else None
    if valor is None:
        assert resposta.status_code == 200, resposta.status_code
        inerte.erros_em_portugues(resposta.context["form"].errors.get(campo, []))
        inerte.html_inerte(resposta.text, carga.valor)
        assert protocolo.interacoes.count() == antes
        return
    assert resposta.status_code == 302, resposta.status_code
    assert protocolo.interacoes.latest("ordem").texto == valor
    vitrines.admin(protocolo, valor, mostra=True)
    vitrines.retaguarda(protocolo, valor)
    if acao in ("resolver", "cancelar"):
        vitrines.mensagens(protocolo, valor)


@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_a_forged_selection_is_a_message_not_a_500(carga, protocolo, cliente_supervisor):
    # A real protocol beside the forged id, and the action confirmed: nothing may be escalated.
    antes = retrato(protocolo)
    corpo = {
        "action": "escalar",
        "_selected_action": [protocolo.pk, carga.valor],
        "confirmar": "1",
        "motivo": "Escalado pela seleção forjada.",
    }
    resposta = cliente_supervisor.post("/admin/protocolo/protocolo/", corpo, follow=True)

    assert resposta.status_code == 200
    assert resposta.redirect_chain == [("/admin/protocolo/protocolo/", 302)]
    assert [(m.level_tag, str(m)) for m in resposta.context["messages"]] == [
        ("error", "Seleção inválida: escolha os itens na lista.")
    ]
    assert "Seleção inválida: escolha os itens na lista." in resposta.text
    inerte.html_inerte(resposta.text, carga.valor)
    assert retrato(protocolo) == antes


def _categoria(**campos):
    return {
        "nome": "Nova",
        "codigo": "nova",
        "prazo_dias": "7",
        "tipo_prazo": "corridos",
        "calendario": "civil",
        **campos,
    }


@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_a_categoria_name_is_kept_as_typed_or_refused(carga, protocolo, cliente_supervisor, vitrines):
    resposta = cliente_supervisor.post("/admin/protocolo/categoria/add/", _categoria(nome=carga.valor, ativa="on"))

    valor = esperado(carga.valor, maximo=100, linhas=False)
    categoria = Categoria.objects.filter(codigo="nova").first()
    if valor is None:
        assert categoria is None
        assert resposta.status_code == 200
        inerte.erros_em_portugues(resposta.context["adminform"].form.errors["nome"])
        inerte.html_inerte(resposta.text, carga.valor)
        return
    assert resposta.status_code == 302
    assert categoria.nome == valor
    # Shown where a categoria is chosen and named: the portal's form, the back-office and the CSV.
    inerte.html_inerte(Client().get("/abrir/").text, valor, mostra=True)
    protocolo.categoria = categoria
    protocolo.save(update_fields=["categoria"])
    vitrines.retaguarda(protocolo, valor)
    vitrines.admin(protocolo, valor, mostra=False, coluna="categoria")
    vitrines.portal(protocolo, valor, mostra=False)


@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_a_categoria_code_refuses_hostile_input(carga, cliente_supervisor):
    resposta = cliente_supervisor.post("/admin/protocolo/categoria/add/", _categoria(codigo=carga.valor))

    assert resposta.status_code == 200
    inerte.erros_em_portugues(resposta.context["adminform"].form.errors["codigo"])
    assert not Categoria.objects.filter(nome="Nova").exists()


@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_a_holiday_description_is_kept_as_typed_or_refused(carga, cliente_supervisor):
    resposta = cliente_supervisor.post(
        "/admin/protocolo/feriado/add/", {"data": "2099-01-02", "descricao": carga.valor}
    )

    valor = esperado(carga.valor, maximo=100, linhas=False)
    feriado = Feriado.objects.filter(data="2099-01-02").first()
    if valor is None:
        assert feriado is None
        assert resposta.status_code == 200
        inerte.erros_em_portugues(resposta.context["adminform"].form.errors["descricao"])
        inerte.html_inerte(resposta.text, carga.valor)
        return
    assert resposta.status_code == 302
    assert feriado.descricao == valor
    inerte.html_inerte(cliente_supervisor.get("/admin/protocolo/feriado/").text, valor, mostra=True)


@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_a_canned_answer_title_is_kept_as_typed_or_refused(carga, cliente_supervisor):
    dados = {"titulo": carga.valor, "categoria": "", "texto": "Olá, {nome}.", "ativa": "on"}
    dados |= {"versoes-TOTAL_FORMS": "0", "versoes-INITIAL_FORMS": "0"}
    resposta = cliente_supervisor.post("/admin/protocolo/respostapronta/add/", dados)

    valor = esperado(carga.valor, maximo=100, linhas=False)
    pronta = RespostaPronta.objects.first()
    if valor is None:
        assert pronta is None
        assert resposta.status_code == 200
        inerte.erros_em_portugues(resposta.context["adminform"].form.errors["titulo"])
        inerte.html_inerte(resposta.text, carga.valor)
        return
    assert resposta.status_code == 302
    assert pronta.titulo == valor and pronta.versoes.get().titulo == valor
    inerte.html_inerte(cliente_supervisor.get("/admin/protocolo/respostapronta/").text, valor, mostra=True)


def _url_aceita(url):
    """What the subscription form keeps of a URL (stripped, as every text field), or None: https,
    printable ASCII without spaces, at most 500 characters (protocolo/webhooks/rede.py)."""
    url = url.strip()
    imprimivel = url.isascii() and all(32 < ord(c) < 127 for c in url)
    return url if imprimivel and len(url) <= 500 else None


@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_a_webhook_url_is_kept_as_typed_or_refused(carga, cliente_supervisor, supervisor, django_user_model):
    sistema = SistemaIntegrado.objects.create(
        nome="CRM",
        escopos=["webhooks"],
        responsavel=supervisor,
        usuario=django_user_model.objects.create_user("sistema-crm"),
    )
    url = "https://crm.exemplo.com.br/" + carga.valor
    dados = {"sistema": sistema.pk, "url": url, "eventos": ["protocolo.aberto"], "ativa": "on"}
    resposta = cliente_supervisor.post("/admin/protocolo/assinaturawebhook/add/", dados)

    valor = _url_aceita(url)
    assinatura = AssinaturaWebhook.objects.first()
    if valor is None:
        assert assinatura is None
        assert resposta.status_code == 200
        inerte.erros_em_portugues(resposta.context["adminform"].form.errors["url"])
        inerte.html_inerte(resposta.text, carga.valor)
        return
    assert resposta.status_code == 302
    assert assinatura.url == valor
    inerte.html_inerte(cliente_supervisor.get("/admin/protocolo/assinaturawebhook/").text, valor, mostra=True)


@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_the_legal_hold_reason_is_kept_as_typed_or_refused(carga, protocolo, cliente_supervisor):
    consumidor = protocolo.consumidor
    endereco = f"/admin/protocolo/consumidor/{consumidor.pk}/change/"
    resposta = cliente_supervisor.post(endereco, {"retencao_suspensa": "on", "motivo_retencao": carga.valor})

    consumidor.refresh_from_db()
    valor = esperado(carga.valor, maximo=2000, linhas=True)
    if valor is None:
        assert not consumidor.retencao_suspensa
        assert resposta.status_code == 200
        inerte.erros_em_portugues(resposta.context["adminform"].form.errors["motivo_retencao"])
        inerte.html_inerte(resposta.text, carga.valor)
        return
    assert resposta.status_code == 302
    assert consumidor.motivo_retencao == valor
    inerte.html_inerte(cliente_supervisor.get(endereco).text, valor, mostra=True)


@pytest.mark.parametrize("campo", ["username", "first_name", "last_name", "email"])
@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_user_and_group_forms_refuse_hostile_input_in_portuguese(campo, carga, atendente, django_user_model):
    from tests.segundo_fator import Cliente

    raiz = django_user_model.objects.create_superuser("raiz", "raiz@exemplo.com", "s")
    cliente = Cliente(raise_request_exception=False)
    cliente.force_login(raiz)
    dados = {
        "username": atendente.username,
        "first_name": "Ana",
        "last_name": "Lima",
        "email": "ana@exemplo.com.br",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        campo: carga.valor,
    }
    resposta = cliente.post(f"/admin/auth/user/{atendente.pk}/change/", dados)

    assert resposta.status_code in (200, 302), resposta.status_code
    atendente.refresh_from_db()
    if resposta.status_code == 200:
        inerte.erros_em_portugues(resposta.context["adminform"].form.errors[campo])
        inerte.html_inerte(resposta.text, carga.valor)
        resposta = cliente.post("/admin/auth/group/add/", {"name": carga.valor})
        assert resposta.status_code in (200, 302)
        return
    valor = getattr(atendente, campo)
    assert valor == carga.valor.strip()
    # The attendant's name is how the record names them: the back-office, admin and CSV show it.
    inerte.html_inerte(cliente.get("/admin/auth/user/").text, valor)
    inerte.html_inerte(cliente.get("/admin/protocolo/protocolo/").text, valor)


@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_an_integrated_system_is_kept_as_typed_or_refused(carga, cliente_supervisor, supervisor):
    dados = {"escopos": ["protocolos:ler"], "enderecos_permitidos": "", "responsavel": supervisor.pk}
    resposta = cliente_supervisor.post("/admin/protocolo/sistemaintegrado/add/", {**dados, "nome": carga.valor})

    valor = esperado(carga.valor, maximo=100, linhas=False)
    sistema = SistemaIntegrado.objects.first()
    if valor is None:
        assert sistema is None
        assert resposta.status_code == 200
        inerte.erros_em_portugues(resposta.context["adminform"].form.errors["nome"])
        inerte.html_inerte(resposta.text, carga.valor)
    else:
        assert resposta.status_code == 302
        assert sistema.nome == valor
        inerte.html_inerte(cliente_supervisor.get("/admin/protocolo/sistemaintegrado/").text, valor, mostra=True)

    # The address list takes IPs and networks only; the tokens page, its two actions only.
    enderecos = cliente_supervisor.post(
        "/admin/protocolo/sistemaintegrado/add/", {**dados, "nome": "CRM", "enderecos_permitidos": carga.valor}
    )
    assert enderecos.status_code == 200
    inerte.erros_em_portugues(enderecos.context["adminform"].form.errors["enderecos_permitidos"])
    if sistema is not None:
        tokens = f"/admin/protocolo/sistemaintegrado/{sistema.pk}/tokens/"
        for campos in ({"acao": carga.valor}, {"acao": "revogar", "credencial": carga.valor}):
            pagina = cliente_supervisor.post(tokens, campos)
            assert pagina.status_code == 200
            inerte.html_inerte(pagina.text, carga.valor)
