/*
 * facelyzr.h: the C interface of the Facelyzr int8 runtime.
 *
 * Built as Embedded Swift into libfacelyzr.a (tools/embedded/build.sh) and linked with
 * the board's C compiler; no Swift toolchain is needed on the board. The library never
 * allocates: the caller owns the model storage, the arena and the output buffers.
 *
 *     fz_model model;
 *     fz_error error;
 *     if (fz_model_open(blob, blob_length, &model, &error) != FZ_OK) {
 *         fprintf(stderr, "blob: %s at byte %llu\n",
 *                 fz_error_message(error.code), (unsigned long long)error.offset);
 *     }
 *     void *arena = aligned_alloc(FZ_ARENA_ALIGNMENT, fz_model_arena_byte_count(&model));
 *     int32_t outputs[fz_model_output_count(&model)];
 *     fz_model_predict(&model, pixels, arena, outputs);
 *
 * The blob bytes must stay alive and unchanged while the model is used (zero-copy).
 * An opened model is immutable: threads may share it, each with its own arena.
 */
#ifndef FACELYZR_H
#define FACELYZR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of this interface; bumped when a signature or the storage size changes. */
#define FZ_API_VERSION 1u

/* Bytes of opaque storage for one opened model (checked against the Swift type's size
 * by the runtime's tests and at every fz_model_open). */
#define FZ_MODEL_STORAGE_BYTES 512
/* Alignment the arena passed to the predict functions must have. */
#define FZ_ARENA_ALIGNMENT 16

/* An opened model: fixed-size storage filled in by fz_model_open. Copyable bytes;
 * nothing to close. */
typedef struct fz_model {
    _Alignas(16) unsigned char opaque[FZ_MODEL_STORAGE_BYTES];
} fz_model;

/* Status codes. FZ_OK is 0; the others name what is wrong with a blob
 * (fz_error_message gives the text; docs/blob-format.md the rules). */
typedef int32_t fz_status;
#define FZ_OK 0
#define FZ_ERROR_STORAGE_TOO_SMALL 1
#define FZ_ERROR_TRUNCATED 2
#define FZ_ERROR_MISALIGNED_BUFFER 3
#define FZ_ERROR_BAD_MAGIC 4
#define FZ_ERROR_UNSUPPORTED_VERSION 5
#define FZ_ERROR_WRONG_ENDIANNESS 6
#define FZ_ERROR_BAD_HEADER_SIZE 7
#define FZ_ERROR_FILE_SIZE_MISMATCH 8
#define FZ_ERROR_HEADER_CHECKSUM 9
#define FZ_ERROR_PAYLOAD_CHECKSUM 10
#define FZ_ERROR_RESERVED_NOT_ZERO 11
#define FZ_ERROR_SECTION_OUT_OF_BOUNDS 12
#define FZ_ERROR_SECTION_MISALIGNED 13
#define FZ_ERROR_SECTIONS_OVERLAP 14
#define FZ_ERROR_DUPLICATE_SECTION 15
#define FZ_ERROR_MISSING_SECTION 16
#define FZ_ERROR_UNKNOWN_REQUIRED_SECTION 17
#define FZ_ERROR_BAD_SECTION_LENGTH 18
#define FZ_ERROR_INVALID_FIELD 19
#define FZ_ERROR_UNKNOWN_OP 20
#define FZ_ERROR_SHAPE_MISMATCH 21
#define FZ_ERROR_QUANTIZATION_MISMATCH 22
#define FZ_ERROR_DOT_PRODUCT_TOO_LONG 23
#define FZ_ERROR_TENSOR_OUT_OF_ARENA 24
#define FZ_ERROR_TENSOR_NOT_PRODUCED 25
#define FZ_ERROR_TENSOR_WRITTEN_TWICE 26
#define FZ_ERROR_ARENA_CONFLICT 27
#define FZ_ERROR_WEIGHTS_OUT_OF_BOUNDS 28
#define FZ_ERROR_WEIGHT_OUT_OF_RANGE 29
#define FZ_ERROR_BAD_REQUANTIZATION 30
#define FZ_ERROR_STRING_OUT_OF_BOUNDS 31
#define FZ_ERROR_OUTPUTS_NOT_COVERED 32
#define FZ_ERROR_LAYER_OUTPUTS_TOO_LARGE 33
#define FZ_ERROR_INVALID_UTF8 34
#define FZ_ERROR_NOT_FACE_DETECTOR 35
#define FZ_ERROR_NO_WINDOW_FITS 36
#define FZ_ERROR_INVALID_FRAME 37
#define FZ_ERROR_INVALID_TRACKER_SETTING 38
#define FZ_ERROR_INVALID_LEVELS 39
#define FZ_ERROR_FRAME_TOO_LARGE 40

