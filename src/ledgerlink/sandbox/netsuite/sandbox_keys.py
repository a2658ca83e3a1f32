"""The fixed OAuth 2.0 client-credentials identity of the built-in NetSuite sandbox.

SANDBOX ONLY. This key pair, client id and certificate id open nothing but the local emulator; they are
published with the source on purpose so that a sandbox connection works without any setup. Never map
this certificate in a real NetSuite account, and never use this private key for anything else.

The emulator registers :data:`SANDBOX_PUBLIC_KEY_PEM` under :data:`SANDBOX_CERTIFICATE_ID` (the ``kid``
a client puts in its JWT header); a client signs its assertion with :data:`SANDBOX_PRIVATE_KEY_PEM`.
NetSuite asks for RSA keys of 3072 or 4096 bits, so this one has 3072.
"""

from __future__ import annotations

from pathlib import Path

SANDBOX_CLIENT_ID = "sandbox-oauth2-client-id-0001"
SANDBOX_CERTIFICATE_ID = "sandbox-certificate-0001"
# Signs the emulator's own access tokens (HS256). Sandbox only.
SANDBOX_ACCESS_TOKEN_SECRET = "sandbox-access-token-signing-secret-0001"  # noqa: S105

SANDBOX_PRIVATE_KEY_PEM = """\
-----BEGIN PRIVATE KEY-----
MIIG/wIBADANBgkqhkiG9w0BAQEFAASCBukwggblAgEAAoIBgQDaHNKiBvcT7D23
A2PJmzQviXln2xITVi90zmmvK104RSK/TwiuHJeQRyJ6Injke8wrnjqfhUGMvMB5
beghynv3fBTelpkaZsebulzfP7hXsmJWZDkyC0RcfyEZPkaD3QwbLzyUvkqERNTV
Wd6FTD2pNrAqNAyyyYNjBgO13ODUC/Crl5iTmHTDsEtMwmgFXLvIzOl+Yo6piR83
fCvJEP745FTpA9caGABIWY7wSscVxWlJXFyt3NFeGCF/lCzYqDxcTpwC5MfhnrwQ
FVQzHQNinGBt6L/qSNqvOhVzG9BmLByYWzp//OuXtESM+g7mVVZEELr8KBbZR0lw
9jl7DFkDr+e20JpWhx2WVK6axkFc57FDPsgmroZg+3dBCE+o9n5f6MWmFldnPu95
jCDBEndc42FQ5/mZnTQ3Am8zDwSch2PgHUTKYjDxDPr0SMen2guZncaf6S/8uiyK
mV4nlS+ARvFKavJyMSYVrqVF/bLbHMM1/9WyJ2r0TE7v7Sqx8z0CAwEAAQKCAYAH
z8LJc8dolWxBFY7UMHSmLohvFvJRnU4WIwhiR4LPWkaGzy1SkwqTQRZJL9qK5at9
H8MeEHc1s6g5u8fLDLCeP07os+sS033a+XSMYwCr/2MJ5g1YWf1I9Mf6L/f1jrak
He/PrKBdlrDVXU0cvWDIooFHrv/fbVvWcZIzcrrd9/mBeRdJU0tR8N/u2q2VYj9a
zzVI8KhcW7axqtxPQgZnt+xvQKh1B56xo1InuqiLrTt6maNmGgOo7jimPufQ8KF7
2NBt7YdDwayb6fCEgbJTb3fcblx0Waq8lSU8QG7d5Nhk8tTWskViSi12xecuP89X
Nk8GvTjkLrcVV0U/Tt3x/lU9z+SUAIi2CtHDHlIqI3CaTcDa5y1WN3enq32wUx/3
0tf5d3v39GjhFrYxh6hdPR88heF/7cALkSkL4F7Tw3c5ZEqupt0y15SJxmtfQt9D
fu1dXWyxLA5a+xRRMTZ3xvr9IPF9eRFaf9+mIsMGQJW8NbYJDVDA+9PTtFXKUkEC
gcEA9+U097i7B8ktFNB1mTItSpyt5N5BQ4dDPvKr6PZc2/3FcQM3v+vJjVTiw0uo
yo47eV2xd7SAoX/cCn4nLLWvHPuTR+S8XK7n0rrmjk5krAiMKIxUXmItC69a16qQ
PCnJgbdteDEZU7BIxpoVYjLZkvUqeBgQmUsr852qDw0lDsq6W2W2dH9VjeA09IVi
gEWQXSICjNuHTS6DwFl/0EIhynzhAXBUR3LK98VrytWNAYTcELWzM8s4oVUU6/ui
aH/hAoHBAOE+WF2mZzNZXQAwoHTrhvNkiNPyPVnw74UWXq4xZkVDczA58w9GQiLa
ADtvZi7K/CQw91WPyOPk9Kf/j281wIxGb8sfmGb5BCFEsZHCDT+l5Pt3AuFcs308
yGV10AX8wVf4Gx8/oVpRrqk/KSycCtTWuyX7oCoxfyFu2LI0S3rMyZBCHk+cFqAB
FjKhOQRcYaye3VP9Yim164kSC7hRlPSCRKAq9U2Q8rtTUCE42qVydSyVtcdqV45m
FAUgJCVO3QKBwQDAPjh9g/1HZHRZl/AbBhaprigNPW9Pdy5nOrqmx6fr0zmzEtPB
OpHr0NCqs5oKu5LT5B0kwA6hMA7s9DhdK+jJiTAGqRSKq/mMKvVxlsnrwBUxvOIQ
8AIO9cZ1SgjhH2bt+dojQ7BofmVx3zyGEvk4RnjQ+ZilyO4k1zhyw7bhacZr6s08
OyOWCzIGDwr8fvYdw6pGolijOldibAX6885QwdeczggOAK/2xlt5yXK4otgm/UIk
AI3CT8ER4OtqLwECgcEAlZLRG19lKLQvDfE8nGfLNdWNBzHVi+RzKe2w8fvb7iLc
WyogPgRp5rrdbJqNQIWK6n2ZwTe6L5va27TZiwAm3P/pPPm+OqMiGvWC9UfnhFyl
sldVklH83y195eJWQaOWwNQBLr8SZufXFIzcysLUboIpxQ9TTLGRuqHhRHV1qhZT
w3gkqLj+TUJrezOUqVCvi/HzB9M7XHdx8ZQKNFv4jmXzLGlafCfFCKBKlcUrbLKV
HQZNsB7uBaHDqaOuXRgBAoHBAOYdoxlgnS07r0h8u+JF9qYv3nroz/yjXcVIYKgO
oplTOkFmvS/809jldgXCwoD8hHFOmdLOKCOHtSf1xwcaGD/YjE0jQWiNFJ1sQuIR
9aKt2uh8Zs+jFhtz2wZ16AIy2dUc79gdgCkO2uE2I61KUMM+lgs89SVe96Mt2a7e
l8AYCu7B2fJCAjaVtlytEx5jGg97O9DdBd+h2Wlol04vcWh8hAVaxhhCmHm2q4D6
MxMzcC5biCRTL5ZRTmp3ylviRQ==
-----END PRIVATE KEY-----
"""

