/*
 * facelyzr-run: the board runner. Raw camera frames in, one JSON line per frame out on
 * standard output, over facelyzr.h (libfacelyzr.a, Embedded Swift). Two modes:
 *
 *     facelyzr-run MODEL.blob WIDTH HEIGHT rgb24|gray8 [--raw]
 *     facelyzr-run MODEL.blob --detect DETECTOR.blob --frame-size WxH
 *                  --format gray8|rgb24|yuv420p|nv12|yuyv [--max-faces N] [--no-track] [--threads N]
 *                  [--raw] [FILE]
 *
 * Frames come back to back with nothing between them, from FILE or (without FILE, or with
 * `-`) standard input; each is a whole number of rows with no padding (docs/frames.md lays
 * out each format's planes).
 *
 * The first mode runs MODEL on frames that already are its input: the frame size must be the
 * model's input size and the format its pixel format (rgb24 for a 3-channel model, gray8 for
 * 1), otherwise it exits 2 at startup naming both. Resample before it, with the area
 * resampling the training data used (docs/boards.md: ffmpeg's `scale=64:64:flags=area`).
 * Each frame gives `{"frame":N,"HEAD":value,...}` in the blob's head order: a head with one
 * output prints its prediction (probability, or years for age), a head with several prints
 * an object of label -> prediction. --raw adds "raw":[int32 head outputs].
 *
 * The second (detection) mode takes frames of any size and format: DETECTOR (a face /
 * not-face model, the localiser's default settings) finds up to --max-faces faces (default
 * 16), best first, and MODEL describes each one (fz_detect_describe: the face box enlarged to
 * the attribute model's framing, cropped and resampled as `facelyzr analyze --detect` does;
 * docs/detection.md "Framing"). Each frame gives
 * `{"frame":N,"faces":[{"box":[x,y,width,height],"score":S,"track":T,"HEAD":value,...},...]}`,
 * the heads as in the first mode, --raw adding each face's "raw". Faces are tracked from frame
 * to frame (fz_tracker_*: IoU 0.3, smoothing 0.3, a track dropped after 5 frames unseen;
 * docs/detection.md "Tracking"): "track" is the face's track id and the heads' predictions are
 * smoothed over the track ("raw" stays the frame's own). --no-track: no "track", no smoothing.
 * --threads N (default 1, at most 64): N threads share each frame's work (this one and N - 1
 * started at startup, each with its own workspace): each takes the next pyramid level not yet
 * scored (largest first) into one score map, then the next face not yet described; this
 * thread collects the boxes in between (fz_detector_score_levels, fz_detector_collect,
 * fz_describe_face). The lines are the same bytes for every N.
 *
 * Numbers: probabilities and scores to 6 decimals, years and box pixels to 3, printed from
 * the runtime's bit-identical floats with glibc's correctly rounded printf, so every ISA
 * prints the same bytes (docs/boards.md "The JSON lines").
 *
 * All memory is taken at startup (the blobs, read once into 16-byte aligned memory, and their
 * packed weights; the frame, the threads and their workspaces, the score map, the boxes,
 * outputs and predictions of --max-faces faces, the tracker of twice as many tracks, and the
 * line buffer, all sized from the models, the frame size, --max-faces and --threads): a frame
 * allocates nothing, whatever its bytes.
 *
 * Bad input, reported on stderr with the frame's index (from 0): a short last frame is
 * ignored; a blank frame (every byte the same value: a covered, dark or dead camera) is
 * reported and still described. Any other bytes are a valid frame. A frame size that does
 * not match the camera's shows as garbled frames and a short last frame: the stream has no
 * frame boundaries to check.
 *
 * Exit status: 0 at end of input (also after a short last frame or blank frames) and when
 * the output pipe is closed; 1 usage, I/O error or out of memory at startup; 2 a blob is
 * rejected or does not fit the frames (wrong input size or format; not a face detector; no
 * detection window fits the frame size).
 */
