"""
Messages consumers send to the company's WhatsApp and SMS numbers, and the providers' delivery
receipts for ours (docs/operacao.md, "Mensagens recebidas" and "Recibos de entrega").

Each provider calls its own endpoint under /integracoes/ (views.py): Meta's WhatsApp Cloud API
(meta.py), Twilio (twilio.py) and an SMS gateway that posts JSON (gateway.py). Each checks the
provider's signature over the request before reading anything else, turns the body into plain
values, and hands them to processar.py, the one place that decides what a message does.
"""
