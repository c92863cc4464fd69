"""
Uploads of a 2 MB phone photo (docs/anexos.md): a JPEG with its GPS position in EXIF, attached
`--vezes` times as a consumer's message through the service the portal's view calls
(services.anexar: the type read from the content, the re-encoding that drops EXIF, both SHA-256,
the storage write and the chained entry), each to one of a few protocols opened for the run on the
bench database. Prints one line "ANEXOS {json}" for bench/executar.py: uploads per second of this
one process, p50 and p95 in milliseconds, and the CPU of this process per upload.

The files go to PROTOCOLO_ANEXOS_DIR (bench/executar.py points it into the run's data folder).
"""

import argparse
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))

MEGABYTES = 2
# Below the per-protocol count limit, so no upload is refused for it.
POR_PROTOCOLO = 10


def _percentil(valores, p):
    ordenados = sorted(valores)
    return ordenados[min(len(ordenados) - 1, round(p / 100 * (len(ordenados) - 1)))]


def foto():
    """A JPEG of about MEGABYTES, as a phone takes it: noisy content and a GPS position in EXIF."""
    from PIL import Image

    largura, altura = 2160, 1620
    imagem = Image.effect_noise((largura, altura), 60).convert("RGB")
    fundo = Image.linear_gradient("L").resize((largura, altura)).convert("RGB")
    imagem = Image.blend(imagem, fundo, 0.4)
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "S", (23.0, 33.0, 1.0), "W", (46.0, 38.0, 2.0)
    exif[0x010F], exif[0x0110] = "Celular", "Modelo 7"
    for qualidade in range(95, 40, -1):
        saida = io.BytesIO()
        imagem.save(saida, "JPEG", quality=qualidade, exif=exif)
        if saida.tell() <= MEGABYTES * 1024 * 1024:
            return saida.getvalue()
    return saida.getvalue()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vezes", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protocolo.settings")

    import django

    django.setup()
    from django.core.files.base import ContentFile

    from protocolo import outbox, services
    from protocolo.models import Anexo
    from protocolo.services.historico import Origem

    dados = foto()
    protocolos = []
    with outbox.entrega_adiada():
        for _ in range((args.vezes + POR_PROTOCOLO - 1) // POR_PROTOCOLO):
            protocolos.append(
                services.protocolo_abrir(canal="portal", objeto="A foto do produto quebrado vai anexada.")
            )

    tempos = []
    cpu_antes = time.process_time()
    inicio_total = time.perf_counter()
    with outbox.entrega_adiada():
        for vez in range(args.vezes):
            inicio = time.perf_counter()
            services.anexar(
                protocolo=protocolos[vez // POR_PROTOCOLO],
                arquivos=[ContentFile(dados, name=f"IMG_{vez:04d}.jpg")],
                texto="Segue a foto.",
                origem=Origem.CONSUMIDOR,
            )
            tempos.append((time.perf_counter() - inicio) * 1000)
    total = time.perf_counter() - inicio_total
    cpu = time.process_time() - cpu_antes
    guardado = Anexo.objects.filter(protocolo__in=protocolos).order_by("pk").last()
    resultado = {
        "vezes": args.vezes,
        "bytes": len(dados),
        "bytes_guardados": guardado.tamanho if guardado else 0,
        "por_segundo": round(args.vezes / total, 1),
        "p50_ms": round(statistics.median(tempos), 1),
        "p95_ms": round(_percentil(tempos, 95), 1),
        "cpu_ms": round(cpu * 1000 / args.vezes, 1),
    }
    print("ANEXOS " + json.dumps(resultado), flush=True)


if __name__ == "__main__":
    main()
