"""Checks that what someone typed comes back inert: escaped HTML, valid JSON, neutralised CSV cells,
e-mails whose headers carry no line break."""

import csv
import io
import json
import re
from email import message_from_bytes
from html.parser import HTMLParser

ATRIBUTOS_DE_URL = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}
# Control characters and blanks a browser ignores inside a URL's scheme ("java\tscript:" runs).
IGNORADOS_NA_URL = re.compile(r"[\x00-\x20\x7f]+")
ESQUEMAS_PERIGOSOS = ("javascript:", "vbscript:", "data:text/html")
# OWASP "CSV injection": a cell a spreadsheet would evaluate.
INICIO_DE_FORMULA = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
PALAVRAS_EM_INGLES = re.compile(
    r"\b(Enter a|Ensure this|This field|Select a valid|Null characters|not allowed|is required|Please)\b"
)
CABECALHOS_DO_EMAIL = {
    "Content-Type",
    "MIME-Version",
    "Content-Transfer-Encoding",
    "Subject",
    "From",
    "To",
    "Date",
    "Message-ID",
}


class _Leitor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problemas = []
        self.textos = []
        self.valores = []

    def handle_starttag(self, tag, attrs):
        for nome, valor in attrs:
            if nome.startswith("on"):
                self.problemas.append(f"<{tag} {nome}=…>: atributo de evento")
            if nome in ATRIBUTOS_DE_URL and valor:
                url = IGNORADOS_NA_URL.sub("", valor).lower()
                if url.startswith(ESQUEMAS_PERIGOSOS):
                    self.problemas.append(f"<{tag} {nome}={valor[:40]!r}>: URL executável")
            if nome == "value" and valor:
                self.valores.append(valor)
        atributos = dict(attrs)
        proprio = atributos.get("src") or atributos.get("nonce") or atributos.get("type") == "application/json"
        if tag == "script" and not proprio:
            self.problemas.append("<script> sem nonce nem src: não é nosso")
        if tag in {"iframe", "object", "embed", "base"}:
            self.problemas.append(f"<{tag}>: elemento que não usamos")

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.textos.append(data)


def _normalizar(texto):
    return " ".join(texto.split())


def html_inerte(html, valor=None, *, mostra=False):
    """Fail when the page runs something of what was typed; with mostra=True, also when the value
    is not on the page as text (so the check cannot pass by the value never being shown)."""
    leitor = _Leitor()
    leitor.feed(html)
    leitor.close()
    assert not leitor.problemas, leitor.problemas
    # A short value ("<", "<a") occurs in any page's own markup; a payload long enough to be one
    # (every corpus entry is) must never occur unescaped.
    if valor is not None and "<" in valor and len(valor) >= 12:
        assert valor not in html, "o valor aparece sem escape"
    if valor is not None and mostra:
        procurado = _normalizar(valor)
        assert procurado in _normalizar(" ".join(leitor.textos + leitor.valores)) or procurado in _normalizar(
            "".join(leitor.textos)
        ), "o valor não aparece na página"


def erros_em_portugues(mensagens):
    """Every message is Portuguese (none of Django's English defaults)."""
    mensagens = [str(m) for m in mensagens]
    assert mensagens, "nenhuma mensagem de erro"
    for mensagem in mensagens:
        assert not PALAVRAS_EM_INGLES.search(mensagem), mensagem
    return mensagens


def erros_do_formulario(resposta):
    """The errors of the bound forms in the response's context."""
    erros = []
    for contexto in resposta.context or []:
        for valor in contexto.flatten().values() if hasattr(contexto, "flatten") else []:
            formularios = valor.values() if isinstance(valor, dict) else [valor]
            for form in formularios:
                if getattr(form, "is_bound", False) and hasattr(form, "errors"):
                    for lista in form.errors.values():
                        erros.extend(lista)
    return erros


def _strings(dados):
    if isinstance(dados, str):
        yield dados
    elif isinstance(dados, dict):
        for valor in dados.values():
            yield from _strings(valor)
    elif isinstance(dados, list):
        for valor in dados:
            yield from _strings(valor)


def json_devolve(conteudo, valor=None):
    """The body is valid JSON and, given a value, carries it exactly."""
    dados = json.loads(conteudo)
    if valor is not None:
        assert any(valor in texto for texto in _strings(dados)), "o valor não está no JSON"
    return dados


def linhas_csv(conteudo):
    texto = conteudo.decode("utf-8")
    assert texto.startswith("\ufeff")
    return list(csv.reader(io.StringIO(texto[1:], newline=""), delimiter=";"))


def csv_neutro(linhas, *, coluna=None, valor=None):
    """No cell starts a formula; the cell of `coluna` holds `valor`, quoted when it would."""
    cabecalho, *corpo = linhas
    for linha in corpo:
        for celula in linha:
            assert not celula.lstrip().startswith(INICIO_DE_FORMULA), celula[:60]
    if coluna is not None:
        indice = cabecalho.index(coluna)
        celulas = [linha[indice] for linha in corpo]
        assert valor in celulas or "'" + valor in celulas, (valor[:60], [c[:60] for c in celulas])


def email_limpo(mensagem_de_email, *, corpo=None):
    """The message's headers are ours alone, none with a line break; the body keeps the text as typed."""
    bruto = mensagem_de_email.message().as_bytes()
    analisado = message_from_bytes(bruto)
    assert set(analisado.keys()) <= CABECALHOS_DO_EMAIL, analisado.keys()
    for chave, valor in mensagem_de_email.message().items():
        assert "\n" not in str(valor).replace("\n ", "").replace("\n\t", ""), (chave, valor)
    assert "\r" not in mensagem_de_email.subject and "\n" not in mensagem_de_email.subject
    if corpo is not None:
        assert corpo in mensagem_de_email.body
