// A MatMul model in ONNX's protobuf format, written by hand so the gemm bench needs no
// model file and no protobuf library. Only the fields onnxruntime needs are written:
//
//   ModelProto     ir_version = 1, graph = 7, opset_import = 8
//   OperatorSetId  domain = 1, version = 2
//   GraphProto     node = 1, name = 2, input = 11, output = 12
//   NodeProto      input = 1, output = 2, name = 3, op_type = 4
//   ValueInfo      name = 1, type = 2
//   TypeProto      tensor_type = 1        TypeProto.Tensor  elem_type = 1, shape = 2
//   TensorShape    dim = 1                Dimension         dim_value = 1
//
// Wire format: each field is a varint key (field number << 3 | wire type) and then a
// varint (wire type 0) or a varint length and that many bytes (wire type 2).

const VARINT = 0;
const BYTES = 2;
const FLOAT = 1; // TensorProto.DataType.FLOAT

class ProtoWriter {
  private readonly bytes: number[] = [];

  private varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`protobuf varint: bad value ${value}`);
    while (value >= 0x80) {
      this.bytes.push((value % 0x80) | 0x80);
      value = Math.floor(value / 0x80);
    }
    this.bytes.push(value);
  }

  int(field: number, value: number): this {
    this.varint((field << 3) | VARINT);
    this.varint(value);
    return this;
  }

  raw(field: number, data: Uint8Array): this {
    this.varint((field << 3) | BYTES);
    this.varint(data.length);
    for (const byte of data) this.bytes.push(byte);
    return this;
  }

  string(field: number, value: string): this {
    return this.raw(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (writer: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.raw(field, inner.finish());
  }

  finish(): Uint8Array<ArrayBuffer> {
    return Uint8Array.from(this.bytes);
  }
}

function valueInfo(writer: ProtoWriter, name: string, dims: readonly number[]): void {
  writer.string(1, name).message(2, (type) =>
    type.message(1, (tensor) =>
      tensor.int(1, FLOAT).message(2, (shape) => {
        for (const dim of dims) shape.message(1, (d) => d.int(1, dim));
      }),
    ),
  );
}

/** Y[m,n] = A[m,k] · B[k,n], float32, both operands as graph inputs (opset 13, IR version 8). */
export function matmulModel(m: number, k: number, n: number): Uint8Array<ArrayBuffer> {
  return new ProtoWriter()
    .int(1, 8)
    .message(7, (graph) => {
      graph
        .message(1, (node) =>
          node.string(1, "A").string(1, "B").string(2, "Y").string(3, "matmul").string(4, "MatMul"),
        )
        .string(2, "gemm")
        .message(11, (v) => valueInfo(v, "A", [m, k]))
        .message(11, (v) => valueInfo(v, "B", [k, n]))
        .message(12, (v) => valueInfo(v, "Y", [m, n]));
    })
    .message(8, (opset) => opset.string(1, "").int(2, 13))
    .finish();
}
