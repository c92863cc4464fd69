"""Hostile input, by family: what every form of the portal, the back-office and the admin must store
as typed (and show inert) or refuse with a Portuguese message, never a 500."""

import unicodedata
from dataclasses import dataclass

LONGO = 100_000


@dataclass(frozen=True)
class Carga:
    familia: str
    nome: str
    valor: str

    def __str__(self):
        return f"{self.familia}-{self.nome}"

    @property
    def id(self):
        return str(self)


def _cargas(familia, **valores):
    return [Carga(familia, nome, valor) for nome, valor in valores.items()]


XSS = _cargas(
    "xss",
    script="<script>alert(1)</script>",
    img_onerror='"><img src=x onerror=alert(1)>',
    aspas_simples="'><svg/onload=alert(1)>",
    js_link="javascript:alert(1)",
    js_link_maiusculo="  JaVaScRiPt:alert(document.cookie)",
    svg_onload="<svg onload=alert(1)>",
    ancora_js='<a href="javascript:alert(1)">clique</a>',
    comentario_aberto="<!-- nada depois disto aparece",
    fecha_textarea="</textarea><script>alert(1)</script>",
    fecha_titulo="</title><script>alert(1)</script>",
    iframe='<iframe src="javascript:alert(1)"></iframe>',
    estilo="<style>body{display:none}</style>",
    entidade="&lt;script&gt;alert(1)&lt;/script&gt;",
    modelo_django="{{ request.user }} {% debug %}",
    tag_quebrada="<div <b>x</ <i",
)

SQL = _cargas(
    "sql",
    drop="'; DROP TABLE protocolo_protocolo; --",
    ou_verdadeiro="' OR '1'='1",
    union="1 UNION SELECT username, password FROM auth_user --",
    comentario="admin'/*",
    porcento="100% _curinga_ \\ barra",
)

FORMULA = _cargas(
    "formula",
    hyperlink='=HYPERLINK("http://x","y")',
    mais="+1+1",
    menos="-2+3",
    arroba="@SUM(A1)",
    tab="\t=1+1",
    cr="\r=1+1",
    dde="=cmd|' /C calc'!A0",
    largura_total="＝1+1",
)

LONGOS = _cargas(
    "longo",
    letras="a" * LONGO,
    multibyte="ç" * LONGO,
    astral="😀" * (LONGO // 2),
)

CONTROLE = _cargas(
    "controle",
    nulo="antes\x00depois",
    so_nulo="\x00",
    escape_ansi="\x1b[31mvermelho\x1b[0m",
    campainha="ding\x07",
    backspace="abc\x08\x08\x08xyz",
    c1_nel="linha\x85outra",
    c1_csi="a\x9bb",
    del_="a\x7fb",
    crlf_cabecalho="Maria\r\nBcc: vitima@exemplo.com",
    lf="primeira\nsegunda",
    tab="coluna\tcoluna",
)

UNICODE = _cargas(
    "unicode",
    rlo="fatura \u202egpj.exe",
    rlm="\u200fשלום\u200f",
    zwj="👩\u200d👩\u200d👧",
    zero_width="a\u200bb\u200cc\u2060d",
    zalgo="Z̴̡a̷l̶g̵o̸",
    emoji_astral="𝕏 🦄 𐍈",
    arabe="مرحبا بالعالم",
    bom="\ufeffcom BOM",
    separador_linha="a\u2028b",
)

FAMILIAS = {"xss": XSS, "sql": SQL, "formula": FORMULA, "longo": LONGOS, "controle": CONTROLE, "unicode": UNICODE}
CORPUS = [carga for cargas in FAMILIAS.values() for carga in cargas]
# One of each family, for the fields where the whole corpus would only repeat itself.
REPRESENTANTES = [XSS[1], SQL[0], FORMULA[0], LONGOS[0], CONTROLE[0], CONTROLE[2], UNICODE[0]]

# Line breaks and tabs are text in a multi-line field; any other control character is refused.
QUEBRAS = "\n\r\t"


def tem_controle(valor, *, linhas):
    """Whether the rule refuses `valor` in a field of one line (linhas=False) or several."""
    for c in valor:
        categoria = unicodedata.category(c)
        if linhas and c in QUEBRAS:
            continue
        if categoria in ("Cc", "Cs", "Co") or (not linhas and categoria in ("Zl", "Zp")):
            return True
    return False


def esperado(valor, *, maximo, linhas):
    """What a free-text field keeps of `valor` (stripped, as Django's CharField does), or None when
    the field must refuse it."""
    texto = valor.strip()
    if not texto or len(texto) > maximo or tem_controle(texto, linhas=linhas):
        return None
    return texto
