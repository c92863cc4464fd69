"""
Render-and-sign time of the dossiê PDF (docs/evidencias.md): a protocol with 50 timeline entries,
opened and written through the services on the bench database, drawn by WeasyPrint and signed by
pyHanko `--vezes` times, as the download view does. Prints one line "DOSSIE {json}" for
bench/executar.py, with the p50 and p95 in milliseconds.

Signs with PROTOCOLO_ASSINATURA_PKCS12 when set, otherwise with a development certificate made for
the run (the cost is the same: one ECDSA P-256 signature, or RSA with an e-CNPJ).
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))

ENTRADAS = 50


def _percentil(valores, p):
    ordenados = sorted(valores)
    return ordenados[min(len(ordenados) - 1, round(p / 100 * (len(ordenados) - 1)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vezes", type=int, default=20)
    args = parser.parse_args()

    if not os.environ.get("PROTOCOLO_ASSINATURA_PKCS12"):
        from protocolo.evidencias import desenvolvimento

        caminho = desenvolvimento.criar(Path(tempfile.mkdtemp()) / "bench.p12", senha="bench")
        os.environ["PROTOCOLO_ASSINATURA_PKCS12"] = str(caminho)
        os.environ["PROTOCOLO_ASSINATURA_SENHA"] = "bench"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protocolo.settings")

    import django

    django.setup()
    from django.contrib.auth.models import Group, User

    from consumidor import evidencias
    from protocolo import outbox, selectors, services
    from protocolo.evidencias import pdf
    from protocolo.models import Interacao

    atendente, _ = User.objects.get_or_create(username="bench-dossie", defaults={"first_name": "Bench"})
    atendente.groups.add(Group.objects.get(name="Atendentes"))
    with outbox.entrega_adiada():
        protocolo = services.protocolo_abrir(
            canal="telefone", atendente=atendente, objeto="Cobrança indevida na fatura do mês passado."
        )
        while Interacao.objects.filter(protocolo=protocolo).count() < ENTRADAS:
            ordem = Interacao.objects.filter(protocolo=protocolo).count()
            services.protocolo_registrar_interacao(
                protocolo=protocolo,
                texto=f"Entrada {ordem}: conferimos a fatura, o contrato e o histórico de pagamentos do cliente.",
                autor=atendente,
                publica=ordem % 5 != 0,
            )
    protocolo = selectors.protocolo_do_portal(protocolo.numero)

    tempos, tamanho = [], 0
    for _ in range(args.vezes):
        inicio = time.perf_counter()
        dados, assinado = pdf.documento(evidencias.html_do_dossie(protocolo))
        tempos.append((time.perf_counter() - inicio) * 1000)
        tamanho = len(dados)
    resultado = {
        "entradas": Interacao.objects.filter(protocolo=protocolo).count(),
        "vezes": args.vezes,
        "assinado": assinado,
        "bytes": tamanho,
        "p50_ms": round(statistics.median(tempos), 1),
        "p95_ms": round(_percentil(tempos, 95), 1),
    }
    print("DOSSIE " + json.dumps(resultado), flush=True)


if __name__ == "__main__":
    main()
