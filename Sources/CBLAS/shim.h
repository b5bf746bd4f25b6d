// Debian's libopenblas-dev installs cblas.h under /usr/include/x86_64-linux-gnu (multiarch).
#include <cblas.h>
#if defined(__linux__)
// mallopt: the trainer keeps freed memory for reuse (FacelyzrTrainer's keepFreedMemoryForReuse).
#include <malloc.h>
#endif
