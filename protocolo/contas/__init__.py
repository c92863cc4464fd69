"""
Back-office accounts: the admin's second factor (segundo_fator) and the expiry of idle staff
sessions (sessao).
"""
