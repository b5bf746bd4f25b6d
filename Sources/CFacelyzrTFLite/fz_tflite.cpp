// The C view of a TFLite model over flatc's generated accessors (fz_tflite.h).
#include "fz_tflite.h"

#include <algorithm>

#include "Generated/schema_generated.h"

namespace {

const tflite::Model *model(const uint8_t *bytes) { return tflite::GetModel(bytes); }

const tflite::SubGraph *graph(const uint8_t *bytes) { return model(bytes)->subgraphs()->Get(0); }

fz_tflite_ints ints(const flatbuffers::Vector<int32_t> *v) {
    if (v == nullptr || v->size() == 0) return {nullptr, 0};
    return {v->data(), static_cast<int32_t>(v->size())};
}

fz_tflite_string string(const flatbuffers::String *s) {
    if (s == nullptr) return {"", 0};
    return {s->c_str(), s->size()};
}

template <typename Options> void windowOptions(const Options *o, fz_tflite_operator *out) {
    out->padding = o->padding();
    out->stride_h = o->stride_h();
    out->stride_w = o->stride_w();
    out->fused_activation = o->fused_activation_function();
}

}  // namespace

extern "C" {

fz_tflite_status fz_tflite_verify(const uint8_t *bytes, size_t size) {
    if (bytes == nullptr || size < 8 || !tflite::ModelBufferHasIdentifier(bytes)) return FZ_TFLITE_NOT_TFLITE;
    if (size >= FLATBUFFERS_MAX_BUFFER_SIZE) return FZ_TFLITE_MALFORMED;
    flatbuffers::Verifier verifier(bytes, size);
    if (!tflite::VerifyModelBuffer(verifier)) return FZ_TFLITE_MALFORMED;
    const tflite::Model *m = model(bytes);
    if (m->subgraphs() == nullptr || m->subgraphs()->size() == 0 || m->subgraphs()->Get(0) == nullptr) return FZ_TFLITE_MISSING;
    const tflite::SubGraph *g = m->subgraphs()->Get(0);
    if (g->tensors() == nullptr || g->operators() == nullptr || g->inputs() == nullptr || g->outputs() == nullptr) return FZ_TFLITE_MISSING;
    if (m->operator_codes() == nullptr || m->buffers() == nullptr) return FZ_TFLITE_MISSING;
    return FZ_TFLITE_OK;
}

uint32_t fz_tflite_version(const uint8_t *bytes) { return model(bytes)->version(); }

fz_tflite_string fz_tflite_description(const uint8_t *bytes) { return string(model(bytes)->description()); }

int32_t fz_tflite_subgraph_count(const uint8_t *bytes) { return static_cast<int32_t>(model(bytes)->subgraphs()->size()); }

int32_t fz_tflite_buffer_count(const uint8_t *bytes) { return static_cast<int32_t>(model(bytes)->buffers()->size()); }

int32_t fz_tflite_tensor_count(const uint8_t *bytes) { return static_cast<int32_t>(graph(bytes)->tensors()->size()); }

int32_t fz_tflite_operator_count(const uint8_t *bytes) { return static_cast<int32_t>(graph(bytes)->operators()->size()); }

fz_tflite_ints fz_tflite_inputs(const uint8_t *bytes) { return ints(graph(bytes)->inputs()); }

fz_tflite_ints fz_tflite_outputs(const uint8_t *bytes) { return ints(graph(bytes)->outputs()); }

fz_tflite_status fz_tflite_tensor_at(const uint8_t *bytes, int32_t index, fz_tflite_tensor *out) {
    const auto *tensors = graph(bytes)->tensors();
    if (index < 0 || static_cast<uint32_t>(index) >= tensors->size()) return FZ_TFLITE_OUT_OF_RANGE;
    const tflite::Tensor *t = tensors->Get(index);
    if (t == nullptr) return FZ_TFLITE_MISSING;
    out->name = string(t->name());
    out->type = t->type();
    out->shape = ints(t->shape());
    out->shape_signature = ints(t->shape_signature());
    out->buffer = t->buffer();
    const tflite::QuantizationParameters *q = t->quantization();
    out->quantized = q != nullptr && ((q->scale() != nullptr && q->scale()->size() > 0) || q->details_type() != tflite::QuantizationDetails_NONE);
    out->sparse = t->sparsity() != nullptr;
    return FZ_TFLITE_OK;
}

fz_tflite_status fz_tflite_operator_at(const uint8_t *bytes, int32_t index, fz_tflite_operator *out) {
    const auto *operators = graph(bytes)->operators();
    if (index < 0 || static_cast<uint32_t>(index) >= operators->size()) return FZ_TFLITE_OUT_OF_RANGE;
    const tflite::Operator *op = operators->Get(index);
    if (op == nullptr) return FZ_TFLITE_MISSING;
    const auto *codes = model(bytes)->operator_codes();
    if (op->opcode_index() >= codes->size()) return FZ_TFLITE_OUT_OF_RANGE;
    const tflite::OperatorCode *code = codes->Get(op->opcode_index());
    if (code == nullptr) return FZ_TFLITE_MISSING;
    *out = fz_tflite_operator{};
    // Schema 3a: builtin_code is the op; files from before it only have the deprecated byte.
    out->builtin_code = std::max(static_cast<int32_t>(code->builtin_code()), static_cast<int32_t>(code->deprecated_builtin_code()));
    out->custom = out->builtin_code == tflite::BuiltinOperator_CUSTOM;
    out->custom_code = string(code->custom_code());
    out->version = code->version();
    out->inputs = ints(op->inputs());
    out->outputs = ints(op->outputs());
    out->options_type = op->builtin_options_type();
    out->has_options = op->builtin_options() != nullptr;
    out->dilation_h = out->dilation_w = 1;
    out->depth_multiplier = 1;
    out->beta = 1;
    if (const auto *o = op->builtin_options_as_Conv2DOptions()) {
        windowOptions(o, out);
        out->dilation_h = o->dilation_h_factor();
        out->dilation_w = o->dilation_w_factor();
    } else if (const auto *o = op->builtin_options_as_DepthwiseConv2DOptions()) {
        windowOptions(o, out);
        out->dilation_h = o->dilation_h_factor();
        out->dilation_w = o->dilation_w_factor();
        out->depth_multiplier = o->depth_multiplier();
    } else if (const auto *o = op->builtin_options_as_Pool2DOptions()) {
        windowOptions(o, out);
        out->filter_h = o->filter_height();
        out->filter_w = o->filter_width();
    } else if (const auto *o = op->builtin_options_as_AddOptions()) {
        out->fused_activation = o->fused_activation_function();
    } else if (const auto *o = op->builtin_options_as_ConcatenationOptions()) {
        out->axis = o->axis();
        out->fused_activation = o->fused_activation_function();
    } else if (const auto *o = op->builtin_options_as_ReshapeOptions()) {
        out->new_shape = ints(o->new_shape());
    } else if (const auto *o = op->builtin_options_as_FullyConnectedOptions()) {
        out->fused_activation = o->fused_activation_function();
        out->weights_format = o->weights_format();
        out->keep_dims = o->keep_num_dims();
    } else if (const auto *o = op->builtin_options_as_ReducerOptions()) {
        out->keep_dims = o->keep_dims();
    } else if (const auto *o = op->builtin_options_as_SoftmaxOptions()) {
        out->beta = o->beta();
    } else if (const auto *o = op->builtin_options_as_LeakyReluOptions()) {
        out->alpha = o->alpha();
    }
    return FZ_TFLITE_OK;
}

fz_tflite_status fz_tflite_buffer_at(const uint8_t *bytes, size_t size, uint32_t index, const uint8_t **data, size_t *length) {
    const auto *buffers = model(bytes)->buffers();
    if (index >= buffers->size()) return FZ_TFLITE_OUT_OF_RANGE;
    *data = nullptr;
    *length = 0;
    const tflite::Buffer *b = buffers->Get(index);
    if (b == nullptr) return FZ_TFLITE_OK;
    if (b->offset() > 1) {
        // Schema 3c: the data follows the flatbuffer in the file.
        if (b->offset() > size || b->size() > size - b->offset()) return FZ_TFLITE_MISSING;
        *data = bytes + b->offset();
        *length = static_cast<size_t>(b->size());
    } else if (b->data() != nullptr && b->data()->size() > 0) {
        *data = b->data()->data();
        *length = b->data()->size();
    }
    return FZ_TFLITE_OK;
}

const char *fz_tflite_operator_name(int32_t builtin_code) {
    if (builtin_code < tflite::BuiltinOperator_MIN || builtin_code > tflite::BuiltinOperator_MAX) return "";
    return tflite::EnumNameBuiltinOperator(static_cast<tflite::BuiltinOperator>(builtin_code));
}

const char *fz_tflite_type_name(int8_t type) { return tflite::EnumNameTensorType(static_cast<tflite::TensorType>(type)); }

const char *fz_tflite_padding_name(int8_t padding) { return tflite::EnumNamePadding(static_cast<tflite::Padding>(padding)); }

const char *fz_tflite_activation_name(int8_t activation) {
    return tflite::EnumNameActivationFunctionType(static_cast<tflite::ActivationFunctionType>(activation));
}

}  // extern "C"
