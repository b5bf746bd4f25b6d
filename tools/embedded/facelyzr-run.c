/*
 * facelyzr-run: the board runner. Raw camera frames in on standard input, one JSON line per
 * frame out on standard output, over facelyzr.h (libfacelyzr.a, Embedded Swift).
 *
 *     facelyzr-run MODEL.blob WIDTH HEIGHT rgb24|gray8 [--raw]
 *
 * Frames are WIDTH x HEIGHT pixels, row-major, rgb24 (3 bytes a pixel) or gray8 (1 byte),
 * back to back with nothing between them. The runner does not resample: the frame size
 * must be the model's input size and the format its pixel format (rgb24 for a 3-channel
 * model, gray8 for 1), otherwise it exits 2 at startup naming both. Resample before it,
 * with the area resampling the training data used (docs/boards.md: ffmpeg's
 * `scale=64:64:flags=area`).
 *
 * Each frame gives `{"frame":N,"HEAD":value,...}` in the blob's head order: a head with one
 * output prints its prediction (probability, or years for age), a head with several
 * prints an object of label -> prediction. --raw adds "raw":[int32 head outputs].
 * Predictions come from the runtime (fz_model_predictions) and are printed with glibc's
 * correctly rounded printf, so every ISA prints the same bytes.
 *
 * All memory is taken at startup (the blob, read once into 16-byte aligned memory; the
 * frame, arena and output buffers sized from the model; a static stdout buffer): a frame
 * allocates nothing. End of input ends the run with exit 0; a short last frame is reported
 * on stderr and ignored (exit 0); a closed output pipe ends it quietly (exit 0).
 * Exit 1: usage or I/O error; 2: the blob is rejected or does not match the frames.
 */
#include <facelyzr.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef FACELYZR_RUN_COUNT_ALLOCATIONS
/* The allocation-counting build (tools/embedded/check.sh, x86-64 only): counts the heap
 * allocations after the first frame with ordo-one/malloc-interposer, preloaded with
 * LD_PRELOAD (weak references: they resolve to the preloaded library). With
 * FACELYZR_RUN_ALLOCATION_CONTROL set, each frame also allocates once: the positive
 * control proving the counter is live. */
void malloc_interposer_enable(void) __attribute__((weak));
void malloc_interposer_disable(void) __attribute__((weak));
void malloc_interposer_reset(void) __attribute__((weak));
void malloc_interposer_get_stats(int64_t *, int64_t *, int64_t *, int64_t *, int64_t *, int64_t *)
    __attribute__((weak));
#endif

static char stdout_buffer[1 << 16];

/* Reads up to `length` bytes; returns how many (fewer only at end of input). */
static size_t read_fully(unsigned char *bytes, size_t length) {
    size_t got = 0;
    while (got < length) {
        ssize_t n = read(0, bytes + got, length - got);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            perror("facelyzr-run: standard input");
            exit(1);
        }
        got += (size_t)n;
    }
    return got;
}

static unsigned char *read_blob(const char *path, size_t *length) {
    FILE *file = fopen(path, "rb");
    if (!file) { perror(path); return NULL; }
    long size = -1;
    if (fseek(file, 0, SEEK_END) == 0) size = ftell(file);
    if (size <= 0 || fseek(file, 0, SEEK_SET) != 0) {
        fprintf(stderr, "%s: empty or not a regular file\n", path);
        fclose(file);
        return NULL;
    }
    unsigned char *bytes = aligned_alloc(16, ((size_t)size + 15) / 16 * 16);
    if (!bytes) { fprintf(stderr, "%s: out of memory\n", path); fclose(file); return NULL; }
    size_t got = fread(bytes, 1, (size_t)size, file);
    fclose(file);
    if (got != (size_t)size) { fprintf(stderr, "%s: short read\n", path); free(bytes); return NULL; }
    *length = got;
    return bytes;
}

/* A JSON string of `length` UTF-8 bytes (quotes, backslashes and control bytes escaped). */
static void print_json_string(const char *text, size_t length) {
    putchar('"');
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '"' || c == '\\') { putchar('\\'); putchar(c); }
        else if (c < 0x20) printf("\\u%04x", c);
        else putchar(c);
    }
    putchar('"');
}

static void print_prediction(int32_t kind, float value) {
    /* Probabilities to 6 decimals, years to 3. */
    printf(kind == FZ_HEAD_REGRESSION ? "%.3f" : "%.6f", (double)value);
}

static void print_frame(const fz_model *model, unsigned long long frame, const int32_t *outputs,
                        const float *predictions, size_t output_count, int raw) {
    printf("{\"frame\":%llu", frame);
    size_t heads = fz_model_head_count(model);
    for (size_t h = 0; h < heads; h++) {
        size_t length = 0, first = 0, count = 0;
        const char *name = fz_model_head_name(model, h, &length);
        int32_t kind = fz_model_head_kind(model, h);
        fz_model_head_outputs(model, h, &first, &count);
        putchar(',');
        print_json_string(name, length);
        putchar(':');
        if (count == 1) {
            print_prediction(kind, predictions[first]);
            continue;
        }
        putchar('{');
        for (size_t i = first; i < first + count; i++) {
            const char *label = fz_model_output_label(model, i, &length);
            if (i > first) putchar(',');
            print_json_string(label, length);
            putchar(':');
            print_prediction(kind, predictions[i]);
        }
        putchar('}');
    }
    if (raw) {
        printf(",\"raw\":[");
        for (size_t i = 0; i < output_count; i++) printf(i ? ",%" PRId32 : "%" PRId32, outputs[i]);
        putchar(']');
    }
    printf("}\n");
}

