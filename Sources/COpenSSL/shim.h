#ifndef TRUSTGATE_COPENSSL_SHIM_H
#define TRUSTGATE_COPENSSL_SHIM_H
#include <string.h>
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

/* Whether d2i_X509 would accept these DER bytes, without building the X509: OpenSSL 3.0's d2i_X509 decodes the public
   key through its provider decoders (~200 µs a certificate). TG_CERT is X509's template with SubjectPublicKeyInfo
   read as what X509_PUBKEY reads first (an algorithm and a BIT STRING); X509_PUBKEY's own decoding of the key is
   opportunistic (its failures are ignored), so acceptance is the same. Every other part is OpenSSL's own item
   (X509_NAME, X509_ALGOR, X509_VAL, X509_EXTENSION). Fuzzed against d2i_X509 (fuzz target `decodes`).
   *subject_hash: X509_NAME_hash_ex of the subject, as `openssl rehash` names files. */
#include <openssl/asn1t.h>
typedef struct { X509_ALGOR *algor; ASN1_BIT_STRING *public_key; } TG_SPKI;
ASN1_SEQUENCE(TG_SPKI) = {
  ASN1_SIMPLE(TG_SPKI, algor, X509_ALGOR),
  ASN1_SIMPLE(TG_SPKI, public_key, ASN1_BIT_STRING)
} static_ASN1_SEQUENCE_END(TG_SPKI)
typedef struct {
  ASN1_INTEGER *version; ASN1_INTEGER *serial; X509_ALGOR *signature; X509_NAME *issuer; X509_VAL *validity;
  X509_NAME *subject; TG_SPKI *key; ASN1_BIT_STRING *issuerUID; ASN1_BIT_STRING *subjectUID;
  STACK_OF(X509_EXTENSION) *extensions;
} TG_TBS;
ASN1_SEQUENCE(TG_TBS) = {
  ASN1_EXP_OPT(TG_TBS, version, ASN1_INTEGER, 0),
  ASN1_SIMPLE(TG_TBS, serial, ASN1_INTEGER),
  ASN1_SIMPLE(TG_TBS, signature, X509_ALGOR),
  ASN1_SIMPLE(TG_TBS, issuer, X509_NAME),
  ASN1_SIMPLE(TG_TBS, validity, X509_VAL),
  ASN1_SIMPLE(TG_TBS, subject, X509_NAME),
  ASN1_SIMPLE(TG_TBS, key, TG_SPKI),
  ASN1_IMP_OPT(TG_TBS, issuerUID, ASN1_BIT_STRING, 1),
  ASN1_IMP_OPT(TG_TBS, subjectUID, ASN1_BIT_STRING, 2),
  ASN1_EXP_SEQUENCE_OF_OPT(TG_TBS, extensions, X509_EXTENSION, 3)
} static_ASN1_SEQUENCE_END(TG_TBS)
typedef struct { TG_TBS *tbs; X509_ALGOR *algorithm; ASN1_BIT_STRING *signature; } TG_CERT;
ASN1_SEQUENCE(TG_CERT) = {
  ASN1_SIMPLE(TG_CERT, tbs, TG_TBS),
  ASN1_SIMPLE(TG_CERT, algorithm, X509_ALGOR),
  ASN1_SIMPLE(TG_CERT, signature, ASN1_BIT_STRING)
} static_ASN1_SEQUENCE_END(TG_CERT)
/* Clients whose own chain rules stand in for OpenSSL's ssl_server purpose (`tg_client_chain_rules`). */
#define TG_RULES_GO 1
#define TG_RULES_JAVA 2
#define TG_RULES_GNUTLS 3
#define TG_RULES_WEBPKI 4
/* What `tg_client_chain_rules` finds broken. */
#define TG_BROKEN_ISSUER 1
#define TG_BROKEN_CHAIN_EKU 2
#define TG_BROKEN_ANCHOR_NOT_CA 3
#define TG_BROKEN_ANCHOR_KEY_USAGE 4
#define TG_BROKEN_LEAF_EKU 5
#define TG_BROKEN_LEAF_KEY_USAGE 6
#define TG_BROKEN_HANDSHAKE_KEY_USAGE 7
#define TG_BROKEN_NO_REVOCATION_SOURCE 8
#define TG_BROKEN_WEBPKI_EKU 9

