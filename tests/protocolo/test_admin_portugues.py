"""The admin speaks Brazilian Portuguese on every page a supervisor or the superuser opens: no
English left by Django or by the apps it hosts, and dates as pt-BR writes them."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import abrir

pytestmark = pytest.mark.django_db

# Words of the admin's English interface, as whole words in the visible text.
INGLES = [
    "TOTP device",
    "TOTP devices",
    "OTP_TOTP",
    "Add",
    "Change",
    "History",
    "Delete",
    "Search",
    "Filter",
    "Show all",
    "View site",
    "Log out",
    "Welcome",
    "Save",
    "Home",
    "Action",
    "Go",
    "Run",
    "Select all",
    "Access attempts",
    "Access logs",
    "Access failures",
    "Sequences",
    "Sequence",
    "Last used",
    "Created",
    "Confirmed",
    "Authentication and Authorization",
    "Users",
    "Groups",
]
# Left as they are: the permission names on the group and user forms are rows Django writes in
# English ("Can add …") for every model, and a sequence's row shows its library's own text.
FORA = {"/admin/auth/group/add/", "/admin/auth/user/add/", "/admin/sequences/sequence/"}
MESES = "Janeiro|Fevereiro|Março|Abril|Maio|Junho|Julho|Agosto|Setembro|Outubro|Novembro|Dezembro"


def _texto_visivel(html):
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<!--.*?-->", " ", html, flags=re.S)
    # The words a reader sees: text and the values of buttons, titles and alternative texts.
    atributos = " ".join(re.findall(r'\s(?:value|title|alt|aria-label|placeholder)="([^"]*)"', html))
    return re.sub(r"<[^>]+>", " ", html) + " " + atributos


def _paginas(superusuario_cliente):
    protocolo = abrir()
    paginas = [reverse("admin:index"), reverse("supervisao")]
    for modelo, modelo_admin in admin.site._registry.items():
        opts = modelo._meta
        paginas.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        paginas.append(reverse("admin:app_list", args=[opts.app_label]))
        if modelo_admin.has_add_permission(type("R", (), {"user": superusuario_cliente.usuario})()):
            paginas.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    paginas.append(reverse("admin:protocolo_protocolo_change", args=[protocolo.pk]))
    return sorted(set(paginas) - FORA)


@pytest.fixture
def superusuario_cliente(client, django_user_model):
    usuario = django_user_model.objects.create_superuser("raiz", "raiz@example.com", "senha-de-teste-longa")
    client.force_login(usuario)
    client.usuario = usuario
    return client


def test_no_admin_page_shows_english(superusuario_cliente):
    achados = {}
    for pagina in _paginas(superusuario_cliente):
        resposta = superusuario_cliente.get(pagina)
        assert resposta.status_code == 200, pagina
        texto = _texto_visivel(resposta.text)
        ingles = [p for p in INGLES if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", texto)]
        if ingles:
            achados[pagina] = ingles
    assert achados == {}


def test_dates_in_the_admin_write_months_in_lowercase(superusuario_cliente):
    protocolo = abrir()

    texto = _texto_visivel(
        superusuario_cliente.get(reverse("admin:protocolo_protocolo_change", args=[protocolo.pk])).text
    )

    assert not re.search(rf"\d+ de ({MESES}) de \d{{4}}", texto)
    assert re.search(
        r"\d+ de (janeiro|fevereiro|março|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro) de \d{4}",
        texto,
    )
