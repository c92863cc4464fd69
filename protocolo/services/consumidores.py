"""
Who the consumer is: found or created by CPF (an existing record keeps what it has), linked to a
protocol, and their full CPF revealed only to whoever may see it and on the record. Contacts are in
contatos.py: what is typed becomes a contact of the protocol, never the consumer's.
"""

from django.db import transaction

from ..exceptions import DadosInvalidos
from ..models import AcessoDadoPessoal, Consumidor, formatar_cpf, mascarar_cpf
from .contatos import OrigemContato, TipoContato, contato_do_protocolo, normalizar
from .historico import (
    Tipo,
    _conferir_versao,
    _cpf,
    _exigir_aberto,
    _exigir_equipe,
    _exigir_nao_anonimizado,
    _exigir_permissao,
    _origem_de,
    _salvar,
    _texto,
    _travar,
    anexar_ao_historico,
)


def _nome(nome):
    return _texto(nome, campo="nome", obrigatorio=False)[:200]


def consumidor_identificar(*, cpf, nome=""):
    """(consumidor, created) for a CPF. An existing record keeps what it has: only an empty name is
    filled. Contacts are never taken here: they belong to a protocol (contatos.py)."""
    cpf = _cpf(cpf)
    nome = _nome(nome)
    with transaction.atomic():
        consumidor, criado = Consumidor.objects.select_for_update().get_or_create(cpf=cpf, defaults={"nome": nome})
        if not criado and nome and not consumidor.nome:
            consumidor.nome = nome
            consumidor.save(update_fields=["nome"])
    return consumidor, criado


def consumidor_revelar_cpf(*, consumidor, usuario, protocolo=None):
    """The full CPF, for someone allowed to see it; every time is recorded (LGPD art. 37)."""
    _exigir_permissao(usuario, "ver_cpf", "Você não tem permissão para ver o CPF completo.")
    if not consumidor.cpf:
        raise DadosInvalidos("Este consumidor não tem CPF registrado.")
    AcessoDadoPessoal.objects.create(
        usuario=usuario, consumidor=consumidor, protocolo=protocolo, tipo=AcessoDadoPessoal.Tipo.VER_CPF
    )
    return formatar_cpf(consumidor.cpf)


def protocolo_identificar_consumidor(*, protocolo, consumidor, autor=None, versao=None):
    with transaction.atomic():
        _exigir_nao_anonimizado(consumidor)
        protocolo = _travar(protocolo)
        _conferir_versao(protocolo, versao)
        _exigir_equipe(protocolo, autor)
        _exigir_aberto(protocolo)
        if protocolo.consumidor_id == consumidor.pk:
            raise DadosInvalidos("Este consumidor já está identificado no protocolo.")
        anterior = protocolo.consumidor
        protocolo.consumidor = consumidor
        anexar_ao_historico(
            protocolo,
            tipo=Tipo.IDENTIFICACAO,
            origem=_origem_de(autor),
            autor=autor,
            detalhes={
                "de": mascarar_cpf(anterior.cpf) if anterior else None,
                "para": mascarar_cpf(consumidor.cpf),
            },
        )
        _salvar(protocolo, "consumidor")
    return protocolo


def _consumidor_do_atendimento(*, cpf, nome, email, telefone):
    """(consumidor, criado): found or created by CPF, or, since the first contact may not demand
    the CPF (Decreto 11.034 art. 4 §4), a new record with the name given. (None, False) when
    nothing was given. The e-mail and telephone are only checked here: the caller makes them
    contacts of its protocol."""
    normalizar(TipoContato.EMAIL, email)
    normalizar(TipoContato.TELEFONE, telefone)
    if str(cpf or "").strip():
        return consumidor_identificar(cpf=cpf, nome=nome)
    nome = _nome(nome)
    if not any((nome, str(email or "").strip(), str(telefone or "").strip())):
        return None, False
    return Consumidor.objects.create(nome=nome), True


def contatos_do_atendimento(protocolo, *, email, telefone):
    """What an attendant typed while serving: contacts of this protocol only (never bound), taken
    as confirmed, since the attendant read them back to the consumer they are talking to."""
    for tipo, valor in ((TipoContato.EMAIL, email), (TipoContato.TELEFONE, telefone)):
        contato_do_protocolo(
            protocolo=protocolo, tipo=tipo, valor=valor, origem=OrigemContato.ATENDIMENTO, confirmado=True
        )


def protocolo_identificar_por_cpf(*, protocolo, cpf, autor, nome="", email="", telefone="", versao=None):
    """Find the consumer by CPF (an existing record keeps its data, only an empty name is filled)
    or create them, and link them to the protocol; without a CPF (the first contact may not demand
    it), a record with the name given. The e-mail and telephone become contacts of this protocol.
    One transaction, so a stale form leaves no consumer behind. Returns (protocolo, consumidor,
    criado)."""
    with transaction.atomic():
        consumidor, criado = _consumidor_do_atendimento(cpf=cpf, nome=nome, email=email, telefone=telefone)
        if consumidor is None:
            raise DadosInvalidos("Informe o CPF ou, sem ele, o nome e um contato do consumidor.")
        if protocolo.consumidor_id == consumidor.pk:
            protocolo = _travar(protocolo)
            _conferir_versao(protocolo, versao)
            _exigir_equipe(protocolo, autor)
            _exigir_aberto(protocolo)
            if not (str(email or "").strip() or str(telefone or "").strip()):
                raise DadosInvalidos("Este consumidor já está identificado no protocolo.")
        else:
            protocolo = protocolo_identificar_consumidor(
                protocolo=protocolo, consumidor=consumidor, autor=autor, versao=versao
            )
        contatos_do_atendimento(protocolo, email=email, telefone=telefone)
    return protocolo, consumidor, criado
