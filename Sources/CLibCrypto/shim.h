// OpenSSL's libcrypto for SHA-256 alone: its assembly uses the SHA extensions of x86-64 (SHA-NI)
// and ARMv8, and statically linked the digest costs ~25 KB (swift-crypto's BoringSSL cost ~1 MiB).
// The low-level SHA256_* functions are deprecated in OpenSSL 3 in favour of EVP, whose provider
// machinery would link far more; they are still there, and this suppresses the warnings.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
