#ifndef TRUSTGATE_CLINUX_SHIM_H
#define TRUSTGATE_CLINUX_SHIM_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* struct dl_phdr_info */
#endif
#include <sys/timex.h>
#include <link.h>
#include <elf.h>
#include <string.h>

/* Reads the kernel clock discipline without changing it (modes = 0).
   Returns -1 when the call fails (e.g. hidden by a sandbox), 1 when synchronised, 0 when not. */
static inline int tg_clock_synchronised(long *maxerror) {
  struct timex tx = {0};
  int state = adjtimex(&tx);
  if (state < 0) return -1;
  *maxerror = tx.maxerror;
  return (state == TIME_ERROR || (tx.status & STA_UNSYNC)) ? 0 : 1;
}

/* The GNU build id the linker stamped into the running executable (.note.gnu.build-id). */
struct tg_build_id_request {
  unsigned char *out;
  size_t capacity;
  size_t length;
  int visited;
};

static inline int tg_build_id_visit(struct dl_phdr_info *info, size_t size, void *data) {
  struct tg_build_id_request *request = (struct tg_build_id_request *)data;
  (void)size;
  if (request->visited) return 1;
  request->visited = 1; /* the first object dl_iterate_phdr reports is the executable itself */
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
    if (segment->p_type != PT_NOTE) continue;
    size_t align = segment->p_align == 8 ? 8 : 4;
    const char *note = (const char *)(info->dlpi_addr + segment->p_vaddr);
    const char *end = note + segment->p_memsz;
    while (note + sizeof(ElfW(Nhdr)) <= end) {
      const ElfW(Nhdr) *header = (const ElfW(Nhdr) *)note;
      const char *name = note + sizeof(ElfW(Nhdr));
      const char *desc = name + ((header->n_namesz + align - 1) & ~(align - 1));
      const char *next = desc + ((header->n_descsz + align - 1) & ~(align - 1));
      if (next > end || desc > end) break;
      if (header->n_type == NT_GNU_BUILD_ID && header->n_namesz == 4 && memcmp(name, "GNU", 4) == 0) {
        size_t count = header->n_descsz < request->capacity ? header->n_descsz : request->capacity;
        memcpy(request->out, desc, count);
        request->length = count;
        return 1;
      }
      note = next;
    }
  }
  return 1;
}

/* Copies the build id into out (at most capacity bytes); returns its length, 0 when the executable has none. */
static inline size_t tg_build_id(unsigned char *out, size_t capacity) {
  struct tg_build_id_request request = {out, capacity, 0, 0};
  dl_iterate_phdr(tg_build_id_visit, &request);
  return request.length;
}
#endif