int main(int argc, char **argv) {
    int raw = argc == 6 && strcmp(argv[5], "--raw") == 0;
    if (!(argc == 5 || raw)) {
        fprintf(stderr, "usage: %s MODEL.blob WIDTH HEIGHT rgb24|gray8 [--raw]\n", argv[0]);
        return 1;
    }
    char *end = NULL;
    unsigned long width = strtoul(argv[2], &end, 10);
    int bad_width = *end != '\0';
    unsigned long height = strtoul(argv[3], &end, 10);
    size_t channels = strcmp(argv[4], "rgb24") == 0 ? 3 : strcmp(argv[4], "gray8") == 0 ? 1 : 0;
    if (bad_width || *end != '\0' || width == 0 || height == 0 || channels == 0) {
        fprintf(stderr, "facelyzr-run: WIDTH and HEIGHT must be positive integers and the format rgb24 or gray8\n");
        return 1;
    }

    size_t blob_length = 0;
    unsigned char *blob = read_blob(argv[1], &blob_length);
    if (!blob) return 1;
    fz_model model;
    fz_error error;
    if (fz_model_open(blob, blob_length, &model, &error) != FZ_OK) {
        fprintf(stderr, "%s: %s (byte %llu, index %lld)\n", argv[1], fz_error_message(error.code),
                (unsigned long long)error.offset, (long long)error.index);
        return 2;
    }
    size_t model_height = 0, model_width = 0, model_channels = 0;
    fz_model_input_shape(&model, &model_height, &model_width, &model_channels);
    if (width != model_width || height != model_height || channels != model_channels) {
        fprintf(stderr,
                "facelyzr-run: the model takes %zux%zu %s frames, not %lux%lu %s; resample before the "
                "runner with area resampling (docs/boards.md)\n",
                model_width, model_height, model_channels == 3 ? "rgb24" : "gray8", width, height, argv[4]);
        return 2;
    }

    size_t frame_bytes = model_height * model_width * model_channels;
    size_t output_count = fz_model_output_count(&model);
    unsigned char *frame = malloc(frame_bytes);
    void *arena = aligned_alloc(FZ_ARENA_ALIGNMENT,
                                (fz_model_arena_byte_count(&model) + FZ_ARENA_ALIGNMENT) / FZ_ARENA_ALIGNMENT * FZ_ARENA_ALIGNMENT);
    int32_t *outputs = malloc((output_count ? output_count : 1) * sizeof *outputs);
    float *predictions = malloc((output_count ? output_count : 1) * sizeof *predictions);
    if (!frame || !arena || !outputs || !predictions) {
        fprintf(stderr, "facelyzr-run: out of memory\n");
        return 1;
    }
    setvbuf(stdout, stdout_buffer, _IOFBF, sizeof stdout_buffer);
    signal(SIGPIPE, SIG_IGN);  /* a closed pipe shows as EPIPE on the write: end quietly */

#ifdef FACELYZR_RUN_COUNT_ALLOCATIONS
    int control = getenv("FACELYZR_RUN_ALLOCATION_CONTROL") != NULL;
#endif
    unsigned long long frames = 0;
    for (;;) {
        size_t got = read_fully(frame, frame_bytes);
        if (got == 0) break;
        if (got < frame_bytes) {
            fprintf(stderr, "facelyzr-run: short final frame (%zu of %zu bytes) ignored after %llu frames\n",
                    got, frame_bytes, frames);
            break;
        }
        fz_model_predict(&model, frame, arena, outputs);
        fz_model_predictions(&model, outputs, predictions);
        print_frame(&model, frames, outputs, predictions, output_count, raw);
        if (fflush(stdout) != 0) {
            if (errno == EPIPE) return 0;
            perror("facelyzr-run: standard output");
            return 1;
        }
#ifdef FACELYZR_RUN_COUNT_ALLOCATIONS
        if (control) {
            void *volatile sink = malloc(64);
            free(sink);
        }
        if (frames == 0 && malloc_interposer_enable) {
            malloc_interposer_reset();
            malloc_interposer_enable();
        }
#endif
        frames++;
    }
#ifdef FACELYZR_RUN_COUNT_ALLOCATIONS
    if (!malloc_interposer_get_stats) {
        fprintf(stderr, "facelyzr-run: malloc-interposer is not preloaded\n");
        return 1;
    }
    malloc_interposer_disable();
    int64_t count = 0, bytes = 0, small = 0, large = 0, frees = 0, freed = 0;
    malloc_interposer_get_stats(&count, &bytes, &small, &large, &frees, &freed);
    fprintf(stderr, "frames=%llu allocations-after-first=%" PRId64 " frees-after-first=%" PRId64 "\n",
            frames, count, frees);
#endif
    return 0;
}
