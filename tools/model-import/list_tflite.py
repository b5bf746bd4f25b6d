"""Lists a TFLite model's ops with their tensors' shapes and types and their options, in
execution order (TensorFlow's tflite interpreter and its flatbuffer reader): what
`facelyzr import-model MODEL.tflite` must map. Usage:
    /path/to/python-with-tensorflow tools/model-import/list_tflite.py MODEL.tflite
"""
import sys

from tensorflow.lite.python import schema_py_generated as schema
import tensorflow as tf


def enum_names(enum):
    return {v: k for k, v in vars(enum).items() if not k.startswith("_")}


def main(path):
    data = open(path, "rb").read()
    model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(data, 0))
    ops = enum_names(schema.BuiltinOperator)
    types = enum_names(schema.TensorType)
    graph = model.subgraphs[0]
    print(f"{path}: schema version {model.version}, {len(model.subgraphs)} subgraph(s), {len(graph.operators)} ops")
    def tensor(i):
        if i < 0:
            return "-"
        t = graph.tensors[i]
        buf = model.buffers[t.buffer].data if t.buffer and model.buffers[t.buffer].data is not None else None
        return f"{t.name.decode()}{list(t.shape)}:{types[t.type]}" + (" const" if buf is not None else "")
    print("inputs: " + ", ".join(tensor(i) for i in graph.inputs))
    print("outputs: " + ", ".join(tensor(i) for i in graph.outputs))
    counts = {}
    for k, op in enumerate(graph.operators):
        code = model.operatorCodes[op.opcodeIndex]
        name = ops[max(code.builtinCode, code.deprecatedBuiltinCode)]
        counts[name] = counts.get(name, 0) + 1
        options = op.builtinOptions
        fields = {} if options is None else {k: v for k, v in vars(options).items()}
        print(f"#{k} {name} {fields}")
        print(f"    in: {', '.join(tensor(i) for i in op.inputs)}")
        print(f"    out: {', '.join(tensor(i) for i in op.outputs)}")
    print("op counts: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    interpreter = tf.lite.Interpreter(model_path=path)
    interpreter.allocate_tensors()
    for d in interpreter.get_output_details():
        print(f"interpreter output {d['name']} {list(d['shape'])} {d['dtype'].__name__}")


if __name__ == "__main__":
    main(sys.argv[1])
