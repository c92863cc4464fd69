"""What the roles of docs/dominio.md §5 get from the providers' endpoints (see tests/test_permissoes.py).
They are for machines: a session opens nothing, and every role gets the same 403 without the
provider's signature (a GET on a POST-only endpoint, the same 405)."""

SEM_ASSINATURA = [403, 403, 403, 403, 403]
SO_POST = [405, 405, 405, 405, 405]

ESPERADO = {
    # Meta's subscription check (GET) without our token, and a notification without its signature.
    ("entrada:whatsapp_meta", "get"): SEM_ASSINATURA,
    ("entrada:whatsapp_meta", "post"): SEM_ASSINATURA,
    **{
        (nome, metodo): SEM_ASSINATURA if metodo == "post" else SO_POST
        for nome in (
            "entrada:sms_twilio",
            "entrada:sms_twilio_estado",
            "entrada:sms_gateway",
            "entrada:sms_gateway_estado",
        )
        for metodo in ("get", "post")
    },
}
