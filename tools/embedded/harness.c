/*
 * The cross-ISA harness: opens a blob through facelyzr.h, runs every input file through
 * fz_model_predict_layers and prints what it computed, so the outputs of the aarch64 and
 * armv7 builds (under qemu) can be compared byte for byte with the x86-64 build.
 *
 *     harness BLOB INPUT...
 *
 * Prints the model's shape line, then for each input one line of int32 head outputs, one
 * line of FNV-1a 64 hashes of each layer's int8 output, one of the predictions' float32 bit
 * patterns (fz_model_predictions) and one of each head's decision and value bits
 * (fz_model_head_result). Also checks that
 * fz_model_predict and fz_model_predict_packed write the same outputs as the debug variant. Exit status 0 when
 * every input ran, 1 on a usage or file error, 2 when the blob is rejected.
 */
#include <facelyzr.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads a whole file into 16-byte aligned memory (blobs are used in place and must be
 * aligned; 32-bit glibc malloc only aligns to 8). NULL, with a message, on failure. */
static unsigned char *read_file(const char *path, size_t *length) {
    FILE *file = fopen(path, "rb");
    if (!file) { perror(path); return NULL; }
    long size = -1;
    if (fseek(file, 0, SEEK_END) == 0) size = ftell(file);
    if (size < 0 || fseek(file, 0, SEEK_SET) != 0) {
        fprintf(stderr, "%s: cannot determine the size\n", path);
        fclose(file);
        return NULL;
    }
    size_t rounded = ((size_t)size + 15) / 16 * 16;
    unsigned char *bytes = aligned_alloc(16, rounded ? rounded : 16);
    if (!bytes) { fprintf(stderr, "%s: out of memory\n", path); fclose(file); return NULL; }
    size_t got = fread(bytes, 1, (size_t)size, file);
    fclose(file);
    if (got != (size_t)size) { fprintf(stderr, "%s: short read\n", path); free(bytes); return NULL; }
    *length = got;
    return bytes;
}

static uint64_t fnv1a64(const int8_t *bytes, size_t length) {
    uint64_t hash = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < length; i++) {
        hash ^= (uint8_t)bytes[i];
        hash *= 0x100000001b3ull;
    }
    return hash;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s BLOB INPUT...\n", argv[0]);
        return 1;
    }
    if (fz_api_version() != FZ_API_VERSION) {
        fprintf(stderr, "library API version %u, header %u\n", fz_api_version(), FZ_API_VERSION);
        return 1;
    }
    size_t blob_length = 0;
    unsigned char *blob = read_file(argv[1], &blob_length);
    if (!blob) return 1;

    fz_model model;
    fz_error error;
    if (fz_model_open(blob, blob_length, &model, &error) != FZ_OK) {
        fprintf(stderr, "%s: byte %" PRIu64 ": %s (code %" PRId32 ")\n",
                argv[1], error.offset, fz_error_message(error.code), error.code);
        return 2;
    }

    size_t height, width, channels;
    fz_model_input_shape(&model, &height, &width, &channels);
    size_t pixel_count = height * width * channels;
    size_t arena_bytes = fz_model_arena_byte_count(&model);
    size_t output_count = fz_model_output_count(&model);
    size_t layer_count = fz_model_layer_count(&model);
    size_t layer_bytes = 0;
    for (size_t i = 0; i < layer_count; i++) layer_bytes += fz_model_layer_output_byte_count(&model, i);
    printf("model input %zux%zux%zu arena %zu outputs %zu layers %zu (%zu bytes)\n",
           height, width, channels, arena_bytes, output_count, layer_count, layer_bytes);

    size_t arena_rounded = (arena_bytes + FZ_ARENA_ALIGNMENT - 1) / FZ_ARENA_ALIGNMENT * FZ_ARENA_ALIGNMENT;
    void *arena = aligned_alloc(FZ_ARENA_ALIGNMENT, arena_rounded ? arena_rounded : FZ_ARENA_ALIGNMENT);
    int32_t *outputs = calloc(output_count + 1, sizeof *outputs);
    int32_t *plain_outputs = calloc(output_count + 1, sizeof *plain_outputs);
    int8_t *layer_outputs = calloc(layer_bytes + 1, 1);
    float *predictions = calloc(output_count + 1, sizeof *predictions);
    size_t packed_bytes = fz_model_packed_weights_byte_count(&model);
    void *packed = aligned_alloc(16, (packed_bytes + 15) / 16 * 16 + 16);
    if (!arena || !outputs || !plain_outputs || !layer_outputs || !predictions || !packed) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }

    for (int a = 2; a < argc; a++) {
        size_t input_length = 0;
        unsigned char *pixels = read_file(argv[a], &input_length);
        if (!pixels) return 1;
        if (input_length != pixel_count) {
            fprintf(stderr, "%s: %zu bytes, the model takes %zu\n", argv[a], input_length, pixel_count);
            return 1;
        }
        fz_model_predict_layers(&model, pixels, arena, outputs, layer_outputs);
        fz_model_predict(&model, pixels, arena, plain_outputs);
        if (memcmp(outputs, plain_outputs, output_count * sizeof *outputs) != 0) {
            fprintf(stderr, "%s: fz_model_predict and fz_model_predict_layers disagree\n", argv[a]);
            return 1;
        }
        fz_model_pack_weights(&model, packed);
        fz_model_predict_packed(&model, pixels, arena, packed, plain_outputs);
        if (memcmp(outputs, plain_outputs, output_count * sizeof *outputs) != 0) {
            fprintf(stderr, "%s: fz_model_predict_packed and fz_model_predict_layers disagree\n", argv[a]);
            return 1;
        }
        printf("%s outputs", argv[a]);
        for (size_t o = 0; o < output_count; o++) printf(" %" PRId32, outputs[o]);
        printf("\n%s layers", argv[a]);
        size_t offset = 0;
        for (size_t i = 0; i < layer_count; i++) {
            size_t n = fz_model_layer_output_byte_count(&model, i);
            printf(" %016" PRIx64, fnv1a64(layer_outputs + offset, n));
            offset += n;
        }
        /* What the heads make of the outputs (the runtime's float32 sigmoid and softmax): each
         * prediction's bit pattern, then each head's decision and value bits. */
        fz_model_predictions(&model, outputs, predictions);
        printf("\n%s predictions", argv[a]);
        for (size_t o = 0; o < output_count; o++) {
            uint32_t bits;
            memcpy(&bits, &predictions[o], sizeof bits);
            printf(" %08" PRIx32, bits);
        }
        printf("\n%s heads", argv[a]);
        for (size_t h = 0; h < fz_model_head_count(&model); h++) {
            size_t decision = 0;
            float value = 0;
            uint32_t bits;
            fz_model_head_result(&model, h, outputs, &decision, &value);
            memcpy(&bits, &value, sizeof bits);
            printf(" %zu:%08" PRIx32, decision, bits);
        }
        printf("\n");
        free(pixels);
    }
    free(packed);
    free(predictions);
    free(layer_outputs);
    free(plain_outputs);
    free(outputs);
    free(arena);
    free(blob);
    return 0;
}
