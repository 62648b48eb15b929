#include "CCrypto.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <openssl/bn.h>

static pthread_once_t initialised = PTHREAD_ONCE_INIT;
static int ready = 0;

static void initialise(void) {
    ready = sodium_init() >= 0;
}

// libsodium must be initialised once before its first use (it picks its implementations and seeds its random
// source); every entry point here makes sure.
static int sodium_ready(void) {
    pthread_once(&initialised, initialise);
    return ready;
}

int bosun_ed25519_generate(uint8_t private_key[32]) {
    if (!sodium_ready()) return 0;
    randombytes_buf(private_key, 32);
    return 1;
}

int bosun_ed25519_public_key(const uint8_t private_key[32], uint8_t public_key[32]) {
    uint8_t expanded[crypto_sign_SECRETKEYBYTES];
    int ok = sodium_ready() && crypto_sign_seed_keypair(public_key, expanded, private_key) == 0;
    sodium_memzero(expanded, sizeof expanded);
    return ok;
}

void *bosun_ed25519_private_key_new(const uint8_t private_key[32]) {
    uint8_t public_key[crypto_sign_PUBLICKEYBYTES];
    uint8_t *expanded = malloc(crypto_sign_SECRETKEYBYTES);
    if (expanded == NULL) return NULL;
    if (!sodium_ready() || crypto_sign_seed_keypair(public_key, expanded, private_key) != 0) {
        free(expanded);
        return NULL;
    }
    return expanded;
}

void *bosun_ed25519_public_key_new(const uint8_t public_key[32]) {
    uint8_t *copy = malloc(crypto_sign_PUBLICKEYBYTES);
    if (copy == NULL) return NULL;
    memcpy(copy, public_key, crypto_sign_PUBLICKEYBYTES);
    return copy;
}

void bosun_ed25519_key_free(void *key) {
    // Private keys are 64 bytes, public ones 32: zeroing the first 32 of either is within bounds, and wipes the seed.
    if (key != NULL) sodium_memzero(key, 32);
    free(key);
}

int bosun_ed25519_sign_with(void *key, const uint8_t *message, size_t length, uint8_t signature[64]) {
    return key != NULL && sodium_ready() && crypto_sign_detached(signature, NULL, message, length, key) == 0;
}

int bosun_ed25519_verify_with(void *key, const uint8_t *message, size_t length, const uint8_t signature[64]) {
    return key != NULL && sodium_ready() && crypto_sign_verify_detached(signature, message, length, key) == 0;
}

// p = 2^255 - 19, made once.
static pthread_once_t prime_made = PTHREAD_ONCE_INIT;
static BIGNUM *prime = NULL;

static void make_prime(void) {
    BIGNUM *p = BN_new();
    if (p != NULL && BN_set_bit(p, 255) && BN_sub_word(p, 19)) prime = p;
    else BN_free(p);
}

int bosun_x25519_public_key(const uint8_t public_key[32], uint8_t x25519_public_key[32]) {
    // u = (1 + y) / (1 - y) mod p (RFC 7748, section 4.1), y being the Edwards point's encoding without the sign
    // of x. libsodium's conversion also checks that the point is in the main subgroup, a scalar multiplication
    // that costs three times this; X25519 does not need it: its clamped scalar is a multiple of the cofactor, so
    // a small-order part of the point drops out, and a key made of small order alone gives an all-zero secret,
    // which bosun_pair_key refuses.
    pthread_once(&prime_made, make_prime);
    if (prime == NULL) return 0;
    uint8_t y_bytes[32];
    memcpy(y_bytes, public_key, 32);
    y_bytes[31] &= 0x7f;
    BN_CTX *context = BN_CTX_new();
    if (context == NULL) return 0;
    BN_CTX_start(context);
    BIGNUM *y = BN_CTX_get(context), *numerator = BN_CTX_get(context), *denominator = BN_CTX_get(context);
    BIGNUM *u = BN_CTX_get(context);
    int ok = u != NULL && BN_lebin2bn(y_bytes, 32, y) != NULL
        && BN_cmp(y, prime) < 0  // a canonical encoding only
        && BN_mod_add(numerator, BN_value_one(), y, prime, context)
        && BN_mod_sub(denominator, BN_value_one(), y, prime, context)
        && !BN_is_zero(denominator)  // y = 1: the neutral point
        && BN_mod_inverse(denominator, denominator, prime, context) != NULL
        && BN_mod_mul(u, numerator, denominator, prime, context)
        && BN_bn2lebinpad(u, x25519_public_key, 32) == 32;
    BN_CTX_end(context);
    BN_CTX_free(context);
    return ok;
}

int bosun_pair_key(void *private_key, const uint8_t peer_public_key[32], const uint8_t peer_x25519_key[32],
                   uint8_t key[32]) {
    if (private_key == NULL || !sodium_ready()) return 0;
    const uint8_t *own_public_key = (const uint8_t *)private_key + 32;
    uint8_t own_secret[crypto_scalarmult_curve25519_BYTES];
    uint8_t shared[crypto_scalarmult_curve25519_BYTES];
    int ok = crypto_sign_ed25519_sk_to_curve25519(own_secret, private_key) == 0
        && crypto_scalarmult_curve25519(shared, own_secret, peer_x25519_key) == 0;
    if (ok) {
        // Both ends hash the same bytes: the label, the shared secret, then the two public keys, lower first.
        int own_first = memcmp(own_public_key, peer_public_key, 32) < 0;
        crypto_hash_sha256_state state;
        static const char label[] = "bosun-pair-v1";
        crypto_hash_sha256_init(&state);
        crypto_hash_sha256_update(&state, (const uint8_t *)label, sizeof label - 1);
        crypto_hash_sha256_update(&state, shared, sizeof shared);
        crypto_hash_sha256_update(&state, own_first ? own_public_key : peer_public_key, 32);
        crypto_hash_sha256_update(&state, own_first ? peer_public_key : own_public_key, 32);
        crypto_hash_sha256_final(&state, key);
        sodium_memzero(&state, sizeof state);
    }
    sodium_memzero(own_secret, sizeof own_secret);
    sodium_memzero(shared, sizeof shared);
    return ok;
}

int bosun_hmac_sha256(const uint8_t key[32], const uint8_t *message, size_t length, uint8_t mac[32]) {
    return sodium_ready() && crypto_auth_hmacsha256(mac, message, length, key) == 0;
}

int bosun_hmac_sha256_verify(const uint8_t key[32], const uint8_t *message, size_t length, const uint8_t mac[32]) {
    return sodium_ready() && crypto_auth_hmacsha256_verify(mac, message, length, key) == 0;
}

void *bosun_sha256_new(void) {
    crypto_hash_sha256_state *state = malloc(sizeof *state);
    if (state == NULL) return NULL;
    if (!sodium_ready() || crypto_hash_sha256_init(state) != 0) {
        free(state);
        return NULL;
    }
    return state;
}

int bosun_sha256_update(void *state, const uint8_t *bytes, size_t length) {
    return state != NULL && crypto_hash_sha256_update(state, bytes, length) == 0;
}

int bosun_sha256_finish(void *state, uint8_t digest[32]) {
    int ok = state != NULL && crypto_hash_sha256_final(state, digest) == 0;
    free(state);
    return ok;
}
