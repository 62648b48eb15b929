#define _GNU_SOURCE
#include "CCurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

// The libcurl functions used, found in the library once it is loaded.
static struct {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *handle);
    CURLcode (*easy_perform)(CURL *handle);
    const char *(*easy_strerror)(CURLcode code);
    CURLcode (*easy_setopt)(CURL *handle, CURLoption option, ...);
    CURLcode (*easy_getinfo)(CURL *handle, CURLINFO info, ...);
    CURLU *(*url)(void);
    void (*url_cleanup)(CURLU *url);
    CURLUcode (*url_set)(CURLU *url, CURLUPart part, const char *text, unsigned int flags);
    CURLUcode (*url_get)(const CURLU *url, CURLUPart part, char **text, unsigned int flags);
    const char *(*url_strerror)(CURLUcode code);
    void (*free)(void *pointer);
} curl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static const char *load_failure = NULL;
static char load_failure_text[512];

static int find(void *library, void **slot, const char *name) {
    *slot = dlsym(library, name);
    if (*slot == NULL) {
        snprintf(load_failure_text, sizeof load_failure_text, "libcurl.so.4 has no %s", name);
        load_failure = load_failure_text;
    }
    return *slot != NULL;
}

static void load(void) {
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        snprintf(load_failure_text, sizeof load_failure_text, "cannot load libcurl (Debian libcurl4): %s", dlerror());
        load_failure = load_failure_text;
        return;
    }
    int found = find(library, (void **)&curl.global_init, "curl_global_init")
        && find(library, (void **)&curl.easy_init, "curl_easy_init")
        && find(library, (void **)&curl.easy_cleanup, "curl_easy_cleanup")
        && find(library, (void **)&curl.easy_perform, "curl_easy_perform")
        && find(library, (void **)&curl.easy_strerror, "curl_easy_strerror")
        && find(library, (void **)&curl.easy_setopt, "curl_easy_setopt")
        && find(library, (void **)&curl.easy_getinfo, "curl_easy_getinfo")
        && find(library, (void **)&curl.url, "curl_url")
        && find(library, (void **)&curl.url_cleanup, "curl_url_cleanup")
        && find(library, (void **)&curl.url_set, "curl_url_set")
        && find(library, (void **)&curl.url_get, "curl_url_get")
        && find(library, (void **)&curl.url_strerror, "curl_url_strerror")
        && find(library, (void **)&curl.free, "curl_free");
    if (found && curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) load_failure = "curl_global_init failed";
}

const char *bosun_curl_load(void) {
    pthread_once(&load_once, load);
    return load_failure;
}

CURL *bosun_curl_easy_init(void) { return curl.easy_init(); }
void bosun_curl_easy_cleanup(CURL *handle) { curl.easy_cleanup(handle); }
CURLcode bosun_curl_easy_perform(CURL *handle) { return curl.easy_perform(handle); }
const char *bosun_curl_easy_strerror(CURLcode code) { return curl.easy_strerror(code); }

CURLcode bosun_curl_set_long(CURL *handle, CURLoption option, long value) {
    return curl.easy_setopt(handle, option, value);
}

CURLcode bosun_curl_set_string(CURL *handle, CURLoption option, const char *value) {
    return curl.easy_setopt(handle, option, value);
}

CURLcode bosun_curl_set_pointer(CURL *handle, CURLoption option, void *value) {
    return curl.easy_setopt(handle, option, value);
}

CURLcode bosun_curl_set_data_function(CURL *handle, CURLoption option, bosun_curl_data_function function) {
    return curl.easy_setopt(handle, option, function);
}

CURLcode bosun_curl_set_progress_function(CURL *handle, bosun_curl_progress_function function) {
    CURLcode result = curl.easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, function);
    return result == CURLE_OK ? curl.easy_setopt(handle, CURLOPT_NOPROGRESS, 0L) : result;
}

CURLcode bosun_curl_get_long(CURL *handle, CURLINFO info, long *value) {
    return curl.easy_getinfo(handle, info, value);
}

CURLcode bosun_curl_get_string(CURL *handle, CURLINFO info, const char **value) {
    return curl.easy_getinfo(handle, info, value);
}

CURLU *bosun_curl_url(void) { return curl.url(); }
void bosun_curl_url_cleanup(CURLU *url) { curl.url_cleanup(url); }

CURLUcode bosun_curl_url_set(CURLU *url, CURLUPart part, const char *text, unsigned int flags) {
    return curl.url_set(url, part, text, flags);
}

CURLUcode bosun_curl_url_get(CURLU *url, CURLUPart part, char **text, unsigned int flags) {
    return curl.url_get(url, part, text, flags);
}

const char *bosun_curl_url_strerror(CURLUcode code) { return curl.url_strerror(code); }
void bosun_curl_free(void *pointer) { curl.free(pointer); }

int bosun_curl_name_thread(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}
