"""How each delivery is signed, and how a receiver checks it (the README shows a receiver).

The signature is an HMAC-SHA256, keyed with the subscription's secret, of the timestamp of the
attempt, a full stop, and the body exactly as sent: `ICMS-Signature: v1=<hex>`. Signing the
timestamp with the body (Stripe's scheme) makes a captured delivery replayed later detectable:
its timestamp is old, and a newer one would not match its signature. A receiver also keeps the
`ICMS-Event-Id`s it has handled (the same as the body's `id`, which is signed), since a retried
delivery (same id, new timestamp) is normal.
"""

import hashlib
import hmac
import json
import time
from collections.abc import Mapping

SIGNATURE_VERSION = "v1"
# Seconds a delivery's timestamp may be from the receiver's clock.
TOLERANCE = 300


class SignatureError(ValueError):
    """The delivery is not ICMS's, was changed on the way, or is too old (a replay)."""


def _as_bytes(body: str | bytes) -> bytes:
    return body.encode() if isinstance(body, str) else body


def sign(secret: str, timestamp: int, body: str | bytes) -> str:
    """The hex HMAC-SHA256 of `timestamp.body` with `secret`."""
    message = f"{timestamp}.".encode() + _as_bytes(body)
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: str | bytes) -> str:
    return f"{SIGNATURE_VERSION}={sign(secret, timestamp, body)}"


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: str | bytes,
    *,
    tolerance: int = TOLERANCE,
    now: float | None = None,
) -> str:
    """Check a delivery as received: `headers` (any mapping; names in any case) and the raw
    `body`. Returns its event id, for the receiver to handle each event once; raises
    SignatureError if a header is missing, the signature does not match, or the timestamp is
    more than `tolerance` seconds from `now` (default: the receiver's clock)."""
    found = {name.lower(): value for name, value in headers.items()}
    event_id = found.get("icms-event-id", "")
    timestamp = found.get("icms-timestamp", "")
    signatures = [
        value.strip()[len(SIGNATURE_VERSION) + 1 :]
        for value in found.get("icms-signature", "").split(",")
        if value.strip().startswith(f"{SIGNATURE_VERSION}=")
    ]
    if not event_id or not timestamp.isdigit() or not signatures:
        raise SignatureError("ICMS-Event-Id, ICMS-Timestamp or ICMS-Signature is missing.")
    expected = sign(secret, int(timestamp), body)
    if not any(hmac.compare_digest(expected, signature) for signature in signatures):
        raise SignatureError("The signature does not match the body and timestamp.")
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > tolerance:
        raise SignatureError(
            f"The timestamp is {int(now) - int(timestamp)} s from now, beyond {tolerance} s: "
            "a replay, or a clock out of step."
        )
    # The header is not signed; the body's id is. They must agree, so that an id the receiver
    # has seen cannot be disguised as a new one.
    if json.loads(body).get("id") != event_id:
        raise SignatureError("ICMS-Event-Id is not the id of the event in the body.")
    return event_id