#include <facelyzr.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef FACELYZR_RUN_COUNT_ALLOCATIONS
/* The allocation-counting build (tools/embedded/check.sh, x86-64 only): counts the heap
 * allocations after the first frame with ordo-one/malloc-interposer, preloaded with
 * LD_PRELOAD (weak references: they resolve to the preloaded library; it counts every
 * thread's). With FACELYZR_RUN_ALLOCATION_CONTROL set, each frame also allocates once in
 * every thread: the positive control proving the counter is live, workers included. */
void malloc_interposer_enable(void) __attribute__((weak));
void malloc_interposer_disable(void) __attribute__((weak));
void malloc_interposer_reset(void) __attribute__((weak));
void malloc_interposer_get_stats(int64_t *, int64_t *, int64_t *, int64_t *, int64_t *, int64_t *)
    __attribute__((weak));
static int allocation_control;

/* The control's allocation (when asked for). */
static void control_allocation(void) {
    if (!allocation_control) return;
    void *volatile sink = malloc(64);
    free(sink);
}
#endif

/* Frames wider or taller than this are refused at startup (their byte counts stay far from
 * overflowing a 32-bit size_t). */
#define MAX_FRAME_SIDE 8192
/* Characters of the widest number printed: "%.6f" of any finite float (sign, 39 integer
 * digits, point, 6 decimals). */
#define NUMBER_BYTES 48

/* Reads up to `length` bytes of `fd`; returns how many (fewer only at end of input). */
static size_t read_fully(int fd, unsigned char *bytes, size_t length) {
    size_t got = 0;
    while (got < length) {
        ssize_t n = read(fd, bytes + got, length - got);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            perror("facelyzr-run: input");
            exit(1);
        }
        got += (size_t)n;
    }
    return got;
}

/* Writes all of `bytes` to standard output; 0, or -1 with errno set. */
static int write_fully(const char *bytes, size_t length) {
    while (length > 0) {
        ssize_t n = write(1, bytes, length);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        bytes += n;
        length -= (size_t)n;
    }
    return 0;
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

/* Reads and opens a blob; exits 1 (unreadable) or 2 (rejected) on failure. */
static void open_model(const char *path, fz_model *model) {
    size_t length = 0;
    unsigned char *blob = read_blob(path, &length);
    if (!blob) exit(1);
    fz_error error;
    if (fz_model_open(blob, length, model, &error) != FZ_OK) {
        fprintf(stderr, "%s: %s (byte %llu, index %lld)\n", path, fz_error_message(error.code),
                (unsigned long long)error.offset, (long long)error.index);
        exit(2);
    }
}

/* `count` bytes aligned for the runtime (FZ_ARENA_ALIGNMENT), taken at startup; exits 1 when
 * there is no memory. */
static void *startup_buffer(size_t count) {
    void *bytes = aligned_alloc(FZ_ARENA_ALIGNMENT, (count / FZ_ARENA_ALIGNMENT + 1) * FZ_ARENA_ALIGNMENT);
    if (!bytes) {
        fprintf(stderr, "facelyzr-run: out of memory (%zu bytes)\n", count);
        exit(1);
    }
    return bytes;
}

/* The model's packed weights (fz_model_pack_weights), made once. */
static void *packed_weights(const fz_model *model) {
    void *packed = startup_buffer(fz_model_packed_weights_byte_count(model));
    fz_model_pack_weights(model, packed);
    return packed;
}

/* One JSON line, written into a buffer sized at startup (line_bytes). A write past its end
 * is dropped and marks the line as overflowed (the bound makes that impossible). */
typedef struct {
    char *bytes;
    size_t length, capacity;
    int overflowed;
} line;

static void put(line *l, const char *bytes, size_t length) {
    if (length > l->capacity - l->length) { l->overflowed = 1; return; }
    memcpy(l->bytes + l->length, bytes, length);
    l->length += length;
}

static void put_text(line *l, const char *text) { put(l, text, strlen(text)); }

static void put_format(line *l, const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    size_t room = l->capacity - l->length;
    int written = vsnprintf(l->bytes + l->length, room, format, arguments);
    va_end(arguments);
    if (written < 0 || (size_t)written >= room) l->overflowed = 1;
    else l->length += (size_t)written;
}

/* A JSON string of `length` UTF-8 bytes (quotes, backslashes and control bytes escaped). */
static void put_string(line *l, const char *text, size_t length) {
    put(l, "\"", 1);
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '"' || c == '\\') { put(l, "\\", 1); put(l, text + i, 1); }
        else if (c < 0x20) put_format(l, "\\u%04x", c);
        else put(l, text + i, 1);
    }
    put(l, "\"", 1);
}

