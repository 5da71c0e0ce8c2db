#ifndef EMPORIUM_CLINUX_SHIM_H
#define EMPORIUM_CLINUX_SHIM_H

// The Linux interfaces the HTTP event loop needs that Swift's Glibc module does not import.
#ifdef __linux__
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

// GNU extensions: Glibc's module is built without _GNU_SOURCE, so their prototypes are repeated here.
extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
extern int pthread_setname_np(pthread_t thread, const char *name);
#endif

#endif
