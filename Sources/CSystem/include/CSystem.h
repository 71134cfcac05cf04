#ifndef ASSAY_CSYSTEM_H
#define ASSAY_CSYSTEM_H
// Linux system calls that Swift's Glibc module does not export (epoll, eventfd, accept4),
// wrapped in plain functions so Swift sees simple signatures.
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

int assay_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
int assay_epoll_create(void);
int assay_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data);
int assay_epoll_wait(int epfd, struct epoll_event *events, int max, int timeout_ms);
int assay_eventfd(void);
int assay_set_nonblocking(int fd);
int assay_set_int_sockopt(int fd, int level, int name, int value);

// Sends without raising SIGPIPE on a reset peer (MSG_NOSIGNAL); the second buffer may be empty.
// Returns bytes sent or -1 with errno set, like send(2).
long assay_send2(int fd, const void *first, unsigned long first_len, const void *second, unsigned long second_len);
// The monotonic clock in nanoseconds (CLOCK_MONOTONIC).
uint64_t assay_monotonic_ns(void);
// Interrupts the eventfd's waiter (writes 1); returns 0 or -1.
int assay_eventfd_signal(int fd);
// Resets the eventfd's counter; returns 0 or -1.
int assay_eventfd_drain(int fd);
// Names the calling thread (as top -H and debuggers show it; at most 15 bytes are kept).
void assay_set_thread_name(const char *name);

// Installs a handler that writes the signal's number as one byte to `fd` (the write end of a non-blocking pipe),
// so a reader thread can turn signals into events. Signal dispositions are process-wide, so the descriptor per
// signal is kept in a process-wide table here. Returns 0 or -1 with errno set.
int assay_forward_signal(int signal_number, int fd);
// Restores the default disposition for `signal_number` and forgets its descriptor.
int assay_restore_signal(int signal_number);

static const int ASSAY_SO_REUSEPORT = SO_REUSEPORT;
static const int ASSAY_SO_REUSEADDR = SO_REUSEADDR;
static const int ASSAY_TCP_NODELAY = TCP_NODELAY;
static const int ASSAY_EPOLL_CTL_ADD = EPOLL_CTL_ADD;
static const int ASSAY_EPOLL_CTL_DEL = EPOLL_CTL_DEL;
static const uint32_t ASSAY_EPOLLIN = EPOLLIN;
static const uint32_t ASSAY_EPOLLOUT = EPOLLOUT;
static const uint32_t ASSAY_EPOLLERR = EPOLLERR;
static const uint32_t ASSAY_EPOLLHUP = EPOLLHUP;
static const uint32_t ASSAY_EPOLLRDHUP = EPOLLRDHUP;
static const uint32_t ASSAY_EPOLLET = EPOLLET;
static const int ASSAY_SOCK_NONBLOCK = SOCK_NONBLOCK;
static const int ASSAY_SOCK_CLOEXEC = SOCK_CLOEXEC;

// ThreadSanitizer's happens-before annotations, declared weak so that they resolve to null outside a
// -sanitize=thread build (the runtime is only linked there) and cost one predictable branch. `Guarded` in
// AssayCore calls them around its critical sections, because Synchronization.Mutex's contended path (a futex
// call inside an uninstrumented library) is invisible to ThreadSanitizer (tools/tsan/MutexRepro.swift).
extern void __tsan_acquire(void *addr) __attribute__((weak));
extern void __tsan_release(void *addr) __attribute__((weak));
static inline void assay_tsan_acquire(const void *addr) {
    if (__tsan_acquire) __tsan_acquire((void *)addr);
}
static inline void assay_tsan_release(const void *addr) {
    if (__tsan_release) __tsan_release((void *)addr);
}

#endif
