"""The code an authenticator app shows for a TOTP secret (RFC 6238: HMAC-SHA1, 30-second
steps, six digits), computed here by hand rather than with allauth's own helpers, so the
tests check allauth against the standard the apps follow."""

import base64
import hashlib
import hmac
import struct
import time


def totp_code(secret: str, at: float | None = None) -> str:
    counter = int((time.time() if at is None else at) // 30)
    key = base64.b32decode(secret.strip().replace(" ", "").upper())
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"