SANDBOX_PUBLIC_KEY_PEM = """\
-----BEGIN PUBLIC KEY-----
MIIBojANBgkqhkiG9w0BAQEFAAOCAY8AMIIBigKCAYEA2hzSogb3E+w9twNjyZs0
L4l5Z9sSE1YvdM5prytdOEUiv08IrhyXkEcieiJ45HvMK546n4VBjLzAeW3oIcp7
93wU3paZGmbHm7pc3z+4V7JiVmQ5MgtEXH8hGT5Gg90MGy88lL5KhETU1VnehUw9
qTawKjQMssmDYwYDtdzg1Avwq5eYk5h0w7BLTMJoBVy7yMzpfmKOqYkfN3wryRD+
+ORU6QPXGhgASFmO8ErHFcVpSVxcrdzRXhghf5Qs2Kg8XE6cAuTH4Z68EBVUMx0D
Ypxgbei/6kjarzoVcxvQZiwcmFs6f/zrl7REjPoO5lVWRBC6/CgW2UdJcPY5ewxZ
A6/nttCaVocdllSumsZBXOexQz7IJq6GYPt3QQhPqPZ+X+jFphZXZz7veYwgwRJ3
XONhUOf5mZ00NwJvMw8EnIdj4B1EymIw8Qz69EjHp9oLmZ3Gn+kv/LosipleJ5Uv
gEbxSmrycjEmFa6lRf2y2xzDNf/Vsidq9ExO7+0qsfM9AgMBAAE=
-----END PUBLIC KEY-----
"""


def write_sandbox_private_key(path: Path) -> Path:
    """Write the sandbox private key (mode 0600) for a connection's ``private_key_file``; returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SANDBOX_PRIVATE_KEY_PEM)
    path.chmod(0o600)
    return path
