"""
Evidence a consumer keeps outside our database (docs/evidencias.md): the receipt and the dossiê of a
protocol as PDFs (pdf.py), signed with the company's certificate (assinatura.py), and the check of an
uploaded PDF, run in a child process because the file is hostile (validacao.py).
"""
