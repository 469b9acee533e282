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
/* Per-client verification (Native/X509Store.swift). */
#include <openssl/x509_vfy.h>

/* Like X509_load_cert_crl_file for PEM, from memory (a path would be opened outside --root): every certificate and
   CRL of the text into the store. The count, 0 when the text holds none or does not parse (nothing is added then). */
static inline int tg_store_add_pem(X509_STORE *store, const unsigned char *bytes, int length) {
  BIO *bio = BIO_new_mem_buf(bytes, length);
  if (bio == NULL) return 0;
  STACK_OF(X509_INFO) *infos = PEM_X509_INFO_read_bio(bio, NULL, NULL, "");
  BIO_free(bio);
  if (infos == NULL) return 0;
  int count = 0;
  for (int i = 0; i < sk_X509_INFO_num(infos); i++) {
    X509_INFO *info = sk_X509_INFO_value(infos, i);
    if (info->x509 != NULL) {
      if (!X509_STORE_add_cert(store, info->x509)) { count = 0; break; }
      count++;
    }
    if (info->crl != NULL) {
      if (!X509_STORE_add_crl(store, info->crl)) { count = 0; break; }
      count++;
    }
  }
  sk_X509_INFO_pop_free(infos, X509_INFO_free);
  return count;
}

/* The certificates of a PEM chain in file order; *keys counts private keys met, *other everything else that is not
   a certificate. NULL when the text does not parse. */
static inline STACK_OF(X509) *tg_read_chain(const unsigned char *bytes, int length, int *keys, int *other) {
  *keys = 0;
  *other = 0;
  BIO *bio = BIO_new_mem_buf(bytes, length);
  if (bio == NULL) return NULL;
  STACK_OF(X509_INFO) *infos = PEM_X509_INFO_read_bio(bio, NULL, NULL, "");
  BIO_free(bio);
  if (infos == NULL) return NULL;
  STACK_OF(X509) *chain = sk_X509_new_null();
  for (int i = 0; chain != NULL && i < sk_X509_INFO_num(infos); i++) {
    X509_INFO *info = sk_X509_INFO_value(infos, i);
    if (info->x509 != NULL) {
      if (sk_X509_push(chain, info->x509) > 0) info->x509 = NULL;
    }
    if (info->x_pkey != NULL || info->enc_data != NULL) (*keys)++;
    if (info->crl != NULL) (*other)++;
  }
  sk_X509_INFO_pop_free(infos, X509_INFO_free);
  return chain;
}
static inline int tg_chain_count(const STACK_OF(X509) *chain) { return sk_X509_num(chain); }
static inline X509 *tg_chain_value(const STACK_OF(X509) *chain, int i) { return sk_X509_value(chain, i); }
static inline void tg_chain_free(STACK_OF(X509) *chain) { sk_X509_pop_free(chain, X509_free); }

/* A certificate in the store whose subject is `name` (the lookup answers with it), copied into `ret`; 0 if none. */
static inline int tg_store_find_subject(X509_STORE *store, const X509_NAME *name, X509_OBJECT *ret) {
  if (!X509_STORE_lock(store)) return 0;
  X509_OBJECT *found = X509_OBJECT_retrieve_by_subject(X509_STORE_get0_objects(store), X509_LU_X509, name);
  int ok = found != NULL && X509_OBJECT_set1_X509(ret, X509_OBJECT_get0_X509(found));
  X509_STORE_unlock(store);
  return ok;
}
#endif
