import html
import json
import re

import altcha
from django.urls import reverse

CPF = "52998224725"
CPF_FORMATADO = "529.982.247-25"
CPF_MASCARADO = "***.982.247-**"
OUTRO_CPF = "11144477735"


def consultar(client, numero, cpf, **extra):
    return client.post(reverse("consumidor:consultar"), {"numero": numero, "cpf": cpf}, **extra)


def pagina(protocolo, nome="consumidor:protocolo"):
    return reverse(nome, args=[protocolo.numero])


def desafio_da_pagina(resposta):
    """The proof-of-work challenge a lookup page carries (its widget's attribute), or None."""
    achado = re.search(r'<altcha-widget[^>]* challenge="([^"]+)"', resposta.content.decode())
    return html.unescape(achado.group(1)) if achado else None


def resolver(resposta):
    """What the widget sends after solving the page's challenge, solved here by the altcha package's own
    solver (the test settings make it a few derivations)."""
    desafio = altcha.Challenge.from_dict(json.loads(desafio_da_pagina(resposta)))
    return altcha.Payload(desafio, altcha.solve_challenge(desafio, timeout=5)).to_base64()


def consultar_resolvendo(client, numero, cpf, **extra):
    """A lookup as a browser with JavaScript makes it: when the answer asks for the challenge, the
    widget solves it and the form goes again with the solution."""
    resposta = consultar(client, numero, cpf, **extra)
    if resposta.status_code == 429 and desafio_da_pagina(resposta):
        dados = {"numero": numero, "cpf": cpf, "altcha": resolver(resposta)}
        resposta = client.post(reverse("consumidor:consultar"), dados, **extra)
    return resposta


def normalizar_pagina(conteudo, *digitados):
    """A page's bytes without what differs by construction: the CSRF token and CSP nonce drawn for
    each answer, the challenge drawn for it, and what the visitor typed, echoed back in its fields."""
    conteudo = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b'name="csrfmiddlewaretoken" value=""', conteudo)
    conteudo = re.sub(rb'nonce="[^"]+"', b'nonce=""', conteudo)
    conteudo = re.sub(rb' challenge="[^"]+"', b' challenge=""', conteudo)
    for valor in digitados:
        assert f'value="{valor}"'.encode() in conteudo, valor
        conteudo = conteudo.replace(f'value="{valor}"'.encode(), b'value=""')
    return conteudo