/* Where opening a blob failed: the status code, a byte offset in the blob (0 when the
 * error has none) and the op, tensor or head-output index it names (-1 when none). */
typedef struct fz_error {
    uint64_t offset;
    int64_t index;
    fz_status code;
} fz_error;

/* FZ_API_VERSION of the library that was linked. */
uint32_t fz_api_version(void);

/* Validates the whole blob and fills `model`. Returns FZ_OK, or a status code with
 * `error` (if not NULL) set to the code and the offending byte offset. */
fz_status fz_model_open(const void *bytes, size_t length, fz_model *model, fz_error *error);

/* Bytes of arena the predict functions need (any alignment; FZ_ARENA_ALIGNMENT is
 * what the kernels read fastest). */
size_t fz_model_arena_byte_count(const fz_model *model);

/* Input image shape: height x width x channels uint8 pixels, row-major, channels last. */
void fz_model_input_shape(const fz_model *model, size_t *height, size_t *width, size_t *channels);

/* Number of int32 head outputs (raw accumulators of the heads' last layers). */
size_t fz_model_output_count(const fz_model *model);

/* Runs the model: reads height*width*channels pixels, writes fz_model_output_count
 * int32 outputs. Cannot fail on a model that fz_model_open accepted. */
void fz_model_predict(const fz_model *model, const uint8_t *pixels, void *arena, int32_t *outputs);

/* Bytes of the packed-weights buffer: each op's kernel plan (the kernel this CPU runs it with),
 * then the fast kernels' own weight layouts, written once at load by fz_model_pack_weights
 * (docs/kernels.md). */
size_t fz_model_packed_weights_byte_count(const fz_model *model);

/* Fills `packed` (fz_model_packed_weights_byte_count bytes, 16-byte aligned; may be NULL
 * when that count is 0). The buffer can be shared by threads, like the model. */
void fz_model_pack_weights(const fz_model *model, void *packed);

/* fz_model_predict over the packed weights (same outputs, faster). */
void fz_model_predict_packed(
    const fz_model *model, const uint8_t *pixels, void *arena, const void *packed, int32_t *outputs);

/* Number of layers (ops, in execution order) fz_model_predict_layers reports. */
size_t fz_model_layer_count(const fz_model *model);

/* Bytes of int8 output of layer `index` (< fz_model_layer_count); 0 for a head's last
 * layer, whose int32 outputs go to `outputs`. */
size_t fz_model_layer_output_byte_count(const fz_model *model, size_t index);

/* Debug variant of fz_model_predict: also copies each layer's int8 output into
 * `layer_outputs`, one after another in layer order (sum of fz_model_layer_output_byte_count). */
void fz_model_predict_layers(
    const fz_model *model, const uint8_t *pixels, void *arena, int32_t *outputs, int8_t *layer_outputs);

/* What the head outputs mean. A head is a run of outputs: heads[i] covers outputs
 * first .. first + count - 1. Names and labels are UTF-8, not NUL-terminated (`length`
 * bytes); they point into the blob. */
#define FZ_HEAD_BINARY 0         /* one probability: sigmoid(scale * output) */
#define FZ_HEAD_REGRESSION 1     /* values scale * output (age in years) */
#define FZ_HEAD_MULTI_LABEL 2    /* one probability per label */
#define FZ_HEAD_SOFTMAX 3        /* classes: softmax probabilities over the head, decision = argmax */
#define FZ_HEAD_EXPECTED_VALUE 4 /* bins: softmax probabilities, value = sum p_i * bin value_i */
#define FZ_HEAD_RAW 5            /* values scale * output, decoded by the caller (detector tensors) */
size_t fz_model_head_count(const fz_model *model);
int32_t fz_model_head_kind(const fz_model *model, size_t head);
const char *fz_model_head_name(const fz_model *model, size_t head, size_t *length);
void fz_model_head_outputs(const fz_model *model, size_t head, size_t *first, size_t *count);
const char *fz_model_output_label(const fz_model *model, size_t output, size_t *length);

/* The bin value of output `output` of an FZ_HEAD_EXPECTED_VALUE head (0 for other heads). */
void fz_model_output_value(const fz_model *model, size_t output, float *value);

/* The predictions of all fz_model_output_count outputs from the raw `outputs` of a
 * predict call: probabilities for binary and multi-label heads, for the classes of softmax
 * heads and the bins of expected-value heads (softmax over the head), values for regression
 * and raw heads; computed by the runtime's own sigmoid and exponential in a fixed order
 * (bit-identical on every ISA; docs/quantization.md "Heads"). */
void fz_model_predictions(const fz_model *model, const int32_t *outputs, float *predictions);

