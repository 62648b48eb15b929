#ifndef BOSUN_CCRYPTO_H
#define BOSUN_CCRYPTO_H

#include <stddef.h>
#include <stdint.h>

// Ed25519, X25519, HMAC-SHA-256 and SHA-256 from libsodium (Debian libsodium23): its Ed25519 signs and verifies
// in about half the time of libcrypto's here (31 µs and 84 µs against 59 µs and 152 µs). One conversion uses
// libcrypto's big numbers (libssl3, which libnats loads anyway). Every function returns 1 on success and 0 on failure.

int bosun_ed25519_generate(uint8_t private_key[32]);
int bosun_ed25519_public_key(const uint8_t private_key[32], uint8_t public_key[32]);

// Keys expanded once and kept, for signing and verifying many messages: expanding a private key derives its
// public half, which costs as much as a signature. Free with bosun_ed25519_key_free.
void *bosun_ed25519_private_key_new(const uint8_t private_key[32]);
void *bosun_ed25519_public_key_new(const uint8_t public_key[32]);
int bosun_ed25519_sign_with(void *key, const uint8_t *message, size_t length, uint8_t signature[64]);
int bosun_ed25519_verify_with(void *key, const uint8_t *message, size_t length, const uint8_t signature[64]);
void bosun_ed25519_key_free(void *key);

// An Ed25519 public key as an X25519 one, for agreeing a key with a node: its Edwards y mapped to the Montgomery u
// with libcrypto's big numbers (libsodium's own conversion checks the point's subgroup first, which costs three
// times as much and which X25519 does not need). Fails for a non-canonical y, or y = 1.
int bosun_x25519_public_key(const uint8_t public_key[32], uint8_t x25519_public_key[32]);
// The key two nodes share without saying a word: X25519 between the private key (made by
// bosun_ed25519_private_key_new), turned into an X25519 one, and the other node's key in X25519 form (from
// bosun_x25519_public_key of its Ed25519 `peer_public_key`), hashed with both Ed25519 public keys in a fixed order
// (so both ends get the same key). Fails for a key of small order.
int bosun_pair_key(void *private_key, const uint8_t peer_public_key[32], const uint8_t peer_x25519_key[32],
                   uint8_t key[32]);
// HMAC-SHA-256 of `message` under `key`, and its check in constant time.
int bosun_hmac_sha256(const uint8_t key[32], const uint8_t *message, size_t length, uint8_t mac[32]);
int bosun_hmac_sha256_verify(const uint8_t key[32], const uint8_t *message, size_t length, const uint8_t mac[32]);

// Incremental SHA-256: new, update as often as needed, then finish (which frees the state).
void *bosun_sha256_new(void);
int bosun_sha256_update(void *state, const uint8_t *bytes, size_t length);
int bosun_sha256_finish(void *state, uint8_t digest[32]);

#endif
