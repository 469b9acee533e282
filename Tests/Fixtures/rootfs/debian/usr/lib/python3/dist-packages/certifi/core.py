"""
certifi.py
~~~~~~~~~~

This module returns the installation location of cacert.pem or its contents.
"""

def where():
    return "/etc/ssl/certs/ca-certificates.crt"


def contents():
    with open(where(), "r", encoding="ascii") as data:
        return data.read()
