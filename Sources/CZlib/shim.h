#ifndef EFTERHAND_CZLIB_SHIM_H
#define EFTERHAND_CZLIB_SHIM_H

#include <zlib.h>

// Swift does not import function-like macros: deflateInit2 is one, over deflateInit2_.
static inline int czlib_deflate_init_gzip(z_streamp stream, int level) {
    // windowBits 15 + 16 asks for a gzip header and trailer; memLevel 8 is zlib's default.
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

// The same for inflateInit2, for reading gzip back in tests.
static inline int czlib_inflate_init_gzip(z_streamp stream) {
    return inflateInit2(stream, 15 + 16);
}

#endif