/* TG_BROKEN_NO_REVOCATION_SOURCE when a certificate below the chain's last (the trust anchor) has no revocation
   status the client can find: with `fetches_crls` one that names no CRL distribution point, else any (nothing is
   fetched, and a chain file staples nothing). 0 otherwise. */
static inline int tg_revocation_sources_missing(STACK_OF(X509) *chain, int fetches_crls, int *depth) {
  int n = sk_X509_num(chain);
  for (int i = 0; i < n - 1; i++) {
    if (!fetches_crls || X509_get_ext_by_NID(sk_X509_value(chain, i), NID_crl_distribution_points, -1) < 0) {
      *depth = i;
      return TG_BROKEN_NO_REVOCATION_SOURCE;
    }
  }
  return 0;
}

/* A CA as Go's `CheckSignatureFrom` and Java's trust anchor check see it: a version 3 certificate needs
   basicConstraints with cA (a version 1 one passes), and keyCertSign when it has a keyUsage. 0: it may not sign. */
static inline int tg_signs_as_ca(X509 *x) {
  uint32_t flags = X509_get_extension_flags(x);
  int constrained = (flags & EXFLAG_BCONS) != 0;
  if ((X509_get_version(x) == X509_VERSION_3 && !constrained) || (constrained && !(flags & EXFLAG_CA))) return 0;
  return !(flags & EXFLAG_KUSAGE) || (X509_get_key_usage(x) & KU_KEY_CERT_SIGN);
}
/* 1 when the certificate has an extended key usage that allows none of `allowed` (XKU_ bits). */
static inline int tg_eku_refuses(X509 *x, uint32_t allowed) {
  if (!(X509_get_extension_flags(x) & EXFLAG_XKUSAGE)) return 0;
  return !(X509_get_extended_key_usage(x) & allowed);
}
/* 1 when the certificate has a keyUsage without digitalSignature. */
static inline int tg_ku_refuses_signing(X509 *x) {
  return (X509_get_extension_flags(x) & EXFLAG_KUSAGE) && !(X509_get_key_usage(x) & KU_DIGITAL_SIGNATURE);
}

/* A client's checks on a chain OpenSSL built and verified with no purpose, leaf first; 0 when the client takes it,
   else a TG_BROKEN_ code and *depth, the certificate at fault.
   - Go (crypto/x509): every issuer, the root too, signs only as `CheckSignatureFrom` lets it (`tg_signs_as_ca`);
     every extended key usage in the chain names serverAuth or any (`checkChainForKeyUsage`; Go 1.19 takes no SGC
     usage); a leaf's keyUsage is never read.
   - Java (sun.security.validator): the trust anchor of a chain of two or more is a CA (`tg_signs_as_ca`:
     "TrustAnchor with subject … is not a CA certificate"); the leaf alone has its extended key usage checked, and
     its keyUsage must allow digitalSignature (TLS 1.3 and ECDHE).
   - GnuTLS (libcurl-gnutls): no extended key usage anywhere; the handshake refuses a leaf whose keyUsage lacks
     digitalSignature.
   - webpki (rustls: uv): below the trust anchor, an extended key usage must name serverAuth itself (no SGC, no
     any); no keyUsage is read. */
