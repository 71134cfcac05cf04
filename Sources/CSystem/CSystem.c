#define _GNU_SOURCE
#include "CSystem.h"
#include <fcntl.h>
#include <unistd.h>

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
