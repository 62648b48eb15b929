#include "CNCurses.h"
#include <signal.h>
#include <string.h>

static volatile sig_atomic_t sigint_pending = 0;
static volatile sig_atomic_t sigterm_pending = 0;
static const int restored_signals[] = {SIGTERM, SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGHUP};
#define RESTORED_COUNT (sizeof(restored_signals) / sizeof(restored_signals[0]))
static struct sigaction previous[RESTORED_COUNT];
static struct sigaction previous_int;
static int installed = 0;

static void restore_and_reraise(int sig) {
    // endwin is not formally async-signal-safe, but leaving the terminal in raw mode is worse; the signal
    // is re-raised with its default action right after.
    endwin();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void note_sigint(int sig) {
    (void)sig;
    sigint_pending = 1;
}

// The first SIGTERM or SIGHUP (the terminal went away) asks the console to leave, stopping what it started; a
// second one restores the terminal and ends the process, so a console that does not leave can still be stopped.
static void note_sigterm(int sig) {
    sigterm_pending = 1;
    struct sigaction again;
    memset(&again, 0, sizeof(again));
    sigemptyset(&again.sa_mask);
    again.sa_handler = restore_and_reraise;
    again.sa_flags = SA_RESETHAND;
    sigaction(sig, &again, NULL);
}

void bosun_install_signal_handlers(void) {
    if (installed) return;
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    sigemptyset(&action.sa_mask);
    action.sa_handler = restore_and_reraise;
    action.sa_flags = SA_RESETHAND;
    for (unsigned i = 0; i < RESTORED_COUNT; i++) sigaction(restored_signals[i], &action, &previous[i]);
    struct sigaction interrupt;
    memset(&interrupt, 0, sizeof(interrupt));
    sigemptyset(&interrupt.sa_mask);
    interrupt.sa_handler = note_sigint;
    sigaction(SIGINT, &interrupt, &previous_int);
    struct sigaction terminate = action;
    terminate.sa_handler = note_sigterm;
    terminate.sa_flags = 0;
    sigaction(SIGTERM, &terminate, NULL);
    sigaction(SIGHUP, &terminate, NULL);
    installed = 1;
}

void bosun_restore_signal_handlers(void) {
    if (!installed) return;
    for (unsigned i = 0; i < RESTORED_COUNT; i++) sigaction(restored_signals[i], &previous[i], NULL);
    sigaction(SIGINT, &previous_int, NULL);
    installed = 0;
}

int bosun_take_sigterm(void) {
    if (!sigterm_pending) return 0;
    sigterm_pending = 0;
    return 1;
}

int bosun_take_sigint(void) {
    if (!sigint_pending) return 0;
    sigint_pending = 0;
    return 1;
}
