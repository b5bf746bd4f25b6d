// A plain C view of a TFLite model (flatbuffer, TFLite schema version 3), for the Swift importer
// (Sources/FacelyzrModelImport/TFLiteImport.swift). The file is untrusted: fz_tflite_verify runs
// flatbuffers' Verifier over the whole buffer first; every other function may be called only on
// a buffer it accepted, and checks each index it is given (tensor, operator, buffer, op code).
// Pointers returned point into the caller's buffer and live as long as it does.
// Code: fz_tflite.cpp over the flatc-generated Generated/schema_generated.h (README.md there).
#ifndef FZ_TFLITE_H
#define FZ_TFLITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Why a call failed.
typedef enum {
    FZ_TFLITE_OK = 0,
    /// Shorter than a flatbuffer header, or without TFLite's file identifier "TFL3".
    FZ_TFLITE_NOT_TFLITE = 1,
    /// flatbuffers' Verifier rejected the buffer (an offset, vector or string out of bounds, a
    /// misaligned scalar, nesting too deep), or it is larger than a flatbuffer can be (2 GiB).
    FZ_TFLITE_MALFORMED = 2,
    /// An index outside its vector (subgraph, tensor, operator, buffer, op code).
    FZ_TFLITE_OUT_OF_RANGE = 3,
    /// A field the importer needs is absent (subgraphs, a tensor's shape, a buffer's data range
    /// outside the file).
    FZ_TFLITE_MISSING = 4,
} fz_tflite_status;

/// A vector of int32 in the buffer (`items` is NULL when `count` is 0).
typedef struct {
    const int32_t *items;
    int32_t count;
} fz_tflite_ints;

/// A string in the buffer (not NUL-terminated for Swift's sake: use `length`).
typedef struct {
    const char *chars;
    size_t length;
} fz_tflite_string;

/// One tensor of subgraph 0.
typedef struct {
    fz_tflite_string name;
    /// TFLite's TensorType (fz_tflite_type_name names it).
    int8_t type;
    fz_tflite_ints shape;
    /// The shape with -1 for dynamic dimensions (empty when the file has none: all static).
    fz_tflite_ints shape_signature;
    /// Index into the model's buffers (0: no data).
    uint32_t buffer;
    /// Whether the tensor has quantization parameters (scales).
    bool quantized;
    /// Whether the tensor is stored sparse.
    bool sparse;
} fz_tflite_tensor;

/// One operator of subgraph 0, with the fields of the builtin options the importer reads
/// (defaults of the schema when the options table is absent; `has_options` says which).
typedef struct {
    /// max(builtin_code, deprecated_builtin_code) of its op code: the BuiltinOperator.
    int32_t builtin_code;
    /// Whether it is a custom op (its name in `custom_code`).
    bool custom;
    fz_tflite_string custom_code;
    int32_t version;
    fz_tflite_ints inputs;
    fz_tflite_ints outputs;
    /// TFLite's BuiltinOptions type of its options table (0: none).
    uint8_t options_type;
    bool has_options;
    /// Padding (fz_tflite_padding_name), strides, dilations, kernel (pools), depth multiplier.
    int8_t padding;
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t filter_h, filter_w;
    int32_t depth_multiplier;
    /// ActivationFunctionType (fz_tflite_activation_name).
    int8_t fused_activation;
    /// ConcatenationOptions' axis.
    int32_t axis;
    /// ReshapeOptions' new_shape.
    fz_tflite_ints new_shape;
    /// ReducerOptions' keep_dims (MEAN); FullyConnectedOptions' keep_num_dims.
    bool keep_dims;
    /// FullyConnectedOptions' weights_format (0: DEFAULT).
    int8_t weights_format;
    /// SoftmaxOptions' beta (1 when absent).
    float beta;
    /// LeakyReluOptions' alpha.
    float alpha;
} fz_tflite_operator;

/// Runs flatbuffers' Verifier over `size` bytes: FZ_TFLITE_OK only for a well-formed TFLite
/// model with at least one subgraph.
fz_tflite_status fz_tflite_verify(const uint8_t *bytes, size_t size);

/// The schema version the model says it was written with.
uint32_t fz_tflite_version(const uint8_t *bytes);
/// The model's description (empty when absent).
fz_tflite_string fz_tflite_description(const uint8_t *bytes);
int32_t fz_tflite_subgraph_count(const uint8_t *bytes);
int32_t fz_tflite_buffer_count(const uint8_t *bytes);

/// Subgraph 0's tensor and operator counts, inputs and outputs (tensor indices, unchecked).
int32_t fz_tflite_tensor_count(const uint8_t *bytes);
int32_t fz_tflite_operator_count(const uint8_t *bytes);
fz_tflite_ints fz_tflite_inputs(const uint8_t *bytes);
fz_tflite_ints fz_tflite_outputs(const uint8_t *bytes);

fz_tflite_status fz_tflite_tensor_at(const uint8_t *bytes, int32_t index, fz_tflite_tensor *out);
fz_tflite_status fz_tflite_operator_at(const uint8_t *bytes, int32_t index, fz_tflite_operator *out);
/// Buffer `index`'s bytes: inside the flatbuffer, or (schema 3c) at `offset` of the `size`-byte
/// file, checked to lie inside it. Empty buffers give `*data` NULL and `*length` 0.
fz_tflite_status fz_tflite_buffer_at(const uint8_t *bytes, size_t size, uint32_t index, const uint8_t **data, size_t *length);

/// Names from the schema's enums ("" for values it does not know).
const char *fz_tflite_operator_name(int32_t builtin_code);
const char *fz_tflite_type_name(int8_t type);
const char *fz_tflite_padding_name(int8_t padding);
const char *fz_tflite_activation_name(int8_t activation);

#ifdef __cplusplus
}
#endif

#endif
