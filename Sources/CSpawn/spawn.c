#define _GNU_SOURCE 1
#include "CSpawn.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

int bosun_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], int stdout_fd, int stderr_fd,
                const char *directory) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int error = posix_spawn_file_actions_init(&actions);
    if (error != 0) return error;
    error = posix_spawnattr_init(&attributes);
    if (error != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return error;
    }
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    // Linux refuses a disposition for these two; leaving them out saves the child two failing calls.
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    if (!error) error = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (!error) error = posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
    if (!error) error = posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2);
    if (!error && directory != NULL) error = posix_spawn_file_actions_addchdir_np(&actions, directory);
    // Descriptors opened without close-on-exec elsewhere in the agent (a library's socket) stay out of the child.
    if (!error) error = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (!error) error = posix_spawnattr_setsigmask(&attributes, &none);
    if (!error) error = posix_spawnattr_setsigdefault(&attributes, &all);
    if (!error)
        error = posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    if (!error) error = posix_spawn(pid, path, &actions, &attributes, argv, envp);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return error;
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
