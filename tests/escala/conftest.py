from tests.processos import instalado, redis_descartavel, registrar_marcador, servidores  # noqa: F401


def pytest_configure(config):
    registrar_marcador(config)
