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
