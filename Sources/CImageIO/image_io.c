#include "image_io.h"
#include <png.h>
#include <jpeglib.h>

const char *fz_png_version(void) { return PNG_LIBPNG_VER_STRING; }
int fz_jpeg_version(void) { return JPEG_LIB_VERSION; }
