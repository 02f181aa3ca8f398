"""Transformations that look like pseudonymisation and are not: fast unkeyed hashes and reversible
encodings. Plain tables for AIP108.

Qualified names are as ``RuleBase.qualified_name`` resolves them through imports.
"""

from __future__ import annotations

# fast, unkeyed hashes: anyone who can enumerate the inputs (every e-mail of a leak, every phone
# number of a country) recomputes them
FAST_HASHES = frozenset({
    *(f"hashlib.{h}" for h in ("md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3_224",
                               "sha3_256", "sha3_384", "sha3_512", "blake2b", "blake2s", "new",
                               "shake_128", "shake_256")),
    "xxhash.xxh64", "xxhash.xxh32", "xxhash.xxh3_64", "xxhash.xxh128", "xxhash.xxh64_hexdigest",
    "xxhash.xxh3_64_hexdigest", "mmh3.hash", "mmh3.hash128", "mmh3.hash_bytes", "zlib.crc32",
    "zlib.adler32",
})
# hashes that become keyed with a key= argument (BLAKE2's MAC mode)
KEYABLE = frozenset({"hashlib.blake2b", "hashlib.blake2s"})
# encodings anyone reverses
REVERSIBLE = frozenset({"base64.b64encode", "base64.urlsafe_b64encode", "base64.b32encode",
                        "base64.b16encode", "base64.b85encode", "base64.standard_b64encode",
                        "base64.encodebytes", "binascii.hexlify", "binascii.b2a_base64"})
# words in the hashed expression that make it keyed or salted with a secret; a password (or its
# stored hash) mixed into the input is secret material too: `md5(f"{email},{password_hash}")`, a
# session id that changes with the password, cannot be recomputed from a list of addresses
KEY_WORDS = ("salt", "pepper", "secret", "key", "hmac", "password", "passwd")
# services whose protocol names an account by the unkeyed hash of its e-mail address (the avatar
# URL is `https://www.gravatar.com/avatar/<md5 or sha256 of the address>`): that hash is the
# lookup key the service defines, not a pseudonym of the project's, and a keyed hash would break
# it. Sending it to the service is a disclosure to a third party, not weak pseudonymisation.
AVATAR_SERVICES = ("gravatar", "libravatar")
# words in an encoded expression that make it a credential (HTTP basic auth), not a pseudonym
CREDENTIAL_WORDS = ("password", "passwd", "pwd", "token", "secret", "api_key", "apikey",
                    "credential", "auth")
# methods that apply a function to every value of a column
APPLY_METHODS = frozenset({"apply", "map", "transform", "applymap", "map_elements"})
# calls and environment variables that return the login name of the person running the code (a
# CLI's "anonymous" telemetry id is often a hash of it)
LOGIN_NAME_CALLS = frozenset({"getpass.getuser", "os.getlogin"})
LOGIN_NAME_VARS = frozenset({"USER", "USERNAME", "LOGNAME"})
