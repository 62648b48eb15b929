#ifndef BOSUN_CSQLITE_SHIM_H
#define BOSUN_CSQLITE_SHIM_H
#include <sqlite3.h>

/// SQLITE_TRANSIENT is a macro over a cast of -1 that Swift cannot import.
static inline sqlite3_destructor_type bosun_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}
#endif