/* What head `head` decides from the raw `outputs` of a predict call: `decision`, the output
 * (counted from the head's first) with the largest value, the first on ties (a softmax head's
 * class); `value`, the expected value of an expected-value head (the age), else the decided
 * output's prediction. Bit-identical on every ISA. */
void fz_model_head_result(const fz_model *model, size_t head, const int32_t *outputs, size_t *decision, float *value);

/* The camera path (docs/frames.md): frames in any of these formats, faces found in them by a
 * face / not-face model, and each found face turned into any model's input. */
#define FZ_FORMAT_GRAY8 0   /* planes[0]: Y */
#define FZ_FORMAT_RGB24 1   /* planes[0]: R G B interleaved */
#define FZ_FORMAT_YUV420P 2 /* I420: planes[0] Y, [1] U, [2] V (chroma ceil(w/2) x ceil(h/2)) */
#define FZ_FORMAT_NV12 3    /* planes[0] Y, [1] U V interleaved */
#define FZ_FORMAT_YUYV 4    /* planes[0]: Y0 U Y1 V (4:2:2) */

/* A frame in the caller's memory: strides are bytes from one row to the next (at least a
 * row's bytes); unused planes are NULL. YUV is read as BT.601 limited range. */
typedef struct fz_frame {
    const uint8_t *planes[3];
    size_t strides[3];
    int32_t width, height, format;
} fz_frame;

/* A found face: its square in frame pixels and the detector's probability. */
typedef struct fz_box {
    float x, y, width, height, score;
} fz_box;

/* Bytes of opaque storage for one detector (checked at every fz_detector_open). */
#define FZ_DETECTOR_STORAGE_BYTES 1024
typedef struct fz_detector {
    _Alignas(16) unsigned char opaque[FZ_DETECTOR_STORAGE_BYTES];
} fz_detector;

/* A detector for width x height frames over an opened face / not-face model (which must stay
 * alive), with the localiser's default settings (docs/detection.md). FZ_OK,
 * FZ_ERROR_NOT_FACE_DETECTOR, FZ_ERROR_NO_WINDOW_FITS, FZ_ERROR_FRAME_TOO_LARGE (the first
 * pyramid level or the window count exceeds the localiser's limits) or FZ_ERROR_STORAGE_TOO_SMALL. */
fz_status fz_detector_open(const fz_model *model, int32_t width, int32_t height, fz_detector *detector);

/* Bytes of workspace fz_detector_detect needs (FZ_ARENA_ALIGNMENT-aligned): the frame's luma, the
 * model's arena, the largest pyramid level with its feature maps (the detector's convolutions run
 * once per level), the level's window scores and the candidates (docs/detection.md "Localiser"). */
size_t fz_detector_workspace_byte_count(const fz_detector *detector);

/* Finds the faces of `frame` (the detector's size, any format): writes up to `capacity` boxes,
 * best first, and their number to `count`. `packed` is the model's fz_model_pack_weights
 * buffer or NULL. FZ_OK or FZ_ERROR_INVALID_FRAME. */
fz_status fz_detector_detect(const fz_detector *detector, const fz_frame *frame, void *workspace,
                             const void *packed, fz_box *boxes, size_t capacity, size_t *count);

/* Detection split across threads (docs/boards.md "Threads"): the pyramid levels are
 * independent, so several threads, each with its own fz_detector_workspace_byte_count
 * workspace prepared for the frame, score disjoint levels of it into one shared score map;
 * then one of them collects the boxes, exactly those fz_detector_detect finds. Nothing is
 * allocated. */

/* Pyramid levels the detector searches, and floats of the score map (every level's windows: a
 * window's score, then with a box head its three box offsets); level k's part starts at
 * fz_detector_score_offset(detector, k) (k = level count: the end). */
size_t fz_detector_level_count(const fz_detector *detector);
size_t fz_detector_score_offset(const fz_detector *detector, size_t level);

/* Readies `workspace` (fz_detector_workspace_byte_count bytes) for scoring `frame` (the
 * detector's size, any format) with `packed` (as for fz_detector_detect): its luma and the
 * detector's weights go into the workspace. Once per frame and workspace. FZ_OK or
 * FZ_ERROR_INVALID_FRAME. */
fz_status fz_detector_prepare(const fz_detector *detector, const fz_frame *frame, void *workspace, const void *packed);

/* Scores every window of levels [first, end) of the frame `workspace` was prepared for into
 * their part of `scores` (fz_detector_score_offset(detector, level count) floats), using only
 * `workspace` (this call's alone; any number of calls per prepare). FZ_OK or
 * FZ_ERROR_INVALID_LEVELS. */