/* Probabilities to 6 decimals, years to 3. */
static void put_prediction(line *l, int32_t kind, float value) {
    put_format(l, kind == FZ_HEAD_REGRESSION ? "%.3f" : "%.6f", (double)value);
}

/* `,"HEAD":value...` of every head, then `,"raw":[...]` with `raw`. */
static void put_heads(line *l, const fz_model *model, const int32_t *outputs, const float *predictions, int raw) {
    size_t heads = fz_model_head_count(model);
    for (size_t h = 0; h < heads; h++) {
        size_t length = 0, first = 0, count = 0;
        const char *name = fz_model_head_name(model, h, &length);
        int32_t kind = fz_model_head_kind(model, h);
        fz_model_head_outputs(model, h, &first, &count);
        put(l, ",", 1);
        put_string(l, name, length);
        put(l, ":", 1);
        if (count == 1) {
            put_prediction(l, kind, predictions[first]);
            continue;
        }
        put(l, "{", 1);
        for (size_t i = first; i < first + count; i++) {
            const char *label = fz_model_output_label(model, i, &length);
            if (i > first) put(l, ",", 1);
            put_string(l, label, length);
            put(l, ":", 1);
            put_prediction(l, kind, predictions[i]);
        }
        put(l, "}", 1);
    }
    if (raw) {
        size_t output_count = fz_model_output_count(model);
        put_text(l, ",\"raw\":[");
        for (size_t i = 0; i < output_count; i++) put_format(l, i ? ",%" PRId32 : "%" PRId32, outputs[i]);
        put(l, "]", 1);
    }
}

/* An upper bound of put_heads' bytes: every name and label escaped at worst (6 bytes a byte). */
static size_t heads_bytes(const fz_model *model) {
    size_t bytes = 16 + 12 * fz_model_output_count(model), length = 0;
    for (size_t h = 0; h < fz_model_head_count(model); h++) {
        fz_model_head_name(model, h, &length);
        bytes += 6 * length + 8;
    }
    for (size_t i = 0; i < fz_model_output_count(model); i++) {
        fz_model_output_label(model, i, &length);
        bytes += 6 * length + 4 + NUMBER_BYTES;
    }
    return bytes;
}

/* Bytes of one frame of `format` (FZ_FORMAT_*) with rows packed, and its planes' offsets and
 * strides (docs/frames.md); 0 for an unknown format. */
static size_t frame_layout(int32_t format, size_t width, size_t height, size_t offsets[3], size_t strides[3]) {
    size_t chroma_width = (width + 1) / 2, chroma_height = (height + 1) / 2;
    offsets[0] = offsets[1] = offsets[2] = 0;
    strides[0] = strides[1] = strides[2] = 0;
    switch (format) {
    case FZ_FORMAT_GRAY8: strides[0] = width; return width * height;
    case FZ_FORMAT_RGB24: strides[0] = 3 * width; return 3 * width * height;
    case FZ_FORMAT_YUYV: strides[0] = 4 * chroma_width; return 4 * chroma_width * height;
    case FZ_FORMAT_NV12:
        strides[0] = width, strides[1] = 2 * chroma_width;
        offsets[1] = width * height;
        return offsets[1] + 2 * chroma_width * chroma_height;
    case FZ_FORMAT_YUV420P:
        strides[0] = width, strides[1] = strides[2] = chroma_width;
        offsets[1] = width * height;
        offsets[2] = offsets[1] + chroma_width * chroma_height;
        return offsets[2] + chroma_width * chroma_height;
    default: return 0;
    }
}

