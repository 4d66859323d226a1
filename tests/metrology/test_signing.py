"""Canonical form and Ed25519 signatures (jiliang.metrology.signing)."""

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiliang.metrology import signing

# RFC 8032 section 7.1, TEST 1: the secret key, its public key, the empty message and its signature.
RFC8032_SECRET = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
RFC8032_SIGNATURE = bytes.fromhex(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
)


def test_rfc8032_test_vector_1():
    key = signing.private_key_from_seed(RFC8032_SECRET)
    assert signing.public_key_raw(key) == RFC8032_PUBLIC
    assert key.sign(b"") == RFC8032_SIGNATURE


def test_canonical_bytes_sorted_compact_utf8():
    assert signing.canonical_bytes({"z": 1, "a": {"c": "检定", "b": None}}) == (
        '{"a":{"b":null,"c":"检定"},"z":1}'.encode()
    )


def test_floats_are_refused():
    with pytest.raises(signing.NotCanonical, match="floating-point"):
        signing.canonical_bytes({"error": 0.1})


DOC = {
    "format": "jiliang-certificate",
    "number": "CS01-2026-JD-000001",
    "owner": {"name": "云川市第一人民医院"},
    "results": {"points": [{"reference": "0.4168", "indicated": "0.4"}]},
}


KEY = signing.private_key_from_seed(bytes(range(32)))
# The verifier's own copy of the signer's public key (verify_signed never trusts the key inside the file).
TRUSTED = {signing.key_id(KEY): signing.b64(signing.public_key_raw(KEY))}


def test_sign_and_verify_round_trip_and_one_changed_character_fails():
    signed = signing.sign_document(DOC, KEY)
    assert signing.verify_signed(signed, trusted_keys=TRUSTED).valid
    tampered = copy.deepcopy(signed)
    tampered["certificate"]["owner"]["name"] = "云川市第二人民医院"
    result = signing.verify_signed(tampered, trusted_keys=TRUSTED)
    assert not result.valid and "does not match" in result.reason


def test_untrusted_key_is_reported():
    key = signing.private_key_from_seed(bytes(range(32)))
    signed = signing.sign_document(DOC, key)
    other = signing.private_key_from_seed(bytes(32))
    trusted = {signing.key_id(other): signing.b64(signing.public_key_raw(other))}
    result = signing.verify_signed(signed, trusted_keys=trusted)
    assert not result.valid and "not one of the trusted keys" in result.reason
    trusted[signing.key_id(key)] = signing.b64(signing.public_key_raw(key))
    assert signing.verify_signed(signed, trusted_keys=trusted).valid


def test_swapped_public_key_is_refused():
    signed = signing.sign_document(DOC, KEY)
    other = signing.private_key_from_seed(bytes(32))
    signed["signature"]["public_key"] = signing.b64(signing.public_key_raw(other))
    reason = signing.verify_signed(signed, trusted_keys=TRUSTED).reason
    assert reason == f"the public key in the file is not the trusted key {signing.key_id(KEY)}"


@pytest.mark.parametrize(
    "broken", [None, [], {"certificate": {}}, {"signature": {}}, {"certificate": {}, "signature": {"algorithm": "RSA"}}]
)
def test_malformed_files_are_refused(broken):
    assert not signing.verify_signed(broken, trusted_keys=TRUSTED).valid


@given(st.text(min_size=1, max_size=40), st.integers(min_value=0, max_value=len(DOC["number"]) - 1))
def test_any_change_to_the_number_breaks_the_signature(replacement, position):
    signed = signing.sign_document(DOC, KEY)
    number = DOC["number"]
    changed = number[:position] + replacement + number[position + 1 :]
    if changed == number:
        return
    signed["certificate"] = {**signed["certificate"], "number": changed}
    assert not signing.verify_signed(signed, trusted_keys=TRUSTED).valid


def test_a_document_with_duplicate_keys_is_refused_when_read():
    text = '{"certificate": {"valid_until": "2035-12-31", "number": "X", "valid_until": "2027-01-01"}}'
    with pytest.raises(signing.NotCanonical, match="duplicate key 'valid_until'"):
        signing.loads(text)
    assert signing.loads('{"a": {"b": [1, {"c": null}]}}') == {"a": {"b": [1, {"c": None}]}}


def test_a_file_is_verified_only_against_trusted_keys():
    signed = signing.sign_document(DOC, KEY)
    with pytest.raises(TypeError):
        signing.verify_signed(signed)  # type: ignore[call-arg]  (no default: the embedded key is never trusted)
    assert not signing.verify_signed(signed, trusted_keys={}).valid