static inline int tg_client_chain_rules(STACK_OF(X509) *chain, int library, int *depth) {
  int n = sk_X509_num(chain);
  if (n < 1) return 0;
  X509 *leaf = sk_X509_value(chain, 0);
  switch (library) {
  case TG_RULES_GO:
    for (int i = 1; i < n; i++) {
      if (!tg_signs_as_ca(sk_X509_value(chain, i))) { *depth = i; return TG_BROKEN_ISSUER; }
    }
    for (int i = 0; i < n; i++) {
      if (tg_eku_refuses(sk_X509_value(chain, i), XKU_ANYEKU | XKU_SSL_SERVER)) {
        *depth = i;
        return TG_BROKEN_CHAIN_EKU;
      }
    }
    return 0;
  case TG_RULES_JAVA:
    if (n >= 2) {
      X509 *anchor = sk_X509_value(chain, n - 1);
      uint32_t flags = X509_get_extension_flags(anchor);
      if ((flags & EXFLAG_KUSAGE) && !(X509_get_key_usage(anchor) & KU_KEY_CERT_SIGN)) {
        *depth = n - 1;
        return TG_BROKEN_ANCHOR_KEY_USAGE;
      }
      if (!tg_signs_as_ca(anchor)) { *depth = n - 1; return TG_BROKEN_ANCHOR_NOT_CA; }
    }
    if (tg_eku_refuses(leaf, XKU_ANYEKU | XKU_SSL_SERVER | XKU_SGC)) { *depth = 0; return TG_BROKEN_LEAF_EKU; }
    if (tg_ku_refuses_signing(leaf)) { *depth = 0; return TG_BROKEN_LEAF_KEY_USAGE; }
    return 0;
  case TG_RULES_GNUTLS:
    if (tg_ku_refuses_signing(leaf)) { *depth = 0; return TG_BROKEN_HANDSHAKE_KEY_USAGE; }
    return 0;
  case TG_RULES_WEBPKI:
    for (int i = 0; i < n - 1; i++) {
      if (tg_eku_refuses(sk_X509_value(chain, i), XKU_SSL_SERVER)) {
        *depth = i;
        return TG_BROKEN_WEBPKI_EKU;
      }
    }
    return 0;
  default:
    return 0;
  }
}

/* The verify callback of a client that does not check all OpenSSL checks; the client is the context's app data.
   - GnuTLS (`check_if_ca`): a self-issued trust anchor without basicConstraints is a CA (unless its keyUsage
     lacks keyCertSign), where OpenSSL wants one of the two.
   - webpki: a trust anchor is its subject, key and nameConstraints: nothing else of it is checked (CA:FALSE, a
     keyUsage without keyCertSign, no basicConstraints).
   - Java: a trust anchor's nameConstraints are not applied (the PKIX TrustAnchor is built without them), so a
     violation no intermediate's constraints explain is forgiven.
   A forgiven error is cleared: the verification's outcome is then that of the checks that follow. */
static int tg_forgiving_verify(int ok, X509_STORE_CTX *ctx) {
  if (ok) return ok;
  int library = (int)(intptr_t)X509_STORE_CTX_get_ex_data(ctx, 0);
  int error = X509_STORE_CTX_get_error(ctx);
  STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
  int n = sk_X509_num(chain);
  if (library == TG_RULES_GNUTLS && error == X509_V_ERR_INVALID_CA && n > 0 &&
      X509_STORE_CTX_get_error_depth(ctx) == n - 1) {
    X509 *anchor = sk_X509_value(chain, n - 1);
    uint32_t flags = X509_get_extension_flags(anchor);
    if (!(flags & EXFLAG_BCONS) && (flags & EXFLAG_SI) &&
        (!(flags & EXFLAG_KUSAGE) || (X509_get_key_usage(anchor) & KU_KEY_CERT_SIGN))) {
      X509_STORE_CTX_set_error(ctx, X509_V_OK);
      return 1;
    }
  }
  /* Of a trust anchor below which something was built, webpki reads its subject, key and name constraints alone,
     Java (a PKIX TrustAnchor) neither its dates, its path length nor its critical extensions. */
  if ((library == TG_RULES_WEBPKI || library == TG_RULES_JAVA) && n > 1 &&
      X509_STORE_CTX_get_error_depth(ctx) == n - 1 &&
      (error == X509_V_ERR_CERT_HAS_EXPIRED || error == X509_V_ERR_CERT_NOT_YET_VALID ||
       error == X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION || error == X509_V_ERR_PATH_LENGTH_EXCEEDED ||
       (library == TG_RULES_WEBPKI &&
        (error == X509_V_ERR_INVALID_CA || error == X509_V_ERR_KEYUSAGE_NO_CERTSIGN)))) {
    X509_STORE_CTX_set_error(ctx, X509_V_OK);
    return 1;
  }
  if (library == TG_RULES_JAVA &&
      (error == X509_V_ERR_PERMITTED_VIOLATION || error == X509_V_ERR_EXCLUDED_VIOLATION)) {
    for (int i = 1; i < n - 1; i++) {
      if (X509_get_ext_by_NID(sk_X509_value(chain, i), NID_name_constraints, -1) >= 0) return 0;
    }
    X509_STORE_CTX_set_error(ctx, X509_V_OK);
    return 1;
  }
  return 0;
}
static inline void tg_client_forgives(X509_STORE_CTX *ctx, int library) {
  X509_STORE_CTX_set_ex_data(ctx, 0, (void *)(intptr_t)library);
  X509_STORE_CTX_set_verify_cb(ctx, tg_forgiving_verify);
}
/* 1 when the certificate's subjectAltName holds a DNS name or an IP address: curl's own host check then never looks
   at the common name (OpenSSL's X509_check_host does while no DNS name is there). */
