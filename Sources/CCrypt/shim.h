#ifndef EMPORIUM_CCRYPT_SHIM_H
#define EMPORIUM_CCRYPT_SHIM_H

// libxcrypt: crypt_r and crypt_gensalt_rn (yescrypt "$y$" among the supported prefixes).
#include <crypt.h>

#endif
