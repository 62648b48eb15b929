#define _GNU_SOURCE 1
#include "CSpawn.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

// The child of a vfork: it shares the parent's memory (the parent waits until it has exec'd or exited), so it
// makes only async-signal-safe calls, keeps its own state in this deeper frame, and reports a failure through
// `error`.
__attribute__((noreturn, noinline)) static void bosun_child(const char *path, char *const argv[], char *const envp[],
                                                             int stdout_fd, int stderr_fd, const char *directory,
                                                             volatile int *error) {
    // The descriptors first, every other one closed at once rather than at the exec: a copy of a file another
    // thread has open for writing makes that file "busy" for exec (ETXTBSY) while this child holds it.
    if (dup2(stdout_fd, 1) < 0 || dup2(stderr_fd, 2) < 0) goto failed;
    (void)close_range(3, ~0U, 0);
    // Then the handlers (the parent's would run on its memory), then the mask: every signal is blocked until here.
    struct sigaction standard;
    memset(&standard, 0, sizeof standard);
    standard.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) (void)sigaction(sig, &standard, NULL);
    }
    sigset_t none;
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, NULL) != 0 || setsid() < 0) goto failed;
    int input = open("/dev/null", O_RDONLY);
    if (input < 0 || (input != 0 && (dup2(input, 0) < 0 || close(input) != 0))) goto failed;
    if (directory != NULL && chdir(directory) != 0) goto failed;
    execve(path, argv, envp);
failed:
    *error = errno;
    _exit(127);
}

int bosun_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], int stdout_fd, int stderr_fd,
                const char *directory) {
    // vfork rather than posix_spawn: glibc's maps and unmaps a stack for each child (an unmap is a TLB flush on
    // every core running one of the agent's threads). Every signal is blocked meanwhile, glibc's own too (hence
    // the raw call), so no handler runs in the child before it has set them all back to default.
    sigset_t all, old;
    sigfillset(&all);
    if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, _NSIG / 8) != 0) return errno;
    volatile int error = 0;
    pid_t child = vfork();
    if (child == 0) bosun_child(path, argv, envp, stdout_fd, stderr_fd, directory, &error);
    int forked = child < 0 ? errno : 0;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, _NSIG / 8);
    if (forked != 0) return forked;
    if (error != 0) {
        // It could not exec: reap it here, nobody else knows of it.
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {}
        return error;
    }
    *pid = child;
    return 0;
}

int bosun_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

int bosun_reap(pid_t pid, int block, int *code, int *signal) {
    int status = 0;
    pid_t done;
    do {
        done = waitpid(pid, &status, block ? 0 : WNOHANG);
    } while (done < 0 && errno == EINTR);
    if (done <= 0) return done;
    *code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    *signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    return 1;
}

int bosun_pipe(int *read_end, int *write_end) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    *read_end = fds[0];
    *write_end = fds[1];
    return 0;
}

int bosun_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int bosun_epoll_add(int epoll, int fd, uint64_t token, int once) {
    struct epoll_event event = {.events = EPOLLIN | (once ? EPOLLONESHOT : 0), .data.u64 = token};
    return epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
}

int bosun_epoll_rearm(int epoll, int fd, uint64_t token) {
    struct epoll_event event = {.events = EPOLLIN | EPOLLONESHOT, .data.u64 = token};
    return epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &event);
}

int bosun_epoll_wait(int epoll, uint64_t *tokens, uint8_t *closed, int capacity, int timeout_ms) {
    struct epoll_event events[64];
    if (capacity > 64) capacity = 64;
    int count;
    do {
        count = epoll_wait(epoll, events, capacity, timeout_ms);
    } while (count < 0 && errno == EINTR);
    for (int i = 0; i < count; i++) {
        tokens[i] = events[i].data.u64;
        closed[i] = (events[i].events & (EPOLLHUP | EPOLLERR)) != 0;
    }
    return count;
}

int bosun_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

void bosun_eventfd_signal(int fd) {
    uint64_t one = 1;
    (void)!write(fd, &one, sizeof one);
}

void bosun_eventfd_drain(int fd) {
    uint64_t count;
    (void)!read(fd, &count, sizeof count);
}

void bosun_name_thread(const char *name) { pthread_setname_np(pthread_self(), name); }