static const char *const format_names[] = {"gray8", "rgb24", "yuv420p", "nv12", "yuyv"};

static int32_t parse_format(const char *name) {
    for (int32_t f = 0; f < (int32_t)(sizeof format_names / sizeof *format_names); f++) {
        if (strcmp(name, format_names[f]) == 0) return f;
    }
    return -1;
}

/* A positive decimal integer of at most `limit`, or 0. */
static unsigned long parse_count(const char *text, unsigned long limit) {
    char *end = NULL;
    errno = 0;
    unsigned long value = strtoul(text, &end, 10);
    return errno == 0 && end != text && *end == '\0' && text[0] != '-' && value <= limit ? value : 0;
}

/* The detection mode's threads: every participant (this thread and the workers) waits at
 * the barrier four times a frame: the frame is read (or the input ended: `stop`), its levels
 * are scored, its boxes collected, its faces described. Between them each takes work items
 * (levels, then faces) from an atomic counter; the results land at fixed places, so the
 * order in which threads take them changes nothing. */
typedef struct {
    const fz_detector *detector;
    const void *detector_packed, *model_packed;
    const fz_model *model;
    const fz_frame *frame;
    float *scores;
    const fz_box *boxes;
    int32_t *outputs;
    size_t output_count, level_count, face_count;
    atomic_size_t next_level, next_face;
    pthread_barrier_t barrier;
    int stop;
} pool;

/* One participant: its workspace (scoring levels, then describing faces, one after the
 * other) and thread. */
typedef struct {
    pool *pool;
    void *workspace;
    pthread_t thread;
} worker;

/* Scores the levels this worker takes of the frame, then waits for every level. */
static void score_levels(worker *w) {
    pool *p = w->pool;
    fz_detector_prepare(p->detector, p->frame, w->workspace, p->detector_packed);
    for (size_t k; (k = atomic_fetch_add(&p->next_level, 1)) < p->level_count;) {
        fz_detector_score_levels(p->detector, k, k + 1, w->workspace, p->detector_packed, p->scores);
    }
    pthread_barrier_wait(&p->barrier);
}

/* Describes the faces this worker takes, then waits for every face. */
static void describe_faces(worker *w) {
    pool *p = w->pool;
    for (size_t face; (face = atomic_fetch_add(&p->next_face, 1)) < p->face_count;) {
        fz_describe_face(p->model, p->model_packed, p->frame, &p->boxes[face], w->workspace,
                         p->outputs + face * p->output_count);
    }
    pthread_barrier_wait(&p->barrier);
}

static void *work(void *argument) {
    worker *w = argument;
    pool *p = w->pool;
    for (;;) {
        pthread_barrier_wait(&p->barrier); /* a frame, or the end */
        if (p->stop) return NULL;
        score_levels(w);
        pthread_barrier_wait(&p->barrier); /* the boxes collected */
        describe_faces(w);
#ifdef FACELYZR_RUN_COUNT_ALLOCATIONS
        control_allocation();
#endif
    }
}

static int usage(const char *program) {
    fprintf(stderr,
            "usage: %s MODEL.blob WIDTH HEIGHT rgb24|gray8 [--raw]\n"
            "       %s MODEL.blob --detect DETECTOR.blob --frame-size WxH --format gray8|rgb24|yuv420p|nv12|yuyv\n"
            "              [--max-faces N] [--no-track] [--threads N] [--raw] [FILE]\n",
            program, program);
    return 1;
}

