#ifndef EMPORIUM_CLINUX_SHIM_H
#define EMPORIUM_CLINUX_SHIM_H

// The Linux interfaces the HTTP event loop needs that Swift's Glibc module does not import.
#ifdef __linux__
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <string.h>
#include <time.h>

// GNU extensions: Glibc's module is built without _GNU_SOURCE, so their prototypes are repeated here.
extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
extern int pthread_setname_np(pthread_t thread, const char *name);

// Receives like recv(2) on a socket with SO_TIMESTAMPNS, and sets `*waited` to how long the data's last segment had
// been in the kernel when it was read, in nanoseconds (0 when the kernel gave no timestamp). CMSG_* are macros, which
// Swift cannot call.
static inline ssize_t emporium_recv_timed(int fd, void *buffer, size_t length, long long *waited) {
    struct iovec vector = {buffer, length};
    union {
        char bytes[CMSG_SPACE(sizeof(struct timespec))];
        struct cmsghdr align;
    } control;
    struct msghdr message;
    memset(&message, 0, sizeof message);
    message.msg_iov = &vector;
    message.msg_iovlen = 1;
    message.msg_control = control.bytes;
    message.msg_controllen = sizeof control.bytes;
    ssize_t count = recvmsg(fd, &message, 0);
    *waited = 0;
    if (count <= 0) return count;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header != NULL; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_TIMESTAMPNS) continue;
        struct timespec arrived, now;
        memcpy(&arrived, CMSG_DATA(header), sizeof arrived);
        clock_gettime(CLOCK_REALTIME, &now);
        long long elapsed = (long long)(now.tv_sec - arrived.tv_sec) * 1000000000LL + (now.tv_nsec - arrived.tv_nsec);
        *waited = elapsed > 0 ? elapsed : 0;
    }
    return count;
}
#endif

#endif
