"""Integrated systems (docs/integracao.md): supervisors register each system the API serves (its
scopes, the addresses it may call from, who answers for it) and handle its tokens on a page of
their own: a new token is shown once, on the page that creates it; the list shows each token by
its prefix, when it was last used and whether it was revoked. Nothing is deleted."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from ..exceptions import ErroProtocolo
from ..models import EscopoSistema, SistemaIntegrado
from ..services import sistemas
from .base import TextoDeUmaLinha, nome_exibido, pode_supervisionar


class SistemaForm(forms.ModelForm):
    escopos = forms.MultipleChoiceField(
        choices=EscopoSistema.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Só o que o sistema precisa. Cancelar, prorrogar e atribuir a outros nunca passam pela API.",
    )
    enderecos_permitidos = forms.CharField(
        label="endereços permitidos",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Um IP ou uma rede (CIDR) por linha. Vazio: qualquer endereço.",
    )
    responsavel = forms.ModelChoiceField(
        label="responsável",
        queryset=get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username"),
        help_text="Quem responde pelo sistema na empresa.",
    )

    class Meta:
        model = SistemaIntegrado
        fields = ["nome", "escopos", "enderecos_permitidos", "responsavel", "ativo"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["enderecos_permitidos"] = "\n".join(self.instance.enderecos_permitidos or [])
            self.fields["nome"].disabled = True

    def clean_enderecos_permitidos(self):
        try:
            return sistemas.normalizar_enderecos(self.cleaned_data["enderecos_permitidos"].split())
        except ErroProtocolo as erro:
            raise forms.ValidationError(erro.mensagem) from None


@admin.register(SistemaIntegrado)
class SistemaIntegradoAdmin(TextoDeUmaLinha, admin.ModelAdmin):
    form = SistemaForm
    list_display = ["nome", "escopos_exibidos", "ativo", "responsavel_exibido", "tokens_validos"]
    list_select_related = ["responsavel"]
    readonly_fields = ["usuario", "criado_em", "tokens"]
    search_fields = ["nome"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["nome", "escopos", "enderecos_permitidos", "responsavel"]
        return ["nome", "escopos", "enderecos_permitidos", "responsavel", "ativo", "usuario", "criado_em", "tokens"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    @admin.display(description="escopos")
    def escopos_exibidos(self, obj):
        return ", ".join(obj.escopos) or "—"

    @admin.display(description="responsável")
    def responsavel_exibido(self, obj):
        return nome_exibido(obj.responsavel)

    @admin.display(description="tokens válidos")
    def tokens_validos(self, obj):
        return obj.credenciais.validas().count()

    @admin.display(description="tokens")
    def tokens(self, obj):
        return format_html(
            '<a href="{}">Ver, criar e revogar tokens</a>',
            reverse("admin:protocolo_sistemaintegrado_tokens", args=[obj.pk]),
        )

    def save_model(self, request, obj, form, change):
        dados = form.cleaned_data
        if change:
            sistemas.sistema_alterar(
                sistema=obj,
                escopos=dados["escopos"],
                enderecos_permitidos=dados["enderecos_permitidos"],
                ativo=dados["ativo"],
                responsavel=dados["responsavel"],
                autor=request.user,
            )
            return
        novo = sistemas.sistema_criar(
            nome=dados["nome"],
            escopos=dados["escopos"],
            enderecos_permitidos=dados["enderecos_permitidos"],
            responsavel=dados["responsavel"],
            autor=request.user,
        )
        obj.pk, obj.usuario_id, obj.criado_em = novo.pk, novo.usuario_id, novo.criado_em
        obj._state.adding = False

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(request, f"Sistema “{obj}” cadastrado. Crie agora o token dele.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:protocolo_sistemaintegrado_tokens", args=[obj.pk]))

    # Supervisors only (a verified session: the admin asks for the second factor); nobody deletes.
    def has_module_permission(self, request):
        return pode_supervisionar(request.user)

    def has_view_permission(self, request, obj=None):
        return pode_supervisionar(request.user)

    def has_add_permission(self, request):
        return pode_supervisionar(request.user)

    def has_change_permission(self, request, obj=None):
        return pode_supervisionar(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<int:object_id>/tokens/",
                self.admin_site.admin_view(self.tokens_view),
                name="protocolo_sistemaintegrado_tokens",
            ),
            *super().get_urls(),
        ]

    def tokens_view(self, request, object_id):
        """GET lists the tokens by prefix; POST acao=criar makes one and shows it on the answer,
        the only time it is ever shown; POST acao=revogar&credencial=<id> revokes one."""
        if not pode_supervisionar(request.user):
            raise PermissionDenied
        sistema = get_object_or_404(SistemaIntegrado.objects.select_related("responsavel"), pk=object_id)
        token = None
        if request.method == "POST":
            acao = request.POST.get("acao", "")
            try:
                if acao == "criar":
                    _, token = sistemas.credencial_criar(sistema=sistema, autor=request.user)
                    self.log_change(request, sistema, "Token criado.")
                elif acao == "revogar":
                    credencial_id = request.POST.get("credencial", "")
                    if not (credencial_id.isascii() and credencial_id.isdigit()):
                        raise ErroProtocolo("Escolha o token a revogar.")
                    credencial = get_object_or_404(sistema.credenciais.all(), pk=int(credencial_id))
                    sistemas.credencial_revogar(credencial=credencial, autor=request.user)
                    self.log_change(request, sistema, f"Token {credencial.prefixo}… revogado.")
                    self.message_user(request, f"Token {credencial.prefixo}… revogado.", messages.SUCCESS)
                else:
                    raise ErroProtocolo("Ação desconhecida.")
            except ErroProtocolo as erro:
                self.message_user(request, erro.mensagem, messages.ERROR)
        contexto = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Tokens de {sistema}",
            "sistema": sistema,
            "credenciais": sistema.credenciais.select_related("criada_por").order_by("-criada_em"),
            "token": token,
        }
        # admin_view adds never_cache: the page that shows a token is kept by no browser nor proxy.
        return TemplateResponse(request, "admin/protocolo/sistemaintegrado/tokens.html", contexto)
