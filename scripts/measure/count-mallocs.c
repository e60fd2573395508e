/* LD_PRELOAD counter of malloc/calloc/realloc calls, printed on stderr at exit (scripts/measure/run). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
static unsigned long n;
void *malloc(size_t s) { n++; return __libc_malloc(s); }
void *calloc(size_t a, size_t b) { n++; return __libc_calloc(a, b); }
void *realloc(void *p, size_t s) { n++; return __libc_realloc(p, s); }
__attribute__((destructor)) static void done(void) { char b[64]; int l = snprintf(b, sizeof b, "mallocs=%lu\n", n); write(2, b, l); }
