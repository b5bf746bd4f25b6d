/*
 * Runs a model N times through facelyzr.h over packed weights, for instruction counts under
 * qemu (tools/embedded/count-instructions.sh: count for 3 runs minus count for 1, halved).
 *
 *     count BLOB N
 *
 * Pixels are a fixed pseudo-random image made before the first inference. Prints the
 * outputs' FNV-1a hash so every ISA can be seen computing the same thing.
 */
#include <facelyzr.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s BLOB N\n", argv[0]);
        return 1;
    }
    FILE *file = fopen(argv[1], "rb");
    if (!file) { perror(argv[1]); return 1; }
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    unsigned char *blob = aligned_alloc(16, ((size_t)size + 15) / 16 * 16);
    if (!blob || fread(blob, 1, (size_t)size, file) != (size_t)size) { fprintf(stderr, "%s: cannot read\n", argv[1]); return 1; }
    fclose(file);
    fz_model model;
    fz_error error;
    if (fz_model_open(blob, (size_t)size, &model, &error) != FZ_OK) {
        fprintf(stderr, "%s: %s\n", argv[1], fz_error_message(error.code));
        return 2;
    }
    size_t height, width, channels;
    fz_model_input_shape(&model, &height, &width, &channels);
    size_t pixel_count = height * width * channels;
    unsigned char *pixels = malloc(pixel_count);
    void *arena = aligned_alloc(16, (fz_model_arena_byte_count(&model) + 15) / 16 * 16);
    void *packed = aligned_alloc(16, (fz_model_packed_weights_byte_count(&model) + 15) / 16 * 16 + 16);
    int32_t *outputs = calloc(fz_model_output_count(&model) + 1, sizeof *outputs);
    if (!pixels || !arena || !packed || !outputs) { fprintf(stderr, "out of memory\n"); return 1; }
    uint32_t state = 12345;
    for (size_t i = 0; i < pixel_count; i++) {
        state = state * 1664525u + 1013904223u;
        pixels[i] = (unsigned char)(state >> 24);
    }
    fz_model_pack_weights(&model, packed);
    int runs = atoi(argv[2]);
    for (int r = 0; r < runs; r++) fz_model_predict_packed(&model, pixels, arena, packed, outputs);
    uint64_t hash = 0xcbf29ce484222325ull;
    for (size_t o = 0; o < fz_model_output_count(&model); o++) {
        hash ^= (uint32_t)outputs[o];
        hash *= 0x100000001b3ull;
    }
    printf("runs %d packed-weights %zu bytes outputs-hash %016" PRIx64 "\n", runs,
           fz_model_packed_weights_byte_count(&model), hash);
    return 0;
}
