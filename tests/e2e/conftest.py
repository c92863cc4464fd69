"""
Browser tests: Playwright driving Debian's Chromium (never a downloaded browser, docs/pilha.md 5) against
the live test server. Screenshots go to capturas/, printed at the end of the run.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Not under test-results/: pytest-playwright empties that folder when each (xdist) session starts.
CAPTURAS = Path(__file__).resolve().parents[2] / "capturas"
# axe-core from npm, at the version package-lock.json pins (`npm ci --ignore-scripts`, run by make test).
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# Playwright's sync API runs an event loop in the test thread; Django must still allow its ORM there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium não encontrado: instale com `apt-get install -y chromium` (o `make test` faz isso).")
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Reduced motion turns Bootstrap's colour transitions off, so axe never measures a button
    # halfway between two states.
    return {
        **browser_context_args,
        "locale": "pt-BR",
        "timezone_id": "America/Sao_Paulo",
        "reduced_motion": "reduce",
    }


@pytest.fixture
def capturar(page, request):
    """capturar("nome") saves the page at its current width as capturas/<test>-<nome>-<largura>px.png."""
    CAPTURAS.mkdir(parents=True, exist_ok=True)

    def capturar(nome):
        largura = page.viewport_size["width"]
        caminho = CAPTURAS / f"{request.node.name}-{nome}-{largura}px.png"
        page.screenshot(path=caminho, full_page=True)
        return caminho

    return capturar


@pytest.fixture(scope="session")
def axe():
    if not AXE.exists():
        pytest.fail("axe-core não está em node_modules/: rode `npm ci --ignore-scripts` (o `make test` faz isso).")
    return AXE.read_text()


@pytest.fixture
def acessibilidade(page, axe):
    """acessibilidade() runs axe-core on the current page and returns its serious and critical
    violations. Evaluated through DevTools, so the page's CSP stays as strict as in production."""

    def verificar():
        if not page.evaluate("() => Boolean(window.axe)"):
            page.evaluate(f"() => {{ {axe}\n }}")
        violacoes = page.evaluate("async () => (await axe.run(document)).violations")
        return [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']]}"
            for v in violacoes
            if v["impact"] in ("serious", "critical")
        ]

    return verificar


def pytest_terminal_summary(terminalreporter):
    if CAPTURAS.exists() and any(CAPTURAS.iterdir()):
        terminalreporter.write_line(f"Capturas de tela dos testes de navegador: {CAPTURAS}")
