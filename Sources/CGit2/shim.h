#ifndef TRUSTGATE_CGIT2_SHIM_H
#define TRUSTGATE_CGIT2_SHIM_H
// libgit2 is opened with dlopen the first time trustgate needs git, not at start-up: it pulls in a dozen libraries
// (Kerberos, SSH, mbedTLS) whose loading costs every run ~2 ms, and most runs never touch git. The headers still give
// the exact C types; the functions are reached through one table of pointers filled from the library.
#include <git2.h>
#include <dlfcn.h>
#include <git2/sys/alloc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define TG_GIT2_STRING2(x) #x
#define TG_GIT2_STRING(x) TG_GIT2_STRING2(x)
// The soname of the libgit2 these headers describe (libgit2.so.MAJOR.MINOR), then the development link.
#define TG_GIT2_SONAME "libgit2.so." TG_GIT2_STRING(LIBGIT2_VER_MAJOR) "." TG_GIT2_STRING(LIBGIT2_VER_MINOR)

#define TG_GIT2_FIELD(name) __typeof__(&git_##name) _Nonnull name;
typedef struct tg_git2_api {
  TG_GIT2_FIELD(blob_free)
  TG_GIT2_FIELD(blob_lookup)
  TG_GIT2_FIELD(blob_rawcontent)
  TG_GIT2_FIELD(blob_rawsize)
  TG_GIT2_FIELD(commit_free)
  TG_GIT2_FIELD(commit_lookup)
  TG_GIT2_FIELD(commit_time)
  TG_GIT2_FIELD(commit_tree)
  TG_GIT2_FIELD(error_last)
  TG_GIT2_FIELD(index_entry_stage)
  TG_GIT2_FIELD(index_entrycount)
  TG_GIT2_FIELD(index_free)
  TG_GIT2_FIELD(index_get_byindex)
  TG_GIT2_FIELD(index_open)
  TG_GIT2_FIELD(index_read)
  TG_GIT2_FIELD(libgit2_init)
  TG_GIT2_FIELD(libgit2_opts)
  TG_GIT2_FIELD(object_free)
  TG_GIT2_FIELD(object_id)
  TG_GIT2_FIELD(object_peel)
  TG_GIT2_FIELD(odb_add_disk_alternate)
  TG_GIT2_FIELD(odb_free)
  TG_GIT2_FIELD(odb_read_header)
  TG_GIT2_FIELD(oid_fromstr)
  TG_GIT2_FIELD(reference_free)
  TG_GIT2_FIELD(reference_peel)
  TG_GIT2_FIELD(repository_free)
  TG_GIT2_FIELD(repository_head)
  TG_GIT2_FIELD(repository_index)
  TG_GIT2_FIELD(repository_is_shallow)
  TG_GIT2_FIELD(repository_odb)
  TG_GIT2_FIELD(repository_open_ext)
  TG_GIT2_FIELD(repository_workdir)
  TG_GIT2_FIELD(revparse_single)
  TG_GIT2_FIELD(tree_entry_filemode)
  TG_GIT2_FIELD(tree_entry_id)
  TG_GIT2_FIELD(tree_entry_name)
  TG_GIT2_FIELD(tree_free)
  TG_GIT2_FIELD(tree_walk)
} tg_git2_api;

