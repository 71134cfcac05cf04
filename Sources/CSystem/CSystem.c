#define _GNU_SOURCE
#include "CSystem.h"
#include <fcntl.h>
#include <unistd.h>
#include <sys/uio.h>
#include <time.h>
#include <signal.h>
#include <errno.h>
#include <pthread.h>

int assay_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
    return accept4(fd, addr, len, flags);
}

int assay_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int assay_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &ev);
}

int assay_epoll_wait(int epfd, struct epoll_event *events, int max, int timeout_ms) {
    return epoll_wait(epfd, events, max, timeout_ms);
}

int assay_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

int assay_set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

int assay_set_int_sockopt(int fd, int level, int name, int value) {
    return setsockopt(fd, level, name, &value, sizeof(value));
}

long assay_send2(int fd, const void *first, unsigned long first_len, const void *second, unsigned long second_len) {
    struct iovec parts[2];
    parts[0].iov_base = (void *)first;
    parts[0].iov_len = first_len;
    parts[1].iov_base = (void *)second;
    parts[1].iov_len = second_len;
    struct msghdr message = {0};
    message.msg_iov = parts;
    message.msg_iovlen = second_len > 0 ? 2 : 1;
    return sendmsg(fd, &message, MSG_NOSIGNAL);
}

uint64_t assay_monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
}

int assay_eventfd_signal(int fd) {
    uint64_t one = 1;
    return write(fd, &one, sizeof(one)) == sizeof(one) ? 0 : -1;
}

int assay_eventfd_drain(int fd) {
    uint64_t value;
    return read(fd, &value, sizeof(value)) == sizeof(value) ? 0 : -1;
}

// One slot per signal number; written before the handler is installed, read only by the handler.
static volatile int assay_signal_fds[65];

static void assay_signal_handler(int signal_number) {
    int saved = errno;
    unsigned char byte = (unsigned char)signal_number;
    if (signal_number > 0 && signal_number < 65 && assay_signal_fds[signal_number] > 0) {
        (void)!write(assay_signal_fds[signal_number], &byte, 1);
    }
    errno = saved;
}

int assay_forward_signal(int signal_number, int fd) {
    if (signal_number <= 0 || signal_number >= 65) { errno = EINVAL; return -1; }
    assay_signal_fds[signal_number] = fd;
    struct sigaction action = {0};
    action.sa_handler = assay_signal_handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    return sigaction(signal_number, &action, NULL);
}

int assay_restore_signal(int signal_number) {
    if (signal_number <= 0 || signal_number >= 65) { errno = EINVAL; return -1; }
    struct sigaction action = {0};
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    int result = sigaction(signal_number, &action, NULL);
    assay_signal_fds[signal_number] = 0;
    return result;
}

void assay_set_thread_name(const char *name) {
    pthread_setname_np(pthread_self(), name);
}