/* What the command line asks for. */
typedef struct {
    const char *model_path, *detector_path, *input_path;
    unsigned long width, height, max_faces, threads;
    int32_t format;
    int raw, track;
} options;

/* Parses either mode's arguments; 0 when they are not valid. */
static int parse_options(int argc, char **argv, options *o) {
    memset(o, 0, sizeof *o);
    o->format = -1;
    o->max_faces = 16;
    o->threads = 1;
    o->track = 1;
    if (argc < 5) return 0;
    o->model_path = argv[1];
    if (strcmp(argv[2], "--detect") != 0) {
        o->raw = argc == 6 && strcmp(argv[5], "--raw") == 0;
        o->width = parse_count(argv[2], MAX_FRAME_SIDE);
        o->height = parse_count(argv[3], MAX_FRAME_SIDE);
        o->format = parse_format(argv[4]);
        return (argc == 5 || o->raw) && o->width && o->height && (o->format == FZ_FORMAT_GRAY8 || o->format == FZ_FORMAT_RGB24);
    }
    for (int i = 2; i < argc; i++) {
        const char *argument = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argument, "--raw") == 0) { o->raw = 1; continue; }
        if (strcmp(argument, "--no-track") == 0) { o->track = 0; continue; }
        if (argument[0] == '-' && argument[1] != '\0' && !value) return 0;
        if (strcmp(argument, "--detect") == 0) o->detector_path = value;
        else if (strcmp(argument, "--format") == 0) { if ((o->format = parse_format(value)) < 0) return 0; }
        else if (strcmp(argument, "--max-faces") == 0) { if (!(o->max_faces = parse_count(value, 1024))) return 0; }
        else if (strcmp(argument, "--threads") == 0) { if (!(o->threads = parse_count(value, 64))) return 0; }
        else if (strcmp(argument, "--frame-size") == 0) {
            char width[16];
            const char *x = strchr(value, 'x');
            if (!x || (size_t)(x - value) >= sizeof width) return 0;
            memcpy(width, value, (size_t)(x - value));
            width[x - value] = '\0';
            o->width = parse_count(width, MAX_FRAME_SIDE);
            o->height = parse_count(x + 1, MAX_FRAME_SIDE);
            if (!o->width || !o->height) return 0;
        } else if (argument[0] != '-' || strcmp(argument, "-") == 0) {
            if (o->input_path) return 0;
            o->input_path = argument;
            continue;
        } else return 0;
        i++;
    }
    return o->detector_path && o->width && o->format >= 0;
}

