// C shim over libpng and libjpeg-turbo. It owns the setjmp/longjmp error handling of
// both libraries so that Swift never sees a longjmp; every call returns a status code.
#ifndef FACELYZR_IMAGE_IO_H
#define FACELYZR_IMAGE_IO_H

#include <stddef.h>
#include <stdint.h>

/// Library version strings, for diagnostics.
const char *fz_png_version(void);
int fz_jpeg_version(void);

#endif
