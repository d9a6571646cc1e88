// A fault injector for the reliability tests, loaded with LD_PRELOAD: it counts the calls that
// change files below KILLSHIM_DIR (write, pwrite, writev, rename, unlink, ftruncate) and SIGKILLs
// the process at call number KILLSHIM_AT, before the call (KILLSHIM_MODE=before, the default) or
// after writing only half of its bytes (KILLSHIM_MODE=torn). With KILLSHIM_COUNT=FILE it kills
// nothing and appends the number of calls it saw to FILE when the process exits.
// With KILLSHIM_AFTER_US=T it instead SIGKILLs the process T microseconds after it starts (a kill
// at a random moment); with KILLSHIM_RANK=R too, only in MPI rank R (OMPI_COMM_WORLD_RANK), so
// mpirun and the other ranks live on and must notice.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <time.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static long calls;
static long kill_at = -1;
static int torn;
static const char *dir;
static size_t dir_length;
static const char *count_file;

static void *timer(void *argument) {
    long microseconds = (long)argument;
    struct timespec delay = {microseconds / 1000000, (microseconds % 1000000) * 1000};
    while (nanosleep(&delay, &delay) != 0) {}
    kill(getpid(), SIGKILL);
    return NULL;
}

__attribute__((constructor)) static void setup(void) {
    const char *after = getenv("KILLSHIM_AFTER_US");
    const char *rank = getenv("KILLSHIM_RANK");
    const char *my_rank = getenv("OMPI_COMM_WORLD_RANK");
    if (after && (!rank || (my_rank && strcmp(rank, my_rank) == 0))) {
        pthread_t thread;
        pthread_create(&thread, NULL, timer, (void *)atol(after));
        pthread_detach(thread);
    }
    dir = getenv("KILLSHIM_DIR");
    dir_length = dir ? strlen(dir) : 0;
    const char *at = getenv("KILLSHIM_AT");
    if (at) kill_at = atol(at);
    const char *mode = getenv("KILLSHIM_MODE");
    torn = mode && strcmp(mode, "torn") == 0;
    count_file = getenv("KILLSHIM_COUNT");
}

__attribute__((destructor)) static void report(void) {
    if (!count_file) return;
    FILE *f = fopen(count_file, "a");
    if (f) { fprintf(f, "%ld\n", calls); fclose(f); }
}

static int below_dir(const char *path) {
    return dir && path && strncmp(path, dir, dir_length) == 0;
}

static int fd_below_dir(int fd) {
    if (!dir) return 0;
    char link[64], path[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0) return 0;
    path[n] = 0;
    return below_dir(path);
}

/// Counts one call; true when this is the one to die at.
static int strike(void) {
    calls++;
    return kill_at > 0 && calls == kill_at;
}

static void die(void) { kill(getpid(), SIGKILL); }

#define REAL(name, ret, ...) static ret (*real_##name)(__VA_ARGS__); \
    if (!real_##name) real_##name = (ret (*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name)

ssize_t write(int fd, const void *buffer, size_t count) {
    REAL(write, ssize_t, int, const void *, size_t);
    if (fd_below_dir(fd) && strike()) {
        if (torn && count > 1) real_write(fd, buffer, count / 2);
        die();
    }
    return real_write(fd, buffer, count);
}

ssize_t pwrite(int fd, const void *buffer, size_t count, off_t offset) {
    REAL(pwrite, ssize_t, int, const void *, size_t, off_t);
    if (fd_below_dir(fd) && strike()) {
        if (torn && count > 1) real_pwrite(fd, buffer, count / 2, offset);
        die();
    }
    return real_pwrite(fd, buffer, count, offset);
}

ssize_t pwrite64(int fd, const void *buffer, size_t count, off_t offset) {
    REAL(pwrite64, ssize_t, int, const void *, size_t, off_t);
    if (fd_below_dir(fd) && strike()) {
        if (torn && count > 1) real_pwrite64(fd, buffer, count / 2, offset);
        die();
    }
    return real_pwrite64(fd, buffer, count, offset);
}

ssize_t writev(int fd, const struct iovec *vectors, int count) {
    REAL(writev, ssize_t, int, const struct iovec *, int);
    if (fd_below_dir(fd) && strike()) die();
    return real_writev(fd, vectors, count);
}

int ftruncate(int fd, off_t length) {
    REAL(ftruncate, int, int, off_t);
    if (fd_below_dir(fd) && strike()) die();
    return real_ftruncate(fd, length);
}

int rename(const char *from, const char *to) {
    REAL(rename, int, const char *, const char *);
    if ((below_dir(from) || below_dir(to)) && strike()) die();
    return real_rename(from, to);
}

int unlink(const char *path) {
    REAL(unlink, int, const char *);
    if (below_dir(path) && strike()) die();
    return real_unlink(path);
}
