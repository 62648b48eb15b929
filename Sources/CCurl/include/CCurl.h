#ifndef BOSUN_CCURL_H
#define BOSUN_CCURL_H

#include <curl/curl.h>

// libcurl for the agent's httpGet, loaded on first use (dlopen of libcurl.so.4) rather than linked: linked, it and
// what it pulls in (GnuTLS, Kerberos, LDAP, …) add about 4 MB to the RSS of every agent, most of which never
// fetch anything. Only curl.h's types and constants come from the headers; every call goes through this file.
//
// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: one typed wrapper per kind of value.

typedef size_t (*bosun_curl_data_function)(char *bytes, size_t size, size_t count, void *userdata);
typedef int (*bosun_curl_progress_function)(
    void *userdata, curl_off_t download_total, curl_off_t downloaded, curl_off_t upload_total, curl_off_t uploaded);

// Loads libcurl and runs curl_global_init, once per process, whichever thread comes first. Returns NULL when
// libcurl is ready, else why it is not (a static string). Call it before any other function here.
const char *bosun_curl_load(void);

CURL *bosun_curl_easy_init(void);
void bosun_curl_easy_cleanup(CURL *handle);
CURLcode bosun_curl_easy_perform(CURL *handle);
const char *bosun_curl_easy_strerror(CURLcode code);

CURLcode bosun_curl_set_long(CURL *handle, CURLoption option, long value);
CURLcode bosun_curl_set_string(CURL *handle, CURLoption option, const char *value);
CURLcode bosun_curl_set_pointer(CURL *handle, CURLoption option, void *value);
// CURLOPT_WRITEFUNCTION or CURLOPT_HEADERFUNCTION.
CURLcode bosun_curl_set_data_function(CURL *handle, CURLoption option, bosun_curl_data_function function);
// CURLOPT_XFERINFOFUNCTION, and CURLOPT_NOPROGRESS 0 so libcurl calls it.
CURLcode bosun_curl_set_progress_function(CURL *handle, bosun_curl_progress_function function);

CURLcode bosun_curl_get_long(CURL *handle, CURLINFO info, long *value);
CURLcode bosun_curl_get_string(CURL *handle, CURLINFO info, const char **value);

// The URL parser (curl_url_*): NULL from bosun_curl_url when out of memory.
CURLU *bosun_curl_url(void);
void bosun_curl_url_cleanup(CURLU *url);
CURLUcode bosun_curl_url_set(CURLU *url, CURLUPart part, const char *text, unsigned int flags);
CURLUcode bosun_curl_url_get(CURLU *url, CURLUPart part, char **text, unsigned int flags);
const char *bosun_curl_url_strerror(CURLUcode code);
void bosun_curl_free(void *pointer);

// Names the calling thread (at most 15 bytes), so a transfer's thread shows in /proc/PID/task/*/comm: glibc's
// pthread_setname_np needs _GNU_SOURCE, which Swift's Glibc module leaves out.
int bosun_curl_name_thread(const char *name);

#endif
