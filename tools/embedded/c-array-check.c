/*
 * Checks `facelyzr export --format c-array` output (runner-check.sh): the compiled-in blob
 * (symbols facelyzr_blob, facelyzr_blob_length) is 16-byte aligned and opens through
 * facelyzr.h. Prints its output count; exit 1 on failure.
 */
#include <facelyzr.h>

#include <stdint.h>
#include <stdio.h>

extern const unsigned char facelyzr_blob[];
extern const size_t facelyzr_blob_length;

int main(void) {
    if ((uintptr_t)facelyzr_blob % 16 != 0) {
        fprintf(stderr, "c-array-check: the array is not 16-byte aligned\n");
        return 1;
    }
    fz_model model;
    fz_error error;
    if (fz_model_open(facelyzr_blob, facelyzr_blob_length, &model, &error) != FZ_OK) {
        fprintf(stderr, "c-array-check: %s\n", fz_error_message(error.code));
        return 1;
    }
    printf("c-array blob: %zu bytes, %zu outputs\n", facelyzr_blob_length, fz_model_output_count(&model));
    return 0;
}
