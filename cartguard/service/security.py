"""The EHR's bearer JWT, checked as CDS Hooks 2.0 asks: a configured ``iss`` whose JWKS signs the
token, ``aud`` the service's own URL, ``exp``, ``iat`` (not in the future beyond a small leeway) and
``jti`` (never seen before). Any failure is :class:`Unauthorized`; the reason goes to no one (the
response body is empty and the log names only the request id).
"""

from __future__ import annotations

import heapq
import json
import threading
import time
from typing import Any

import jwt

from cartguard.service.settings import Issuer, Settings

ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384"]
"""Asymmetric only: a shared secret would let anyone holding it mint tokens for any issuer."""


class Unauthorized(Exception):
    """The request carries no acceptable token (the reason is deliberately not reported)."""


class ReplayCache:
    """``jti`` values seen, each kept until its token expires; at most ``size`` (oldest expiry dropped)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._seen: dict[str, float] = {}
        self._heap: list[tuple[float, str]] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._seen)

    def add(self, key: str, expires: float, now: float) -> bool:
        """Remember ``key``; False if it is already known (a replay)."""
        with self._lock:
            while self._heap and (self._heap[0][0] <= now or len(self._seen) >= self._size):
                exp, old = heapq.heappop(self._heap)
                if self._seen.get(old) == exp:
                    del self._seen[old]
            if key in self._seen:
                return False
            self._seen[key] = expires
            heapq.heappush(self._heap, (expires, key))
            return True


class _Keys:
    """One issuer's public keys: a JWKS URL (fetched and cached by PyJWT) or a local JWKS file."""

    def __init__(self, issuer: Issuer, timeout: float) -> None:
        self._client = jwt.PyJWKClient(issuer.jwks_url, cache_keys=True, lifespan=300, timeout=int(timeout) or 1) \
            if issuer.jwks_url else None
        self._set = None
        if issuer.jwks_file is not None:
            self._set = jwt.PyJWKSet.from_dict(json.loads(issuer.jwks_file.read_text(encoding="utf-8")))

    def key_for(self, token: str, kid: str | None) -> Any:
        if self._client is not None:
            return self._client.get_signing_key_from_jwt(token).key
        assert self._set is not None
        keys = [k for k in self._set.keys if kid is None or k.key_id == kid]
        if len(keys) != 1:
            raise Unauthorized
        return keys[0].key


class Verifier:
    """Checks bearer tokens against the configured issuers; thread-safe."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._keys = {i.iss: _Keys(i, settings.fetch_timeout_s) for i in settings.issuers}
        self.replay = ReplayCache(settings.jti_cache_size)

    def verify(self, authorization: str | None, service_id: str | None) -> dict[str, Any]:
        """The verified claims of ``Authorization: Bearer <JWT>``, else :class:`Unauthorized`."""
        s = self._settings
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized
        token = token.strip()
        try:
            header = jwt.get_unverified_header(token)
            iss = jwt.decode(token, options={"verify_signature": False}).get("iss")
            keys = self._keys.get(iss) if isinstance(iss, str) else None
            if keys is None or header.get("alg") not in ALGORITHMS:
                raise Unauthorized
            base = s.service_url.rstrip("/")
            audience = [base] + ([f"{base}/{service_id}"] if service_id else [])
            claims = jwt.decode(
                token, keys.key_for(token, header.get("kid")), algorithms=ALGORITHMS, audience=audience,
                issuer=iss, leeway=s.jwt_leeway_s,
                options={"require": ["iss", "aud", "exp", "iat", "jti"]},
            )
        except Unauthorized:
            raise
        except (jwt.PyJWTError, ValueError, TypeError, KeyError, OSError):
            raise Unauthorized from None
        now = time.time()
        iat, exp, jti = claims.get("iat"), claims.get("exp"), claims.get("jti")
        if not isinstance(iat, int | float) or iat > now + s.jwt_leeway_s:
            raise Unauthorized
        if not isinstance(exp, int | float) or exp > now + s.max_token_age_s + s.jwt_leeway_s:
            raise Unauthorized
        if not isinstance(jti, str) or not jti or not self.replay.add(f"{iss}\x00{jti}", exp + s.jwt_leeway_s, now):
            raise Unauthorized
        return claims
