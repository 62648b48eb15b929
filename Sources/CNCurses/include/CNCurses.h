#ifndef BOSUN_CNCURSES_H
#define BOSUN_CNCURSES_H
// SwiftPM drops the -D flags pkg-config gives for ncursesw, so the wide API is switched on here.
#define NCURSES_WIDECHAR 1
#include <ncursesw/curses.h>
#include <locale.h>
#include <wchar.h>

static inline WINDOW *bosun_stdscr(void) { return stdscr; }
static inline int bosun_lines(void) { return LINES; }
static inline int bosun_cols(void) { return COLS; }
static inline int bosun_colors(void) { return COLORS; }
static inline attr_t bosun_a_bold(void) { return A_BOLD; }
static inline attr_t bosun_a_dim(void) { return A_DIM; }
static inline attr_t bosun_a_reverse(void) { return A_REVERSE; }
static inline attr_t bosun_a_underline(void) { return A_UNDERLINE; }
static inline attr_t bosun_a_normal(void) { return A_NORMAL; }
static inline attr_t bosun_color_pair(short n) { return COLOR_PAIR(n); }
static inline int bosun_getmaxy(WINDOW *w) { return getmaxy(w); }
static inline int bosun_getmaxx(WINDOW *w) { return getmaxx(w); }
#endif
