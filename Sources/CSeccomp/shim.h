#include <seccomp.h>

// Function-like action macros, which Swift cannot import.
static inline uint32_t lighter_scmp_act_errno(uint32_t code) { return SCMP_ACT_ERRNO(code); }
static inline uint32_t lighter_scmp_act_trace(uint32_t code) { return SCMP_ACT_TRACE(code); }