static inline int tg_has_dns_or_ip_name(X509 *x) {
  GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
  if (names == NULL) { ERR_clear_error(); return 0; }
  int found = 0;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
    const GENERAL_NAME *name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS || name->type == GEN_IPADD) { found = 1; break; }
  }
  GENERAL_NAMES_free(names);
  return found;
}
static inline int tg_x509_decodes(const unsigned char *der, long length, unsigned long *subject_hash) {
  const unsigned char *p = der;
  TG_CERT *value = (TG_CERT *)ASN1_item_d2i(NULL, &p, length, ASN1_ITEM_rptr(TG_CERT));
  if (value == NULL) return 0;
  int ok = 0;
  *subject_hash = X509_NAME_hash_ex(value->tbs->subject, NULL, NULL, &ok);
  ASN1_item_free((ASN1_VALUE *)value, ASN1_ITEM_rptr(TG_CERT));
  return ok == 1;
}
static inline int tg_d2i_x509_decodes(const unsigned char *der, long length) {
  const unsigned char *p = der;
  X509 *x = d2i_X509(NULL, &p, length);
  X509_free(x);
  return x != NULL;
}

/* The PEM blocks of a text as PEM_X509_INFO_read_bio frames them (PEM_read_bio until PEM_R_NO_START_LINE). Returns
   the number of blocks framed and sets *out (free with tg_pem_blocks_free), -1 when out of memory; *complete is 0
   when framing stopped on a block PEM_read_bio refuses (where PEM_X509_INFO_read_bio fails, and where a
   PEM_read_bio_X509 loop stops): the blocks before it are there. `plain` is 1 for a "CERTIFICATE" block without PEM
   headers, 2 for "X509 CERTIFICATE", the only kind read lazily; 3 for either with headers (where PEM_read_bio_X509
   and PEM_X509_INFO_read_bio stop: "not proc type"); anything else (CRLs, keys, TRUSTED CERTIFICATE) makes the caller
   load the text with tg_store_add_pem. */
