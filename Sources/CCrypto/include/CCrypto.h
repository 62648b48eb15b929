#ifndef BOSUN_CCRYPTO_H
#define BOSUN_CCRYPTO_H

#include <stddef.h>
#include <stdint.h>

// Ed25519 and SHA-256 from the system's libcrypto (OpenSSL 3), which libnats already loads: no second crypto
// library in the agent. Every function returns 1 on success and 0 on failure.

int bosun_ed25519_generate(uint8_t private_key[32]);
int bosun_ed25519_public_key(const uint8_t private_key[32], uint8_t public_key[32]);

// Keys parsed once and kept (an EVP_PKEY), for signing and verifying many messages: parsing a private key
// derives its public half, which costs as much as a signature. Free with bosun_ed25519_key_free.
void *bosun_ed25519_private_key_new(const uint8_t private_key[32]);
void *bosun_ed25519_public_key_new(const uint8_t public_key[32]);
int bosun_ed25519_sign_with(void *key, const uint8_t *message, size_t length, uint8_t signature[64]);
int bosun_ed25519_verify_with(void *key, const uint8_t *message, size_t length, const uint8_t signature[64]);
void bosun_ed25519_key_free(void *key);

// Incremental SHA-256: new, update as often as needed, then finish (which frees the state).
void *bosun_sha256_new(void);
int bosun_sha256_update(void *state, const uint8_t *bytes, size_t length);
int bosun_sha256_finish(void *state, uint8_t digest[32]);

#endif
