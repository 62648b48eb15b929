#include "CCrypto.h"

#include <openssl/evp.h>

int bosun_ed25519_generate(uint8_t private_key[32]) {
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *context = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    int ok = context != NULL && EVP_PKEY_keygen_init(context) == 1 && EVP_PKEY_keygen(context, &key) == 1;
    size_t length = 32;
    ok = ok && EVP_PKEY_get_raw_private_key(key, private_key, &length) == 1 && length == 32;
    EVP_PKEY_free(key);
    EVP_PKEY_CTX_free(context);
    return ok;
}

int bosun_ed25519_public_key(const uint8_t private_key[32], uint8_t public_key[32]) {
    EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, private_key, 32);
    size_t length = 32;
    int ok = key != NULL && EVP_PKEY_get_raw_public_key(key, public_key, &length) == 1 && length == 32;
    EVP_PKEY_free(key);
    return ok;
}

void *bosun_ed25519_private_key_new(const uint8_t private_key[32]) {
    return EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, private_key, 32);
}

void *bosun_ed25519_public_key_new(const uint8_t public_key[32]) {
    return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, public_key, 32);
}

void bosun_ed25519_key_free(void *key) {
    EVP_PKEY_free((EVP_PKEY *)key);
}

int bosun_ed25519_sign_with(void *key, const uint8_t *message, size_t length, uint8_t signature[64]) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    size_t signature_length = 64;
    int ok = key != NULL && context != NULL && EVP_DigestSignInit(context, NULL, NULL, NULL, (EVP_PKEY *)key) == 1
        && EVP_DigestSign(context, signature, &signature_length, message, length) == 1 && signature_length == 64;
    EVP_MD_CTX_free(context);
    return ok;
}

int bosun_ed25519_verify_with(void *key, const uint8_t *message, size_t length, const uint8_t signature[64]) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    int ok = key != NULL && context != NULL && EVP_DigestVerifyInit(context, NULL, NULL, NULL, (EVP_PKEY *)key) == 1
        && EVP_DigestVerify(context, signature, 64, message, length) == 1;
    EVP_MD_CTX_free(context);
    return ok;
}

void *bosun_sha256_new(void) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (context != NULL && EVP_DigestInit_ex(context, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(context);
        return NULL;
    }
    return context;
}

int bosun_sha256_update(void *state, const uint8_t *bytes, size_t length) {
    return state != NULL && EVP_DigestUpdate((EVP_MD_CTX *)state, bytes, length) == 1;
}

int bosun_sha256_finish(void *state, uint8_t digest[32]) {
    unsigned int length = 0;
    int ok = state != NULL && EVP_DigestFinal_ex((EVP_MD_CTX *)state, digest, &length) == 1 && length == 32;
    EVP_MD_CTX_free((EVP_MD_CTX *)state);
    return ok;
}