int main(int argc, char **argv) {
    options o;
    if (!parse_options(argc, argv, &o)) {
        if (argc >= 5) fprintf(stderr, "facelyzr-run: sizes must be positive integers (at most %d), --max-faces at most 1024, "
                                       "--threads at most 64, the format one of the listed ones\n", MAX_FRAME_SIDE);
        return usage(argv[0]);
    }
    int detecting = o.detector_path != NULL;

    static fz_model model, detector_model;
    static fz_detector detector;
    open_model(o.model_path, &model);
    size_t output_count = fz_model_output_count(&model);
    size_t offsets[3], strides[3];
    size_t frame_bytes = frame_layout(o.format, o.width, o.height, offsets, strides);
    fz_frame frame = {.strides = {strides[0], strides[1], strides[2]},
                      .width = (int32_t)o.width, .height = (int32_t)o.height, .format = o.format};
    void *workspace = NULL, *model_packed = NULL, *detector_packed = NULL, *tracker = NULL;
    static pool threads;
    worker *workers = NULL;
    size_t faces_capacity = 1, line_bytes = 32 + heads_bytes(&model);
    if (detecting) {
        open_model(o.detector_path, &detector_model);
        fz_status status = fz_detector_open(&detector_model, frame.width, frame.height, &detector);
        if (status != FZ_OK) {
            fprintf(stderr, "%s: %s (frames %lux%lu)\n", o.detector_path, fz_error_message(status), o.width, o.height);
            return 2;
        }
        size_t input_height = 0, input_width = 0, input_channels = 0;
        fz_model_input_shape(&model, &input_height, &input_width, &input_channels);
        if (input_width != input_height || (input_channels != 1 && input_channels != 3)) {
            fprintf(stderr, "%s: reads %zux%zux%zu inputs; describing faces needs a square gray or RGB input\n",
                    o.model_path, input_width, input_height, input_channels);
            return 2;
        }
        /* A workspace a thread, for scoring and then describing (docs/boards.md "Threads"). */
        workers = startup_buffer(o.threads * sizeof *workers);
        size_t detect_bytes = fz_detector_workspace_byte_count(&detector);
        size_t face_bytes = fz_describe_face_workspace_byte_count(&model, frame.width, frame.height, o.format);
        for (size_t t = 0; t < o.threads; t++) {
            workers[t] = (worker){.pool = &threads, .workspace = startup_buffer(detect_bytes > face_bytes ? detect_bytes : face_bytes)};
        }
        threads.level_count = fz_detector_level_count(&detector);
        threads.scores = startup_buffer(fz_detector_score_offset(&detector, threads.level_count) * sizeof(float));
        model_packed = packed_weights(&model);
        detector_packed = packed_weights(&detector_model);
        faces_capacity = o.max_faces;
        line_bytes = 32 + o.max_faces * (48 + 5 * NUMBER_BYTES + heads_bytes(&model));
        if (o.track) {
            /* Room for as many faces again as a frame holds: tracks outlive a frame unseen. */
            tracker = startup_buffer(fz_tracker_byte_count(2 * o.max_faces, output_count));
            fz_tracker_init(tracker, 2 * o.max_faces, output_count, 0.3f, 0.3f, 5);
        }
    } else {
        size_t model_height = 0, model_width = 0, model_channels = 0;
        fz_model_input_shape(&model, &model_height, &model_width, &model_channels);
        if (o.width != model_width || o.height != model_height || (o.format == FZ_FORMAT_RGB24 ? 3 : 1) != model_channels) {
            fprintf(stderr,
                    "facelyzr-run: the model takes %zux%zu %s frames, not %lux%lu %s; resample before the "
                    "runner with area resampling (docs/boards.md)\n",
                    model_width, model_height, model_channels == 3 ? "rgb24" : "gray8", o.width, o.height,
                    format_names[o.format]);
            return 2;
        }
        workspace = startup_buffer(fz_model_arena_byte_count(&model));
    }
    unsigned char *pixels = startup_buffer(frame_bytes);
    for (int p = 0; p < 3; p++) frame.planes[p] = strides[p] ? pixels + offsets[p] : NULL;
    fz_box *boxes = startup_buffer(faces_capacity * sizeof *boxes);
    int32_t *outputs = startup_buffer(faces_capacity * (output_count + 1) * sizeof *outputs);
    float *predictions = startup_buffer(faces_capacity * (output_count + 1) * sizeof *predictions);
    int32_t *tracks = startup_buffer(faces_capacity * sizeof *tracks);
    line l = {.bytes = startup_buffer(line_bytes), .capacity = line_bytes};
    if (detecting) {
        threads.detector = &detector;
        threads.detector_packed = detector_packed;
        threads.model = &model;
        threads.model_packed = model_packed;
        threads.frame = &frame;
        threads.boxes = boxes;
        threads.outputs = outputs;
        threads.output_count = output_count;
        if (pthread_barrier_init(&threads.barrier, NULL, (unsigned)o.threads) != 0) {
            fprintf(stderr, "facelyzr-run: cannot make the threads' barrier\n");
            return 1;
        }
        for (size_t t = 1; t < o.threads; t++) {
            int error = pthread_create(&workers[t].thread, NULL, work, &workers[t]);
            if (error) {
                fprintf(stderr, "facelyzr-run: cannot start thread %zu of %lu: %s\n", t + 1, o.threads, strerror(error));
                return 1;
            }
        }
    }

    int input = 0;
    if (o.input_path && strcmp(o.input_path, "-") != 0 && (input = open(o.input_path, O_RDONLY)) < 0) {
        perror(o.input_path);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN); /* a closed pipe shows as EPIPE on the write: end quietly */

#ifdef FACELYZR_RUN_COUNT_ALLOCATIONS
    allocation_control = getenv("FACELYZR_RUN_ALLOCATION_CONTROL") != NULL;
#endif
    unsigned long long frames = 0;
    for (;; frames++) {
        size_t got = read_fully(input, pixels, frame_bytes);
        if (got == 0) break;
        if (got < frame_bytes) {
            fprintf(stderr, "facelyzr-run: frame %llu: short final frame (%zu of %zu bytes) ignored\n", frames, got, frame_bytes);
            break;
        }
        if (pixels[0] == pixels[frame_bytes - 1] && memcmp(pixels, pixels + 1, frame_bytes - 1) == 0) {
            fprintf(stderr, "facelyzr-run: frame %llu: blank (every byte %u)\n", frames, pixels[0]);
        }
        l.length = 0;
        l.overflowed = 0;
        put_format(&l, "{\"frame\":%llu", frames);
        if (detecting) {
            size_t count = 0;
            atomic_store(&threads.next_level, 0);
            atomic_store(&threads.next_face, 0);
            pthread_barrier_wait(&threads.barrier);
            score_levels(&workers[0]);
            fz_detector_collect(&detector, threads.scores, workers[0].workspace, boxes, o.max_faces, &count);
            threads.face_count = count;
            pthread_barrier_wait(&threads.barrier);
            describe_faces(&workers[0]);
            for (size_t face = 0; face < count; face++) {
                fz_model_predictions(&model, outputs + face * output_count, predictions + face * output_count);
            }
            if (tracker) fz_tracker_update(tracker, boxes, count, predictions, tracks);
            put_text(&l, ",\"faces\":[");
            for (size_t face = 0; face < count; face++) {
                const fz_box *b = &boxes[face];
                put_format(&l, "%s{\"box\":[%.3f,%.3f,%.3f,%.3f],\"score\":%.6f", face ? "," : "", (double)b->x, (double)b->y,
                           (double)b->width, (double)b->height, (double)b->score);
                if (tracker) put_format(&l, ",\"track\":%" PRId32, tracks[face]);
                put_heads(&l, &model, outputs + face * output_count, predictions + face * output_count, o.raw);
                put(&l, "}", 1);
            }
            put(&l, "]", 1);
        } else {
            fz_model_predict(&model, pixels, workspace, outputs);
            fz_model_predictions(&model, outputs, predictions);
            put_heads(&l, &model, outputs, predictions, o.raw);
        }
        put(&l, "}\n", 2);
        if (l.overflowed) {
            fprintf(stderr, "facelyzr-run: frame %llu: the line does not fit its %zu bytes\n", frames, line_bytes);
            return 1;
        }
        if (write_fully(l.bytes, l.length) != 0) {
            if (errno == EPIPE) return 0;
            perror("facelyzr-run: standard output");
            return 1;
        }
#ifdef FACELYZR_RUN_COUNT_ALLOCATIONS
        control_allocation();
        if (frames == 0 && malloc_interposer_enable) {
            malloc_interposer_reset();
            malloc_interposer_enable();
        }
#endif
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
    if (detecting) {
        threads.stop = 1;
        pthread_barrier_wait(&threads.barrier);
        for (size_t t = 1; t < o.threads; t++) pthread_join(workers[t].thread, NULL);
    }
    return 0;
}
