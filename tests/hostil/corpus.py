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


# Hostile files (built by tests/anexos/arquivos.py): each refused in Portuguese, or kept neutralised
# (re-encoded, renamed) and served only as a sandboxed download. (name, bytes, kept?)
def arquivos_hostis():
    from tests.anexos import arquivos

    return {
        "zip_bomba_como_pdf": ("fatura.pdf", arquivos.zip_bomba(), False),
        "pdf_e_zip": ("contrato.pdf", arquivos.pdf_e_zip(), False),
        "html_como_txt": ("leia.txt", b"<!DOCTYPE html><script>alert(1)</script>", False),
        "svg_com_script": ("foto.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', False),
        "executavel": ("boleto.pdf.exe", b"MZ\x90\x00\x03" + b"\x00" * 100, False),
        "elf": ("programa", b"\x7fELF\x02\x01\x01" + b"\x00" * 100, False),
        "png_bomba": ("foto.png", arquivos.png_bomba(), False),
        "jpeg_cortado": ("foto.jpg", arquivos.jpeg_com_gps()[:300], False),
        "vazio": ("nada.txt", b"", False),
        "binario_como_txt": ("dados.txt", bytes(range(256)), False),
        "caminho_relativo": ("../../../../etc/passwd", b"root:x:0:0\n", True),
        "caminho_windows": ("..\\..\\boot.ini", b"[boot]\n", True),
        "rtl_no_nome": ("fatura\u202egpj.exe", arquivos.jpeg_com_gps(), True),
        "nulo_no_nome": ("a\x00b.pdf", arquivos.pdf(), True),
        "nome_xss": ('"><img src=x onerror=alert(1)>.pdf', arquivos.pdf(), True),
        "nome_longo": ("ç" * 5000 + ".pdf", arquivos.pdf(), True),
        "foto_com_gps_como_pdf": ("relatorio.pdf", arquivos.jpeg_com_gps(), True),
    }
