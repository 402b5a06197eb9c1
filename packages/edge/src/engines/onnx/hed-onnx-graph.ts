/**
 * Writes the ControlNetHED network as an ONNX ModelProto, from the tensors of a loaded checkpoint — the
 * same computation as the TensorFlow.js network (`hed/network.ts`), in ONNX's NCHW layout:
 *
 * `image` [1, 3, height, width] (RGB 0..255) − `norm` → five blocks of Conv 3×3 (pads 1, bias) + Relu,
 * blocks 2–5 starting with MaxPool 2×2 stride 2 (floor) → after each block a 1×1 Conv C→1 with bias,
 * output `p1`…`p5` [1, 1, H/2^k, W/2^k]. Height and width are symbolic, so one model serves every size.
 * Weights stay float32 and in PyTorch's OIHW order, which is ONNX's Conv weight layout.
 */
import { inferHedArchitecture } from '../../checkpoint/hed-architecture.js';
import type { StateDict, TensorData } from '../../checkpoint/state-dict.js';
import { ProtoMessage } from './protobuf-writer.js';

/** Name of the graph's input. */
export const HED_ONNX_INPUT = 'image';
/** Names of the graph's outputs, p1 (full size) first. */
export const HED_ONNX_OUTPUTS = ['p1', 'p2', 'p3', 'p4', 'p5'] as const;

// onnx.proto field numbers and enum values used here.
const ONNX_FLOAT = 1; // TensorProto.DataType.FLOAT
const ATTR_INTS = 7; // AttributeProto.AttributeType.INTS
const IR_VERSION = 8;
const OPSET = 17;

/** Little-endian bytes of float32 values (a view when the host is little-endian, as every ORT platform is). */
function float32Bytes(data: Float32Array): Uint8Array {
  const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) return view;
  const out = new Uint8Array(data.byteLength);
  const dv = new DataView(out.buffer);
  data.forEach((v, i) => dv.setFloat32(i * 4, v, true));
  return out;
}

function initializer(name: string, t: TensorData, dims: number[] = t.shape): ProtoMessage {
  const m = new ProtoMessage();
  for (const d of dims) m.varint(1, d); // dims
  m.varint(2, ONNX_FLOAT); // data_type
  m.string(8, name); // name
  m.bytes(9, float32Bytes(t.data)); // raw_data
  return m;
}

function intsAttribute(name: string, values: number[]): ProtoMessage {
  const a = new ProtoMessage().string(1, name);
  for (const v of values) a.varint(8, v); // ints
  return a.varint(20, ATTR_INTS); // type
}

function node(op: string, inputs: string[], outputs: string[], attributes: ProtoMessage[] = []): ProtoMessage {
  const n = new ProtoMessage();
  for (const i of inputs) n.string(1, i);
  for (const o of outputs) n.string(2, o);
  n.string(3, outputs[0]); // name
  n.string(4, op); // op_type
  for (const a of attributes) n.message(5, a);
  return n;
}

/** ValueInfoProto of a float tensor; `dims` entries are sizes or symbolic names (omitted: rank only). */
function valueInfo(name: string, dims: (number | string)[]): ProtoMessage {
  const shape = new ProtoMessage();
  for (const d of dims) {
    const dim = new ProtoMessage();
    if (typeof d === 'number')
      dim.varint(1, d); // dim_value
    else dim.string(2, d); // dim_param
    shape.message(1, dim);
  }
  const tensorType = new ProtoMessage().varint(1, ONNX_FLOAT).message(2, shape);
  return new ProtoMessage().string(1, name).message(2, new ProtoMessage().message(1, tensorType));
}

/**
 * The ONNX model bytes of a ControlNetHED state dict (checked with `inferHedArchitecture` first, so any
 * channel layout the loader accepts works). The returned buffer is a copy: the state dict may be freed.
 */
export function buildHedOnnxModel(sd: StateDict): Uint8Array {
  const architecture = inferHedArchitecture(sd);
  const tensor = (name: string): TensorData => sd.get(name)!; // present: inferHedArchitecture checked every name
  const graph = new ProtoMessage();
  const initializers: ProtoMessage[] = [initializer('norm', tensor('norm'))];
  let h = 'x0';
  graph.message(1, node('Sub', [HED_ONNX_INPUT, 'norm'], [h]));
  architecture.blocks.forEach((block, b) => {
    const prefix = `block${b + 1}`;
    if (b > 0) {
      const pooled = `${prefix}.pool`;
      graph.message(1, node('MaxPool', [h], [pooled], [intsAttribute('kernel_shape', [2, 2]), intsAttribute('strides', [2, 2])]));
      h = pooled;
    }
    block.convs.forEach((_, i) => {
      const conv = `${prefix}.convs.${i}`;
      initializers.push(initializer(`${conv}.weight`, tensor(`${conv}.weight`)), initializer(`${conv}.bias`, tensor(`${conv}.bias`)));
      graph.message(
        1,
        node(
          'Conv',
          [h, `${conv}.weight`, `${conv}.bias`],
          [`${conv}.out`],
          [intsAttribute('kernel_shape', [3, 3]), intsAttribute('pads', [1, 1, 1, 1]), intsAttribute('strides', [1, 1])],
        ),
      );
      graph.message(1, node('Relu', [`${conv}.out`], [`${conv}.relu`]));
      h = `${conv}.relu`;
    });
    const proj = `${prefix}.projection`;
    initializers.push(initializer(`${proj}.weight`, tensor(`${proj}.weight`)), initializer(`${proj}.bias`, tensor(`${proj}.bias`)));
    graph.message(1, node('Conv', [h, `${proj}.weight`, `${proj}.bias`], [HED_ONNX_OUTPUTS[b]], [intsAttribute('kernel_shape', [1, 1])]));
  });
  graph.string(2, 'ControlNetHED');
  for (const init of initializers) graph.message(5, init);
  graph.message(11, valueInfo(HED_ONNX_INPUT, [1, 3, 'height', 'width']));
  for (const out of HED_ONNX_OUTPUTS) graph.message(12, valueInfo(out, [1, 1, `${out}_height`, `${out}_width`]));

  const model = new ProtoMessage().varint(1, IR_VERSION).string(2, '@backdrop/edge').message(7, graph).message(8, new ProtoMessage().string(1, '').varint(2, OPSET));
  return model.finish();
}