#define TG_GIT2_LOAD(name) \
  if (!(api.name = (__typeof__(&git_##name))dlsym(handle, "git_" #name))) return NULL;

static inline const tg_git2_api *_Nullable tg_git2_open(void) {
  static tg_git2_api api;
  void *handle = dlopen(TG_GIT2_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (!handle) handle = dlopen("libgit2.so", RTLD_NOW | RTLD_LOCAL);
  if (!handle) return NULL;
  TG_GIT2_LOAD(blob_free)
  TG_GIT2_LOAD(blob_lookup)
  TG_GIT2_LOAD(blob_rawcontent)
  TG_GIT2_LOAD(blob_rawsize)
  TG_GIT2_LOAD(commit_free)
  TG_GIT2_LOAD(commit_lookup)
  TG_GIT2_LOAD(commit_time)
  TG_GIT2_LOAD(commit_tree)
  TG_GIT2_LOAD(error_last)
  TG_GIT2_LOAD(index_entry_stage)
  TG_GIT2_LOAD(index_entrycount)
  TG_GIT2_LOAD(index_free)
  TG_GIT2_LOAD(index_get_byindex)
  TG_GIT2_LOAD(index_open)
  TG_GIT2_LOAD(index_read)
  TG_GIT2_LOAD(libgit2_init)
  TG_GIT2_LOAD(libgit2_opts)
  TG_GIT2_LOAD(object_free)
  TG_GIT2_LOAD(object_id)
  TG_GIT2_LOAD(object_peel)
  TG_GIT2_LOAD(odb_add_disk_alternate)
  TG_GIT2_LOAD(odb_free)
  TG_GIT2_LOAD(odb_read_header)
  TG_GIT2_LOAD(oid_fromstr)
  TG_GIT2_LOAD(reference_free)
  TG_GIT2_LOAD(reference_peel)
  TG_GIT2_LOAD(repository_free)
  TG_GIT2_LOAD(repository_head)
  TG_GIT2_LOAD(repository_index)
  TG_GIT2_LOAD(repository_is_shallow)
  TG_GIT2_LOAD(repository_odb)
  TG_GIT2_LOAD(repository_open_ext)
  TG_GIT2_LOAD(repository_workdir)
  TG_GIT2_LOAD(revparse_single)
  TG_GIT2_LOAD(tree_entry_filemode)
  TG_GIT2_LOAD(tree_entry_id)
  TG_GIT2_LOAD(tree_entry_name)
  TG_GIT2_LOAD(tree_free)
  TG_GIT2_LOAD(tree_walk)
  return &api;
}

static inline const char *_Nonnull tg_git2_soname(void) { return TG_GIT2_SONAME; }

/* Objects are read as git reads them: git checks an object's hash on fsck, not on every read, and libgit2's
   re-hashing of every blob read (GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION) costs a SHA-1 of each 3 MB lockfile read
   from a pack. Whoever can rewrite objects in .git can rewrite its refs too. git_libgit2_opts is variadic: called
   here, in C. */
static inline int tg_git2_relax_hash_verification(const tg_git2_api *_Nonnull api) {
  return api->libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
}

/* libgit2's memory, through malloc as before, with one addition: every buffer it takes fresh (malloc, calloc,
   realloc) is handed to a hook, which trustgate sets to `tg_advise_huge_pages` (CLinux/shim.h): an object inflated
   from a pack, or a delta applied to its base, is a lockfile of megabytes. Reading a 6 MB lockfile from a pack touched
   ~3,700 fresh pages. The functions mirror libgit2's stdalloc (src/util/allocators/stdalloc.c). */
typedef void (*tg_git2_memory_hook)(void *_Nullable, size_t);
/* The hook, kept in a function's static (a variable of a header's own would not be emitted for Swift). */
static inline tg_git2_memory_hook _Nullable *_Nonnull tg_git2_hook(void) {
  static tg_git2_memory_hook hook;
  return &hook;
}
static inline void tg_git2_fresh(void *_Nullable p, size_t n) {
  tg_git2_memory_hook hook = *tg_git2_hook();
  if (hook) hook(p, n);
}
static inline void *_Nullable tg_git2_malloc(size_t n, const char *_Nullable file, int line) {
  (void)file; (void)line;
  void *p = malloc(n);
  tg_git2_fresh(p, n);
  return p;
}
static inline void *_Nullable tg_git2_calloc(size_t nelem, size_t elsize, const char *_Nullable file, int line) {
  (void)file; (void)line;
  void *p = calloc(nelem, elsize);
  if (elsize && nelem <= SIZE_MAX / elsize) tg_git2_fresh(p, nelem * elsize);
  return p;
}
static inline char *_Nullable tg_git2_strdup(const char *_Nonnull str, const char *_Nullable file, int line) {
  (void)file; (void)line;
  return strdup(str);
}
static inline char *_Nullable tg_git2_strndup(const char *_Nonnull str, size_t n, const char *_Nullable file, int line) {
  (void)file; (void)line;
  return strndup(str, n);
}
static inline char *_Nullable tg_git2_substrdup(const char *_Nonnull str, size_t n, const char *_Nullable file, int line) {
  (void)file; (void)line;
  if (n == SIZE_MAX) return NULL;
  char *p = malloc(n + 1);
  if (!p) return NULL;
  memcpy(p, str, n);
  p[n] = '\0';
  return p;
}
static inline void *_Nullable tg_git2_realloc(void *_Nullable ptr, size_t size, const char *_Nullable file, int line) {
  (void)file; (void)line;
  void *p = realloc(ptr, size);
  tg_git2_fresh(p, size);
  return p;
}
static inline void *_Nullable tg_git2_reallocarray(
    void *_Nullable ptr, size_t nelem, size_t elsize, const char *_Nullable file, int line) {
  if (elsize && nelem > SIZE_MAX / elsize) return NULL;
  return tg_git2_realloc(ptr, nelem * elsize, file, line);
}
static inline void *_Nullable tg_git2_mallocarray(size_t nelem, size_t elsize, const char *_Nullable file, int line) {
  return tg_git2_reallocarray(NULL, nelem, elsize, file, line);
}
static inline void tg_git2_free(void *_Nullable ptr) { free(ptr); }

/* Installs the allocator above with `hook` (GIT_OPT_SET_ALLOCATOR copies the structure). Memory libgit2 took before
   stays valid: both allocators are malloc's. */
static inline int tg_git2_use_allocator(const tg_git2_api *_Nonnull api, tg_git2_memory_hook _Nonnull hook) {
  *tg_git2_hook() = hook;
  git_allocator allocator = {.gmalloc = tg_git2_malloc, .grealloc = tg_git2_realloc, .gfree = tg_git2_free};
#if LIBGIT2_VER_MAJOR == 1 && LIBGIT2_VER_MINOR < 7
  // Up to 1.6 the structure has six more members (1.7 made them helpers over these three: `alloc: simplify
  // pluggable allocators`); a member left NULL would crash on first use.
  allocator.gcalloc = tg_git2_calloc;
  allocator.gstrdup = tg_git2_strdup;
  allocator.gstrndup = tg_git2_strndup;
  allocator.gsubstrdup = tg_git2_substrdup;
  allocator.greallocarray = tg_git2_reallocarray;
  allocator.gmallocarray = tg_git2_mallocarray;
#endif
  return api->libgit2_opts(GIT_OPT_SET_ALLOCATOR, &allocator);
}
#endif
