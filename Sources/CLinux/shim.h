#ifndef TRUSTGATE_CLINUX_SHIM_H
#define TRUSTGATE_CLINUX_SHIM_H
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/timex.h>
#include <sys/types.h>
#include <unistd.h>

/* GNU extensions, declared here rather than through _GNU_SOURCE: defining it in this module changes system types
   (fd_set's field names) that other modules (Dispatch) see without it, and clang refuses the two definitions in a
   clean build. */
extern int sched_getcpu(void);
extern void *memmem(const void *haystack, size_t haystacklen, const void *needle, size_t needlelen);
extern int sched_getaffinity(pid_t pid, size_t size, cpu_set_t *mask);
extern int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *mask);
extern int pthread_attr_setaffinity_np(pthread_attr_t *attributes, size_t size, const cpu_set_t *mask);

/* Fresh memory of megabytes (a file read whole, a git object inflated) asks the kernel for 2 MiB pages: each first
   touch of a 4 KiB page is a fault (~3.6 us on the benchmark machine, 6.0 ms for 6.8 MB), of a 2 MiB page one
   (2.3-2.8 ms for the same 6.8 MB with transparent huge pages in `madvise` mode). Only the whole pages inside the
   buffer are advised (madvise wants a page-aligned start); below 2 MiB, or where the kernel says no, nothing changes.
   Used by `freshBytes` and, as its hook, by libgit2's allocator (CGit2/shim.h). */
static inline void tg_advise_huge_pages(void *p, size_t n) {
  if (!p || n < ((size_t)2 << 20)) return;
  uintptr_t start = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
  uintptr_t end = ((uintptr_t)p + n) & ~(uintptr_t)4095;
  if (end > start) (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
}

/* A standard descriptor the caller closed (`trustgate >&-`) would be taken by the next file opened, a CA bundle or a
   report, and output meant for the terminal written into it, or refused with a misleading errno. Each closed one of
   0-2 gets /dev/null opened read-only in its place: reads see the end of input, and writes fail with EBADF, which
   the end of the run reports as an output error. Called first thing in main, before any file is opened. */
static inline void tg_reserve_standard_descriptors(void) {
  for (int fd = 0; fd <= 2; fd++) {
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    int opened = open("/dev/null", O_RDONLY);
    if (opened >= 0 && opened != fd) {
      (void)dup2(opened, fd);
      (void)close(opened);
    }
  }
}

/* Flushes standard output; 0 when every byte printed in this run reached it, else the errno of the failure (-1 when
   unknown). The stream's error flag counts an earlier failed write too, which a later successful flush would hide.
   Swift 6 cannot name C's `stdout` (a mutable global), so it is read here. */
static inline int tg_standard_output_error(void) {
  errno = 0;
  int flushed = fflush(stdout);
  if (flushed == 0 && !ferror(stdout)) return 0;
  return errno != 0 ? errno : -1;
}

/* Reads the kernel clock discipline without changing it (modes = 0).
   Returns -1 when the call fails (e.g. hidden by a sandbox), 1 when synchronised, 0 when not. */
static inline int tg_clock_synchronised(long *maxerror) {
  struct timex tx = {0};
  int state = adjtimex(&tx);
  if (state < 0) return -1;
  *maxerror = tx.maxerror;
  return (state == TIME_ERROR || (tx.status & STA_UNSYNC)) ? 0 : 1;
}

/* Starts a detached thread on another CPU than the caller's, then lets it run on every CPU the caller may use.
   Linux puts a new thread on its creator's CPU, where the two share that CPU until a periodic balance moves one
   (measured here: 2-4 ms while the other CPU idled, against ~0.2 ms started elsewhere). `body` gets `argument` and the
   CPU the thread started on. *avoided: the caller's CPU, or -1 when the thread may start anywhere (one CPU allowed).
   Returns pthread_create's result. */
typedef struct { void (*body)(void *, int); void *argument; cpu_set_t allowed; int restore; } tg_thread_start;
static void *tg_thread_trampoline(void *pointer) {
  tg_thread_start *start = pointer;
  int cpu = sched_getcpu();
  if (start->restore) sched_setaffinity(0, sizeof start->allowed, &start->allowed);
  start->body(start->argument, cpu);
  free(start);
  return NULL;
}
static inline int tg_start_thread_elsewhere(void (*body)(void *, int), void *argument, int *avoided) {
  *avoided = -1;
  tg_thread_start *start = calloc(1, sizeof *start);
  if (start == NULL) return -1;
  start->body = body;
  start->argument = argument;
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
  int here = sched_getcpu();
  if (here >= 0 && sched_getaffinity(0, sizeof start->allowed, &start->allowed) == 0
      && __CPU_COUNT_S(sizeof(cpu_set_t), &start->allowed) > 1
      && __CPU_ISSET_S(here, sizeof(cpu_set_t), &start->allowed)) {
    cpu_set_t others = start->allowed;
    __CPU_CLR_S(here, sizeof(cpu_set_t), &others);
    if (pthread_attr_setaffinity_np(&attributes, sizeof others, &others) == 0) {
      start->restore = 1;
      *avoided = here;
    }
  }
  pthread_t thread;
  int result = pthread_create(&thread, &attributes, tg_thread_trampoline, start);
  pthread_attr_destroy(&attributes);
  if (result != 0) {
    free(start);
    *avoided = -1;
  }
  return result;
}
/* The calling thread's allowed CPUs 0-63 as bits (for tests of the above). */
static inline unsigned long long tg_affinity_bits(void) {
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return 0;
  unsigned long long bits = 0;
  for (int cpu = 0; cpu < 64; cpu++) if (__CPU_ISSET_S(cpu, sizeof(cpu_set_t), &allowed)) bits |= 1ULL << cpu;
  return bits;
}
#endif
