"""
Back-office accounts in one place: who may enter the back-office and the admin (decorators), the
password pages and the admin's second factor (views, forms, segundo_fator), and the expiry of idle
staff sessions (sessao). Their URLs stay under /atendimento/ (atendimento/urls.py).
"""
