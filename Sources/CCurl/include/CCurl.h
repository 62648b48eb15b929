#ifndef BOSUN_CCURL_H
#define BOSUN_CCURL_H

#include <curl/curl.h>

// libcurl's curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: one typed wrapper per
// kind of value. The rest of the API Swift calls directly (curl_easy_init, curl_easy_perform, curl_url_*).

typedef size_t (*bosun_curl_data_function)(char *bytes, size_t size, size_t count, void *userdata);
typedef int (*bosun_curl_progress_function)(
    void *userdata, curl_off_t download_total, curl_off_t downloaded, curl_off_t upload_total, curl_off_t uploaded);

// curl_global_init(CURL_GLOBAL_DEFAULT) once per process, whichever thread comes first; returns its result.
CURLcode bosun_curl_global_init(void);

CURLcode bosun_curl_set_long(CURL *handle, CURLoption option, long value);
CURLcode bosun_curl_set_string(CURL *handle, CURLoption option, const char *value);
CURLcode bosun_curl_set_pointer(CURL *handle, CURLoption option, void *value);
// CURLOPT_WRITEFUNCTION or CURLOPT_HEADERFUNCTION.
CURLcode bosun_curl_set_data_function(CURL *handle, CURLoption option, bosun_curl_data_function function);
// CURLOPT_XFERINFOFUNCTION, and CURLOPT_NOPROGRESS 0 so libcurl calls it.
CURLcode bosun_curl_set_progress_function(CURL *handle, bosun_curl_progress_function function);

// Names the calling thread (at most 15 bytes), so a transfer's thread shows in /proc/PID/task/*/comm: glibc's
// pthread_setname_np needs _GNU_SOURCE, which Swift's Glibc module leaves out.
int bosun_curl_name_thread(const char *name);

CURLcode bosun_curl_get_long(CURL *handle, CURLINFO info, long *value);
CURLcode bosun_curl_get_string(CURL *handle, CURLINFO info, const char **value);

#endif
