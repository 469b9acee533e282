#ifndef TRUSTGATE_COPENSSL_SHIM_H
#define TRUSTGATE_COPENSSL_SHIM_H
#include <openssl/opensslv.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/bio.h>
#include <openssl/asn1.h>
#include <openssl/bn.h>

/* Macros Swift cannot import, as functions. */
static inline unsigned long tg_name_flags(void) { return XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB; }
static inline void tg_openssl_free(void *p) { OPENSSL_free(p); }
static inline long tg_bio_get_mem_data(BIO *b, char **pp) { return BIO_get_mem_data(b, pp); }

/* Extensions of a certificate, parsed from the DER of its `extensions` SEQUENCE. */
static inline STACK_OF(X509_EXTENSION) *tg_d2i_extensions(const unsigned char **p, long len) {
  return d2i_X509_EXTENSIONS(NULL, p, len);
}
static inline void tg_extensions_free(STACK_OF(X509_EXTENSION) *exts) {
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
}
static inline int tg_extensions_has(const STACK_OF(X509_EXTENSION) *exts, int nid) {
  return exts != NULL && X509v3_get_ext_by_NID(exts, nid, -1) >= 0;
}
/* 1 when basicConstraints says CA:TRUE, 0 otherwise. */
static inline int tg_extensions_is_ca(const STACK_OF(X509_EXTENSION) *exts) {
  if (exts == NULL) return 0;
  BASIC_CONSTRAINTS *bc = X509V3_get_d2i(exts, NID_basic_constraints, NULL, NULL);
  if (bc == NULL) return 0;
  int ca = bc->ca ? 1 : 0;
  BASIC_CONSTRAINTS_free(bc);
  return ca;
}
#endif
