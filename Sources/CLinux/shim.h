#ifndef TRUSTGATE_CLINUX_SHIM_H
#define TRUSTGATE_CLINUX_SHIM_H
#include <sys/timex.h>

/* Reads the kernel clock discipline without changing it (modes = 0).
   Returns -1 when the call fails (e.g. hidden by a sandbox), 1 when synchronised, 0 when not. */
static inline int tg_clock_synchronised(long *maxerror) {
  struct timex tx = {0};
  int state = adjtimex(&tx);
  if (state < 0) return -1;
  *maxerror = tx.maxerror;
  return (state == TIME_ERROR || (tx.status & STA_UNSYNC)) ? 0 : 1;
}
#endif
