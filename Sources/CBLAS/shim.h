// Debian's libopenblas-dev installs cblas.h under /usr/include/x86_64-linux-gnu (multiarch).
#include <cblas.h>
