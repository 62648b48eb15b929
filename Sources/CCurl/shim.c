#define _GNU_SOURCE
#include "CCurl.h"

#include <pthread.h>

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_result = CURLE_FAILED_INIT;

static void global_init(void) {
    global_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

CURLcode bosun_curl_global_init(void) {
    pthread_once(&global_once, global_init);
    return global_result;
}

CURLcode bosun_curl_set_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode bosun_curl_set_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode bosun_curl_set_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode bosun_curl_set_data_function(CURL *handle, CURLoption option, bosun_curl_data_function function) {
    return curl_easy_setopt(handle, option, function);
}

CURLcode bosun_curl_set_progress_function(CURL *handle, bosun_curl_progress_function function) {
    CURLcode result = curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, function);
    return result == CURLE_OK ? curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L) : result;
}

CURLcode bosun_curl_get_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

CURLcode bosun_curl_get_string(CURL *handle, CURLINFO info, const char **value) {
    return curl_easy_getinfo(handle, info, value);
}

int bosun_curl_name_thread(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}
