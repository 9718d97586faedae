"""A TEST-ONLY encrypting PayloadCodec, and the data converters the encryption tests use.

`TestOnlyEncryptionCodec` is NOT production cryptography: a keystream from SHA-256
in counter mode and an HMAC-SHA256 tag, from the standard library only, because the
`cryptography` package is not installed in this virtualenv. It has the shape of a
real codec (a random nonce per payload, the whole inner `Payload` sealed, metadata
included, so even `messageType` is hidden; an authentication tag checked before
anything is decoded; a key ID in the clear). Teams use AES-GCM from `cryptography`
instead (README, "Encryption"); everything else here is what they write.

Importable without side effects: the CLI loads `encryption_codec:data_converter`
with `--data-converter`, and the workflow sandbox re-imports the test modules.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import os
from collections.abc import Sequence

import nexusproto.converter
from temporalio.api.common.v1 import Payload
from temporalio.converter import DataConverter, PayloadCodec

ENCODING = b"binary/test-only-encrypted"
"""The `encoding` metadata of a sealed payload (what the history shows)."""
KEY_ID = "test-key-1"
_KEY = hashlib.sha256(b"nexusproto encryption tests: not a secret").digest()
_NONCE = 16
_TAG = 16


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = []
    for counter in range((length + 31) // 32):
        blocks.append(hashlib.sha256(key + nonce + counter.to_bytes(8, "big")).digest())
    return b"".join(blocks)[:length]


def _xor(data: bytes, stream: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))


class TestOnlyEncryptionCodec(PayloadCodec):
    """Seals every payload (see the module documentation: for tests only)."""

    __test__ = False  # not a pytest test class

    def __init__(self, key: bytes = _KEY, key_id: str = KEY_ID) -> None:
        self._key = key
        self._key_id = key_id

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._seal(payload) for payload in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._open(payload) for payload in payloads]

    def _seal(self, payload: Payload) -> Payload:
        plain = payload.SerializeToString()
        nonce = os.urandom(_NONCE)
        sealed = _xor(plain, _keystream(self._key, nonce, len(plain)))
        tag = hmac.new(self._key, nonce + sealed, hashlib.sha256).digest()[:_TAG]
        return Payload(
            metadata={"encoding": ENCODING, "encryption-key-id": self._key_id.encode()},
            data=nonce + sealed + tag,
        )

    def _open(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload  # not sealed by this codec (written before encryption began)
        key_id = payload.metadata.get("encryption-key-id", b"").decode()
        if key_id != self._key_id:
            raise ValueError(f"payload sealed with unknown key {key_id!r}")
        data = payload.data
        nonce, sealed, tag = data[:_NONCE], data[_NONCE:-_TAG], data[-_TAG:]
        expected = hmac.new(self._key, nonce + sealed, hashlib.sha256).digest()[:_TAG]
        if not hmac.compare_digest(tag, expected):
            raise ValueError("payload authentication failed (tampered, or another key)")
        plain = _xor(sealed, _keystream(self._key, nonce, len(sealed)))
        return Payload.FromString(plain)


data_converter: DataConverter = dataclasses.replace(
    nexusproto.converter.data_converter, payload_codec=TestOnlyEncryptionCodec()
)
"""nexusproto's converter with the test codec: what both teams pass to `Client.connect`."""