fz_status fz_detector_score_levels(const fz_detector *detector, size_t first, size_t end, void *workspace,
                                   const void *packed, float *scores);

/* The boxes of a score map whose every level was scored, as fz_detector_detect finds them:
 * up to `capacity`, best first, their number in `count`. `workspace`: a
 * fz_detector_workspace_byte_count workspace (any of the scoring ones once they are done). */
void fz_detector_collect(const fz_detector *detector, const float *scores, void *workspace, fz_box *boxes,
                         size_t capacity, size_t *count);

/* Bytes of workspace fz_describe_face needs for frames of `format` (FZ_FORMAT_*) of `width` x
 * `height` (FZ_ARENA_ALIGNMENT-aligned; 0 for an unknown format or size). */
size_t fz_describe_face_workspace_byte_count(const fz_model *model, int32_t width, int32_t height, int32_t format);

/* What fz_detect_describe does for one face: runs `model` (`packed`: its packed weights or
 * NULL) on the fz_face_input of `box` of `frame`, writing its fz_model_output_count raw outputs
 * to `outputs`. Threads may describe different faces of a frame at once, each with its own
 * workspace. FZ_OK or FZ_ERROR_INVALID_FRAME. */
fz_status fz_describe_face(const fz_model *model, const void *packed, const fz_frame *frame, const fz_box *box,
                           void *workspace, int32_t *outputs);

/* Bytes of workspace fz_face_input needs for this box of this frame (0: invalid frame). */
size_t fz_face_input_workspace_byte_count(const fz_model *model, const fz_frame *frame, const fz_box *box);

/* Writes the input of `model` (height x width x channels, square) for the face in `box` (a face
 * square, as fz_detector_detect reports it): the box enlarged to the attribute model's framing
 * (face, hair and shoulders; docs/detection.md "Framing"), moved inside the frame, cropped and
 * resampled as `facelyzr analyze --detect` does (docs/frames.md). FZ_OK or
 * FZ_ERROR_INVALID_FRAME. `workspace`: fz_face_input_workspace_byte_count bytes, 16-aligned. */
fz_status fz_face_input(const fz_model *model, const fz_frame *frame, const fz_box *box,
                        uint8_t *input, void *workspace);

/* Bytes of workspace fz_detect_describe needs for frames of `format` (FZ_FORMAT_*) with this
 * detector and model (FZ_ARENA_ALIGNMENT-aligned; 0 for an unknown format). */
size_t fz_describe_workspace_byte_count(const fz_detector *detector, const fz_model *model, int32_t format);

/* Detects up to `max_faces` faces of `frame` (fz_detector_detect) and runs `model` on each one's
 * fz_face_input: writes `count` boxes, best first, and for face i its fz_model_output_count raw
 * outputs at outputs + i * fz_model_output_count (fz_model_predictions gives their meaning).
 * The packed buffers may be NULL. FZ_OK or FZ_ERROR_INVALID_FRAME. */
fz_status fz_detect_describe(const fz_detector *detector, const void *detector_packed,
                             const fz_model *model, const void *model_packed, const fz_frame *frame,
                             void *workspace, size_t max_faces, fz_box *boxes, int32_t *outputs,
                             size_t *count);

/* Tracking (docs/detection.md "Tracking"): faces followed from frame to frame by IoU, each with a
 * track id, and their values (e.g. fz_model_predictions of each face) smoothed over the track so a
 * label does not flicker. The tracker lives in caller storage of fz_tracker_byte_count bytes
 * (16-byte aligned); fz_tracker_update allocates nothing. */

/* Bytes of storage for `capacity` tracks of `value_count` values each. */
size_t fz_tracker_byte_count(size_t capacity, size_t value_count);

/* Starts a tracker with no tracks: a face continues a track when their IoU is at least
 * `match_iou` (0 < match_iou <= 1; 0.3 is a good start), each value moves towards the face's by
 * `smoothing` (0 < smoothing <= 1: s = smoothing * v + (1 - smoothing) * s; 1 turns it off), and a track
 * unseen for more than `max_missed` frames is dropped. FZ_OK or FZ_ERROR_INVALID_TRACKER_SETTING. */
fz_status fz_tracker_init(void *storage, size_t capacity, size_t value_count, float match_iou, float smoothing,
                          int32_t max_missed);

/* One frame's `count` faces: replaces each face's `value_count` values (at values + i * value_count)
 * by its track's smoothed values and writes its track id (from 1; 0 when every track is taken)
 * to ids[i]. */
void fz_tracker_update(void *storage, const fz_box *boxes, size_t count, float *values, int32_t *ids);

/* A static, NUL-terminated description of a status code. */
const char *fz_error_message(fz_status code);

#ifdef __cplusplus
}
#endif

#endif /* FACELYZR_H */
