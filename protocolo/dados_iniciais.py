"""
Groups, permissions and the default categorias. Used by the data migration (with the historical
models) and by tests that run after a transactional test truncated every table.
"""

ATENDENTES = "Atendentes"
SUPERVISORES = "Supervisores"
# The last instance (nível 3, docs/dominio.md §5): works its own queue and assigns within it.
OUVIDORIA = "Ouvidoria"

PERMISSOES_ATENDENTES = [
    ("protocolo", "view_protocolo"),
    ("protocolo", "add_protocolo"),
    ("protocolo", "change_protocolo"),
    ("protocolo", "atender_protocolo"),
    ("protocolo", "escalar_protocolo"),
    ("protocolo", "ver_cpf"),
    ("protocolo", "view_interacao"),
    ("protocolo", "add_interacao"),
    ("protocolo", "view_consumidor"),
    ("protocolo", "add_consumidor"),
    ("protocolo", "change_consumidor"),
    ("protocolo", "view_categoria"),
    ("protocolo", "view_feriado"),
]

PERMISSOES_SUPERVISORES = [
    *PERMISSOES_ATENDENTES,
    ("protocolo", "atribuir_protocolo"),
    ("protocolo", "cancelar_protocolo"),
    ("protocolo", "prorrogar_prazo"),
    ("protocolo", "exportar_protocolos"),
    ("protocolo", "remover_anexo"),
    ("protocolo", "add_categoria"),
    ("protocolo", "change_categoria"),
    ("protocolo", "add_feriado"),
    ("protocolo", "change_feriado"),
    ("protocolo", "delete_feriado"),
    ("protocolo", "view_mensagem"),
    ("protocolo", "view_respostapronta"),
    ("protocolo", "add_respostapronta"),
    ("protocolo", "change_respostapronta"),
    ("protocolo", "view_versaoderespostapronta"),
    ("protocolo", "view_assinaturawebhook"),
    ("protocolo", "add_assinaturawebhook"),
    ("protocolo", "change_assinaturawebhook"),
    ("protocolo", "view_entregawebhook"),
    ("protocolo", "reenviar_entregawebhook"),
    ("protocolo", "view_tentativawebhook"),
]

PERMISSOES_OUVIDORIA = [
    *PERMISSOES_ATENDENTES,
    ("protocolo", "atribuir_protocolo"),
]

# (código, nome, dias, tipo de prazo, calendário): Decreto 11.034 art. 13 gives 7 calendar days;
# cancellation takes effect at once; LGPD requests are answered in 15 days (LGPD art. 19 II).
CATEGORIAS = [
    ("reclamacao", "Reclamação", 7, "corridos", "civil"),
    ("cancelamento", "Cancelamento", 0, "imediato", "civil"),
    ("cobranca", "Cobrança", 7, "corridos", "civil"),
    ("informacao", "Informação", 7, "corridos", "civil"),
    ("suporte-tecnico", "Suporte técnico", 7, "corridos", "civil"),
    ("lgpd", "Solicitação LGPD (dados pessoais)", 15, "corridos", "civil"),
]


_DO_MODELO = {"view", "add", "change", "delete"}
# Custom permissions declared by a model a later migration creates, and that model.
_DE_MODELO_POSTERIOR = {"reenviar_entregawebhook": "entregawebhook", "remover_anexo": "anexo"}


def _modelo_da_permissao(codename):
    """The model whose migration creates this permission, or None for the protocol's own ones."""
    acao, modelo = codename.split("_", 1)
    return modelo if acao in _DO_MODELO else _DE_MODELO_POSTERIOR.get(codename)


def criar_grupos_e_categorias(apps):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrate; the groups need them now.
    for config in apps.get_app_configs():
        provisorio = getattr(config, "models_module", None) is None
        if provisorio:
            config.models_module = True
        create_permissions(config, verbosity=0, apps=apps)
        if provisorio:
            config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Categoria = apps.get_model("protocolo", "Categoria")

    # A migration runs this with the models of its time: the permissions of a model a later
    # migration creates are granted when that migration runs it again.
    existentes = {(m._meta.app_label, m._meta.model_name) for m in apps.get_models()}
    grupos = (
        (ATENDENTES, PERMISSOES_ATENDENTES),
        (SUPERVISORES, PERMISSOES_SUPERVISORES),
        (OUVIDORIA, PERMISSOES_OUVIDORIA),
    )
    for nome, permissoes in grupos:
        grupo, _ = Group.objects.get_or_create(name=nome)
        grupo.permissions.set(
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in permissoes
            if _modelo_da_permissao(codename) is None or (app, _modelo_da_permissao(codename)) in existentes
        )

    for codigo, nome, dias, tipo, calendario in CATEGORIAS:
        Categoria.objects.get_or_create(
            codigo=codigo, defaults={"nome": nome, "prazo_dias": dias, "tipo_prazo": tipo, "calendario": calendario}
        )
