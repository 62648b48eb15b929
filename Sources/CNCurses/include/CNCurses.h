#ifndef BOSUN_CNCURSES_H
#define BOSUN_CNCURSES_H
// SwiftPM drops the -D flags pkg-config gives for ncursesw, so the wide API is switched on here.
#define NCURSES_WIDECHAR 1
#include <ncursesw/curses.h>
#include <locale.h>
#include <wchar.h>

// wcwidth is only declared under _XOPEN_SOURCE, which SwiftPM drops too.
extern int wcwidth(wchar_t c);

// ncurses globals and macros are not importable as concurrency-safe Swift; these getters are.
static inline WINDOW *bosun_stdscr(void) { return stdscr; }
static inline int bosun_lines(void) { return LINES; }
static inline int bosun_cols(void) { return COLS; }
static inline int bosun_colors(void) { return COLORS; }
static inline int bosun_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t bosun_a_bold(void) { return A_BOLD; }
static inline attr_t bosun_a_dim(void) { return A_DIM; }
static inline attr_t bosun_a_reverse(void) { return A_REVERSE; }
static inline attr_t bosun_a_underline(void) { return A_UNDERLINE; }
static inline attr_t bosun_a_normal(void) { return A_NORMAL; }
static inline attr_t bosun_color_pair(short n) { return COLOR_PAIR(n); }
static inline int bosun_getmaxy(WINDOW *w) { return getmaxy(w); }
static inline int bosun_getmaxx(WINDOW *w) { return getmaxx(w); }
static inline void bosun_getmaxyx(WINDOW *w, int *y, int *x) { getmaxyx(w, *y, *x); }
static inline chtype bosun_acs_hline(void) { return ACS_HLINE; }
static inline chtype bosun_acs_vline(void) { return ACS_VLINE; }
static inline chtype bosun_acs_ulcorner(void) { return ACS_ULCORNER; }
static inline chtype bosun_acs_urcorner(void) { return ACS_URCORNER; }
static inline chtype bosun_acs_llcorner(void) { return ACS_LLCORNER; }
static inline chtype bosun_acs_lrcorner(void) { return ACS_LRCORNER; }

/// Cells a Unicode scalar takes in the current locale; -1 when not printable there.
static inline int bosun_wcwidth(unsigned int c) { return wcwidth((wchar_t)c); }

/// Writes UTF-8 text at (y, x) with attributes and a colour pair.
static inline int bosun_put(int y, int x, const char *utf8, int length, attr_t attributes, short pair) {
    attr_set(attributes, pair, NULL);
    return mvaddnstr(y, x, utf8, length);
}

/// Reads one key or character, waiting at most the timeout set with `timeout()`. Returns OK, KEY_CODE_YES or ERR.
static inline int bosun_get_wch(unsigned int *out) {
    wint_t value = 0;
    int result = get_wch(&value);
    *out = (unsigned int)value;
    return result;
}

/// Installs handlers that restore the terminal (endwin) on SIGSEGV, SIGABRT, SIGBUS, SIGFPE and a second SIGTERM
/// or SIGHUP, then re-raise the signal with its default action; SIGINT and a first SIGTERM or SIGHUP only set
/// flags read by `bosun_take_sigint` and `bosun_take_sigterm`.
void bosun_install_signal_handlers(void);
/// Puts back the handlers that were there before `bosun_install_signal_handlers`.
void bosun_restore_signal_handlers(void);
/// Whether SIGINT arrived since the last call.
int bosun_take_sigint(void);
/// Whether a first SIGTERM or SIGHUP arrived since the last call.
int bosun_take_sigterm(void);
#endif