typedef struct { int plain; unsigned char *der; long length; } tg_pem_block;
static inline void tg_pem_blocks_free(tg_pem_block *blocks, int count) {
  for (int i = 0; i < count; i++) OPENSSL_free(blocks[i].der);
  OPENSSL_free(blocks);
}
static inline int tg_pem_frame(const unsigned char *bytes, int length, tg_pem_block **out, int *complete) {
  *out = NULL;
  *complete = 1;
  BIO *bio = BIO_new_mem_buf(bytes, length);
  if (bio == NULL) return -1;
  int count = 0, capacity = 0;
  tg_pem_block *blocks = NULL;
  for (;;) {
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long size = 0;
    if (!PEM_read_bio(bio, &name, &header, &data, &size)) {
      int reason = ERR_GET_REASON(ERR_peek_last_error());
      ERR_clear_error();
      if (reason != PEM_R_NO_START_LINE) *complete = 0;
      break;
    }
    if (count == capacity) {
      capacity = capacity ? capacity * 2 : 16;
      tg_pem_block *grown = OPENSSL_realloc(blocks, sizeof(tg_pem_block) * capacity);
      if (grown == NULL) {
        OPENSSL_free(name); OPENSSL_free(header); OPENSSL_free(data);
        BIO_free(bio);
        tg_pem_blocks_free(blocks, count);
        return -1;
      }
      blocks = grown;
    }
    int certificate = strcmp(name, PEM_STRING_X509) == 0 ? 1 : strcmp(name, PEM_STRING_X509_OLD) == 0 ? 2 : 0;
    int plain = (header == NULL || header[0] == '\0') ? certificate : certificate != 0 ? 3 : 0;
    blocks[count].plain = plain;
    blocks[count].der = data;
    blocks[count].length = size;
    count++;
    OPENSSL_free(name);
    OPENSSL_free(header);
  }
  BIO_free(bio);
  *out = blocks;
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
/* A one-certificate chain holding its own reference to `x`. */
static inline STACK_OF(X509) *tg_chain_of(X509 *x) {
  STACK_OF(X509) *chain = sk_X509_new_null();
  if (chain == NULL) return NULL;
  if (X509_up_ref(x) != 1) {
    sk_X509_free(chain);
    return NULL;
  }
  if (sk_X509_push(chain, x) <= 0) {
    X509_free(x);
    sk_X509_free(chain);
    return NULL;
  }
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

/* TLS capture (Native/TLSCapture.swift, `verify --connect` only). The package links libcrypto alone: libssl is opened
   with dlopen on first use, as CGit2's shim opens libgit2, so no other run pays for loading it. It resolves its
   libcrypto to the one already loaded, so its X509 objects are the ones the rest of trustgate reads. */
#include <openssl/ssl.h>
#include <dlfcn.h>
#include <string.h>

#define TG_SSL_STRING2(x) #x
#define TG_SSL_STRING(x) TG_SSL_STRING2(x)
/* The soname of the libssl these headers describe (libssl.so.3), then the development link. */
#define TG_SSL_SONAME "libssl.so." TG_SSL_STRING(OPENSSL_VERSION_MAJOR)

#define TG_SSL_FIELD(name) __typeof__(&name) _Nonnull name;
typedef struct tg_ssl_api {
  TG_SSL_FIELD(TLS_client_method)
  TG_SSL_FIELD(SSL_CTX_new)
  TG_SSL_FIELD(SSL_CTX_free)
  TG_SSL_FIELD(SSL_CTX_set_verify)
  TG_SSL_FIELD(SSL_CTX_set_security_level)
  TG_SSL_FIELD(SSL_new)
  TG_SSL_FIELD(SSL_free)
  TG_SSL_FIELD(SSL_set_fd)
  TG_SSL_FIELD(SSL_ctrl)
  TG_SSL_FIELD(SSL_connect)
  TG_SSL_FIELD(SSL_shutdown)
  TG_SSL_FIELD(SSL_get_error)
  TG_SSL_FIELD(SSL_get_peer_cert_chain)
  TG_SSL_FIELD(SSL_get_version)
} tg_ssl_api;

#define TG_SSL_LOAD(name) \
  if (!(api.name = (__typeof__(&name))dlsym(handle, #name))) { dlclose(handle); return NULL; }

/* Only the soname of the libssl these headers describe: another major version would bring its own libcrypto, whose
   X509 objects this binary's libcrypto must not read. */
static inline const tg_ssl_api *_Nullable tg_ssl_open(void) {
  static tg_ssl_api api;
  void *handle = dlopen(TG_SSL_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (!handle) return NULL;
  TG_SSL_LOAD(TLS_client_method)
  TG_SSL_LOAD(SSL_CTX_new)
  TG_SSL_LOAD(SSL_CTX_free)
  TG_SSL_LOAD(SSL_CTX_set_verify)
  TG_SSL_LOAD(SSL_CTX_set_security_level)
  TG_SSL_LOAD(SSL_new)
  TG_SSL_LOAD(SSL_free)
  TG_SSL_LOAD(SSL_set_fd)
  TG_SSL_LOAD(SSL_ctrl)
  TG_SSL_LOAD(SSL_connect)
  TG_SSL_LOAD(SSL_shutdown)
  TG_SSL_LOAD(SSL_get_error)
  TG_SSL_LOAD(SSL_get_peer_cert_chain)
  TG_SSL_LOAD(SSL_get_version)
  return &api;
}

static inline const char *_Nonnull tg_ssl_soname(void) { return TG_SSL_SONAME; }
/* SSL_set_tlsext_host_name is a macro over SSL_ctrl. */
static inline long tg_ssl_set_host_name(const tg_ssl_api *_Nonnull api, SSL *_Nonnull ssl, const char *_Nonnull name) {
  return api->SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, (void *)name);
}
static inline int tg_ssl_want_read(void) { return SSL_ERROR_WANT_READ; }
static inline int tg_ssl_want_write(void) { return SSL_ERROR_WANT_WRITE; }
static inline int tg_ssl_verify_none(void) { return SSL_VERIFY_NONE; }
/* The certificate as PEM (`-----BEGIN CERTIFICATE-----`, 64-column base64), as `openssl s_client -showcerts` prints
   it; its length in *length, NULL on failure. Free with tg_openssl_free. */
static inline char *_Nullable tg_x509_pem(X509 *_Nonnull x509, long *_Nonnull length) {
  BIO *bio = BIO_new(BIO_s_mem());
  if (bio == NULL) return NULL;
  char *out = NULL;
  if (PEM_write_bio_X509(bio, x509)) {
    char *data = NULL;
    long count = BIO_get_mem_data(bio, &data);
    if (count > 0 && (out = OPENSSL_malloc((size_t)count)) != NULL) {
      memcpy(out, data, (size_t)count);
      *length = count;
    }
  }
  BIO_free(bio);
  return out;
}
/* Java trust stores in PKCS #12 (sun.security.pkcs12.PKCS12KeyStore, JDK 17-25), read as Java reads them for
   TrustStoreManager. Sets *out (free with tg_pem_blocks_free) to the certificates Java trusts from the file: a
   certificate bag carrying Oracle's trustedKeyUsage attribute (plain = 1, a TrustedCertificateEntry), or whose
   localKeyID is a key bag's (plain = 2, a key entry's own certificate); *aliases (one string per block, NULL
   where there is none; free with tg_aliases_free) are their friendlyNames. Without a password, encrypted safes are
   passed over and the MAC is not checked; with one, both must work. Iteration counts above Java's 5,000,000 fail as
   Java's do. Returns the count, or: -1 not PKCS #12 DER, -2 the MAC does not verify, -3 an encrypted safe does not
   decrypt, -4 an iteration count Java refuses, -5 a safe of another kind or bags that do not parse, -6 more
   iterations in all than TG_KEYSTORE_ITERATION_BUDGET. */
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/provider.h>
#define TG_JAVA_MAX_ITERATIONS 5000000L
/* The key-derivation iterations one store may cost in all (MAC and safes): Java's cap is per item, so a store of many
   safes at Java's cap would take minutes; trustgate stops reading past this (a few seconds of work). */
#define TG_KEYSTORE_ITERATION_BUDGET 10000000L
static inline void tg_aliases_free(char **aliases, int count) {
  if (aliases == NULL) return;
  for (int i = 0; i < count; i++) OPENSSL_free(aliases[i]);
  OPENSSL_free(aliases);
}
/* The iteration count of a PBE algorithm (PBES1 or PBES2 with PBKDF2); 0 when it cannot be read. */
static inline long tg_pbe_iterations(const X509_ALGOR *alg) {
  if (alg == NULL || alg->parameter == NULL || alg->parameter->type != V_ASN1_SEQUENCE) return 0;
  const ASN1_STRING *seq = alg->parameter->value.sequence;
  const unsigned char *p = ASN1_STRING_get0_data(seq);
  long iterations = 0;
  if (OBJ_obj2nid(alg->algorithm) == NID_pbes2) {
    PBE2PARAM *pbe2 = d2i_PBE2PARAM(NULL, &p, ASN1_STRING_length(seq));
    if (pbe2 == NULL) return 0;
    X509_ALGOR *kdf = pbe2->keyfunc;
    if (kdf != NULL && OBJ_obj2nid(kdf->algorithm) == NID_id_pbkdf2 && kdf->parameter != NULL
        && kdf->parameter->type == V_ASN1_SEQUENCE) {
      const unsigned char *q = ASN1_STRING_get0_data(kdf->parameter->value.sequence);
      PBKDF2PARAM *params = d2i_PBKDF2PARAM(NULL, &q, ASN1_STRING_length(kdf->parameter->value.sequence));
      if (params != NULL) iterations = ASN1_INTEGER_get(params->iter);
      PBKDF2PARAM_free(params);
    }
    PBE2PARAM_free(pbe2);
    return iterations;
  }
  PBEPARAM *pbe = d2i_PBEPARAM(NULL, &p, ASN1_STRING_length(seq));
  if (pbe == NULL) return 0;
  iterations = ASN1_INTEGER_get(pbe->iter);
  PBEPARAM_free(pbe);
  return iterations;
}
/* A library context with the default and legacy providers: Java decrypts the RC2-40 and 3DES safes of keystores
   written by JDK 8 and 11, which OpenSSL 3 keeps in its legacy provider. NULL (the default context) without it. */
static inline OSSL_LIB_CTX *tg_pkcs12_context(void) {
  static OSSL_LIB_CTX *context;
  static int tried;
  /* Racing first calls may each make a context; the first stored is kept. */
  if (!__atomic_load_n(&tried, __ATOMIC_ACQUIRE)) {
    OSSL_LIB_CTX *made = OSSL_LIB_CTX_new();
    if (made != NULL && OSSL_PROVIDER_load(made, "default") != NULL) {
      (void)OSSL_PROVIDER_load(made, "legacy");
    } else {
      OSSL_LIB_CTX_free(made);
      made = NULL;
    }
    OSSL_LIB_CTX *expected = NULL;
    /* Another call's context won: this one was never shared, and goes. */
    if (made != NULL && !__atomic_compare_exchange_n(&context, &expected, made, 0, __ATOMIC_ACQ_REL,
                                                     __ATOMIC_ACQUIRE))
      OSSL_LIB_CTX_free(made);
    __atomic_store_n(&tried, 1, __ATOMIC_RELEASE);
    ERR_clear_error();
  }
  return __atomic_load_n(&context, __ATOMIC_ACQUIRE);
}
static inline int tg_pkcs12_java_trusted(
    const unsigned char *bytes, long length, const char *password, tg_pem_block **out, char ***aliases) {
  OSSL_LIB_CTX *context = tg_pkcs12_context();
  *out = NULL;
  *aliases = NULL;
  const unsigned char *p = bytes;
  PKCS12 *p12 = d2i_PKCS12(NULL, &p, length);
  if (p12 == NULL) { ERR_clear_error(); return -1; }
  int result = -5;
  STACK_OF(PKCS7) *safes = NULL;
  STACK_OF(PKCS12_SAFEBAG) *certs = sk_PKCS12_SAFEBAG_new_null();
  const ASN1_OCTET_STRING **keys = NULL;
  int keyCount = 0, keyCapacity = 0;
  STACK_OF(PKCS12_SAFEBAG) *held = sk_PKCS12_SAFEBAG_new_null();
  tg_pem_block *blocks = NULL;
  char **names = NULL;
  int count = 0;
  long spent = 0;
  if (certs == NULL || held == NULL) goto done;
  if (password != NULL && PKCS12_mac_present(p12)) {
    const ASN1_INTEGER *iterations = NULL;
    PKCS12_get0_mac(NULL, NULL, NULL, &iterations, p12);
    /* ASN1_INTEGER_get gives -1 for a count too large for a long: refused as Java refuses a count above its cap. */
    long macIterations = iterations != NULL ? ASN1_INTEGER_get(iterations) : 1;
    if (macIterations < 0 || macIterations > TG_JAVA_MAX_ITERATIONS) { result = -4; goto done; }
    spent += macIterations;
    if (PKCS12_verify_mac(p12, password, -1) != 1) { result = -2; goto done; }
  }
  if ((safes = PKCS12_unpack_authsafes(p12)) == NULL) goto done;
  for (int i = 0; i < sk_PKCS7_num(safes); i++) {
    PKCS7 *safe = sk_PKCS7_value(safes, i);
    STACK_OF(PKCS12_SAFEBAG) *bags = NULL;
    int nid = OBJ_obj2nid(safe->type);
    if (nid == NID_pkcs7_data) {
      bags = PKCS12_unpack_p7data(safe);
    } else if (nid == NID_pkcs7_encrypted) {
      if (password == NULL) continue;
      if (safe->d.encrypted == NULL || safe->d.encrypted->enc_data == NULL) goto done;
      X509_ALGOR *algorithm = safe->d.encrypted->enc_data->algorithm;
      long cost = tg_pbe_iterations(algorithm);
      if (cost < 0 || cost > TG_JAVA_MAX_ITERATIONS) { result = -4; goto done; }
      spent += cost > 0 ? cost : 1;
      if (spent > TG_KEYSTORE_ITERATION_BUDGET) { result = -6; goto done; }
      ASN1_OCTET_STRING *data = safe->d.encrypted->enc_data->enc_data;
      if (data == NULL) goto done;
      bags = PKCS12_item_decrypt_d2i_ex(algorithm, ASN1_ITEM_rptr(PKCS12_SAFEBAGS), password, -1, data, 1,
                                        context, NULL);
      if (bags == NULL) { result = -3; goto done; }
    } else {
      goto done;
    }
    if (bags == NULL) goto done;
    for (int j = 0; j < sk_PKCS12_SAFEBAG_num(bags); j++) {
      PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, j);
      int type = PKCS12_SAFEBAG_get_nid(bag);
      if (type == NID_keyBag || type == NID_pkcs8ShroudedKeyBag) {
        const ASN1_TYPE *id = PKCS12_SAFEBAG_get0_attr(bag, NID_localKeyID);
        if (id != NULL && id->type == V_ASN1_OCTET_STRING) {
          if (keyCount == keyCapacity) {
            keyCapacity = keyCapacity ? keyCapacity * 2 : 8;
            const ASN1_OCTET_STRING **grown = OPENSSL_realloc(keys, sizeof(*keys) * (size_t)keyCapacity);
            if (grown == NULL) { sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free); goto done; }
            keys = grown;
          }
          keys[keyCount++] = id->value.octet_string;
        }
      } else if (type == NID_certBag && PKCS12_SAFEBAG_get_bag_nid(bag) == NID_x509Certificate) {
        sk_PKCS12_SAFEBAG_push(certs, bag);
      }
    }
    /* The bags stay alive until the end: `certs` and `keys` point into them. */
    for (int j = 0; j < sk_PKCS12_SAFEBAG_num(bags); j++) sk_PKCS12_SAFEBAG_push(held, sk_PKCS12_SAFEBAG_value(bags, j));
    sk_PKCS12_SAFEBAG_free(bags);
  }
  ASN1_OBJECT *trusted = OBJ_txt2obj("2.16.840.1.113894.746875.1.1", 1);
  int total = sk_PKCS12_SAFEBAG_num(certs);
  blocks = OPENSSL_zalloc(sizeof(tg_pem_block) * (size_t)(total > 0 ? total : 1));
  names = OPENSSL_zalloc(sizeof(char *) * (size_t)(total > 0 ? total : 1));
  if (trusted == NULL || blocks == NULL || names == NULL) { ASN1_OBJECT_free(trusted); goto done; }
  for (int i = 0; i < total; i++) {
    PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(certs, i);
    int kind = 0;
    const STACK_OF(X509_ATTRIBUTE) *attributes = PKCS12_SAFEBAG_get0_attrs(bag);
    for (int k = 0; k < sk_X509_ATTRIBUTE_num(attributes); k++) {
      if (OBJ_cmp(X509_ATTRIBUTE_get0_object(sk_X509_ATTRIBUTE_value(attributes, k)), trusted) == 0) kind = 1;
    }
    const ASN1_TYPE *id = PKCS12_SAFEBAG_get0_attr(bag, NID_localKeyID);
    if (kind == 0 && id != NULL && id->type == V_ASN1_OCTET_STRING) {
      for (int k = 0; k < keyCount; k++) {
        if (ASN1_OCTET_STRING_cmp(keys[k], id->value.octet_string) == 0) kind = 2;
      }
    }
    if (kind == 0) continue;
    X509 *certificate = PKCS12_SAFEBAG_get1_cert(bag);
    if (certificate == NULL) { ASN1_OBJECT_free(trusted); goto done; }
    unsigned char *copy = NULL;
    int size = i2d_X509(certificate, &copy);
    X509_free(certificate);
    if (size <= 0) { ASN1_OBJECT_free(trusted); goto done; }
    blocks[count].plain = kind;
    blocks[count].der = copy;
    blocks[count].length = size;
    names[count] = PKCS12_get_friendlyname(bag);
    count++;
  }
  ASN1_OBJECT_free(trusted);
  result = count;
done:
  if (result < 0) {
    tg_pem_blocks_free(blocks, count);
    tg_aliases_free(names, count);
  } else {
    *out = blocks;
    *aliases = names;
  }
  sk_PKCS12_SAFEBAG_pop_free(held, PKCS12_SAFEBAG_free);
  sk_PKCS12_SAFEBAG_free(certs);
  OPENSSL_free(keys);
  sk_PKCS7_pop_free(safes, PKCS7_free);
  PKCS12_free(p12);
  ERR_clear_error();
  return result;
}
#endif
