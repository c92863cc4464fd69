from django.urls import reverse


def test_the_home_page_explains_the_protocol_number_in_portuguese(client, db):
    resposta = client.get(reverse("consumidor:inicio"))

    assert resposta.status_code == 200
    assert "número de protocolo" in resposta.text
    assert "Procon" in resposta.text
    assert "7 dias corridos" in resposta.text


def test_bootstrap_is_served_from_our_own_static_files(client, db):
    resposta = client.get(reverse("consumidor:inicio"))

    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in resposta.text
    assert "cdn" not in resposta.text.lower()
    estatico = client.get("/static/vendor/bootstrap/css/bootstrap.min.css")
    try:
        assert estatico.status_code == 200
        assert b"Bootstrap" in b"".join(estatico.streaming_content)
    finally:
        estatico.close()


def _formulario(html):
    import re

    return re.search(r"<form .*?</form>", html, re.S).group(0)


def test_the_written_out_empty_lookup_form_is_the_one_crispy_forms_renders(client, db):
    """_consulta.html writes the empty form by hand (crispy-forms costs more than the page): it must
    stay the same form, with the same names, labels, help and attributes."""
    from django.template import engines
    from django.test.html import parse_html

    from consumidor.forms import ConsultaForm

    pelo_crispy = engines["django"].from_string(
        '{% load crispy_forms_tags %}<form method="post" action="{% url \'consumidor:consultar\' %}" '
        'class="card card-body mb-4" novalidate><h2 class="h5" id="titulo-consulta">Consultar um protocolo</h2>'
        '{% crispy form %}<button type="submit" class="btn btn-primary">Consultar</button></form>'
    )
    pagina = client.get(reverse("consumidor:inicio")).text
    escrito = _formulario(pagina).replace(_campo_csrf(pagina), "")

    assert parse_html(escrito) == parse_html(pelo_crispy.render({"form": ConsultaForm()}))


def _campo_csrf(html):
    import re

    return re.search(r'<input type="hidden" name="csrfmiddlewaretoken"[^>]*>', html).group(0)
