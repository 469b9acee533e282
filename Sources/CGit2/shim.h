#ifndef TRUSTGATE_CGIT2_SHIM_H
#define TRUSTGATE_CGIT2_SHIM_H
#include <git2.h>
#endif
