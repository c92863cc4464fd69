"""Domain exceptions. Their message is shown to people as it is, so it is Portuguese and plain."""


class ErroProtocolo(Exception):
    """Base of every refusal of the domain layer."""

    def __init__(self, mensagem):
        super().__init__(mensagem)
        self.mensagem = mensagem

    def __str__(self):
        return self.mensagem


class NumeroInvalido(ErroProtocolo, ValueError):
    pass


class SequenciaEsgotada(ErroProtocolo):
    pass


class TransicaoInvalida(ErroProtocolo):
    pass


class PermissaoNegada(ErroProtocolo):
    pass


class DadosInvalidos(ErroProtocolo):
    pass


class VersaoDesatualizada(ErroProtocolo):
    """The form was made on an older version of the protocol; someone changed it since."""

    def __init__(self, mensagem, *, atual):
        super().__init__(mensagem)
        self.atual = atual


class RegistroImutavel(ErroProtocolo):
    """An attempt to rewrite or delete the record, which is append-only."""


class ConflitoDeIdempotencia(ErroProtocolo):
    """An Idempotency-Key sent again with another request's content."""
