"""What each of the five roles gets from each public URL (see tests/test_permissoes.py)."""

ESPERADO = {
    ("consumidor:inicio", "get"): [200, 200, 200, 200, 200],
}
