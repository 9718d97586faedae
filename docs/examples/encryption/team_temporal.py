"""The data converter both teams use: nexusproto's converter with an AES-256-GCM codec.

Both the handler team and the caller team import `data_converter` from this module
and pass it to every `Client.connect`; workers use their client's converter. The key
comes from PAYLOAD_KEY_ID and PAYLOAD_KEY_HEX (64 hex digits). Needs the
`cryptography` package.
"""

import dataclasses
import os
from collections.abc import Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

import nexusproto.converter

ENCODING = b"binary/encrypted"


class EncryptionCodec(PayloadCodec):
    """Seals each whole payload (its metadata too) with AES-256-GCM."""

    def __init__(self, key_id: str, key: bytes) -> None:
        self.key_id = key_id
        self.cipher = AESGCM(key)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        sealed = []
        for payload in payloads:
            nonce = os.urandom(12)
            data = self.cipher.encrypt(nonce, payload.SerializeToString(), None)
            sealed.append(
                Payload(
                    metadata={
                        "encoding": ENCODING,
                        "encryption-key-id": self.key_id.encode(),
                    },
                    data=nonce + data,
                )
            )
        return sealed

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        opened = []
        for payload in payloads:
            if payload.metadata.get("encoding") != ENCODING:
                opened.append(payload)  # written before encryption began
                continue
            key_id = payload.metadata.get("encryption-key-id", b"").decode()
            if key_id != self.key_id:
                raise ValueError(f"payload sealed with unknown key {key_id!r}")
            plain = self.cipher.decrypt(payload.data[:12], payload.data[12:], None)
            opened.append(Payload.FromString(plain))
        return opened


data_converter = dataclasses.replace(
    nexusproto.converter.data_converter,
    payload_codec=EncryptionCodec(
        os.environ["PAYLOAD_KEY_ID"], bytes.fromhex(os.environ["PAYLOAD_KEY_HEX"])
    ),
)
