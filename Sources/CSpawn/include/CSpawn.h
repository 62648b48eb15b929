#ifndef BOSUN_CSPAWN_H
#define BOSUN_CSPAWN_H

#include <sys/types.h>
#include <stdint.h>

// The agent's child processes, Linux only: a vfork child that sets itself up (setsid, close_range) before it execs,
// pidfd_open, epoll and eventfd. Swift's Glibc module declares none of these (they sit behind _GNU_SOURCE or in
// headers it leaves out), and a vfork child cannot be written in Swift (it must not touch the parent's memory).

// Starts `path` with `argv` and `envp` in a new session: stdin /dev/null, stdout and stderr onto the given
// descriptors, every other descriptor closed, signal mask empty and every signal at its default, in `directory`
// when it is not NULL. Returns 0 and the child's pid, or the errno (of the exec too: the child tells it back).
int bosun_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], int stdout_fd, int stderr_fd,
                const char *directory);

// A descriptor that becomes readable when the process ends (close-on-exec), or -1 with errno.
int bosun_pidfd_open(pid_t pid);

// Reaps a child, waiting for its end when `block`: 1 with its exit code (-1 when a signal ended it) and the
// signal (0: none); 0 when it still runs (only without `block`); -1 and errno on failure (ECHILD).
int bosun_reap(pid_t pid, int block, int *code, int *signal);

// A pipe whose ends are both close-on-exec. Returns 0 or -1 with errno.
int bosun_pipe(int *read_end, int *write_end);

// epoll with a 64-bit token per descriptor, readable events only; `once`: one event, then none until rearmed.
int bosun_epoll_create(void);
int bosun_epoll_add(int epoll, int fd, uint64_t token, int once);
int bosun_epoll_rearm(int epoll, int fd, uint64_t token);
// Waits up to `timeout_ms` (-1: no limit) for at most `capacity` events; returns how many, each one's token and
// whether it reported the other end closed (hang-up or error) in `closed`. -1 with errno on failure.
int bosun_epoll_wait(int epoll, uint64_t *tokens, uint8_t *closed, int capacity, int timeout_ms);

// An eventfd (non-blocking, close-on-exec) to wake an epoll wait; -1 with errno.
int bosun_eventfd(void);
void bosun_eventfd_signal(int fd);
void bosun_eventfd_drain(int fd);

// Names the calling thread (at most 15 characters show).
void bosun_name_thread(const char *name);

#endif
