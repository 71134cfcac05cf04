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

static const uint32_t ASSAY_EPOLLIN = EPOLLIN;
static const uint32_t ASSAY_EPOLLOUT = EPOLLOUT;
static const uint32_t ASSAY_EPOLLERR = EPOLLERR;
static const uint32_t ASSAY_EPOLLHUP = EPOLLHUP;
static const uint32_t ASSAY_EPOLLRDHUP = EPOLLRDHUP;
static const uint32_t ASSAY_EPOLLET = EPOLLET;
static const int ASSAY_SOCK_NONBLOCK = SOCK_NONBLOCK;
static const int ASSAY_SOCK_CLOEXEC = SOCK_CLOEXEC;

#endif
