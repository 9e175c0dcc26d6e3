import { Builder } from "flatbuffers";

/**
 * MediaPipe's selfie segmentation model as npm ships it (@mediapipe/selfie_segmentation,
 * Apache-2.0) has no TFLite metadata, and the ImageSegmenter of @mediapipe/tasks-vision refuses a
 * float model without the input's NormalizationOptions. This adds that metadata in the browser:
 * input pixels 0–255 → 0–1 (mean 0, std 255), as the model was trained (MediaPipe's own graph
 * feeds it the 0–1 range). The model's bytes are kept as they are; a new root table in front of
 * them points at the old vectors (flatbuffer offsets are relative and point forward), with one
 * more buffer holding the metadata and a `metadata` entry naming it.
 */
export function withNormalization(model: Uint8Array, mean = 0, std = 255): Uint8Array {
  const view = new DataView(model.buffer, model.byteOffset, model.byteLength);
  const identifier = String.fromCharCode(...model.subarray(4, 8));
  if (identifier !== "TFL3") throw new Error("not a TFLite model");
  const oldRoot = view.getUint32(0, true);
  const oldVtable = oldRoot - view.getInt32(oldRoot, true);
  const vtableSize = view.getUint16(oldVtable, true);
  /** The old root's field `slot`: its absolute position, or null when absent. */
  const fieldAt = (slot: number): number | null => {
    if (4 + slot * 2 >= vtableSize) return null;
    const offset = view.getUint16(oldVtable + 4 + slot * 2, true);
    return offset ? oldRoot + offset : null;
  };
  /** Where an offset field of the old root points (absolute, in the old bytes). */
  const target = (slot: number): number | null => {
    const at = fieldAt(slot);
    return at === null ? null : at + view.getUint32(at, true);
  };
  if (fieldAt(6) !== null) throw new Error("the model already has metadata");
  const metadata = metadataBytes(mean, std);
  const oldBuffers = target(4);
  if (oldBuffers === null) throw new Error("the model has no buffers");
  const bufferCount = view.getUint32(oldBuffers, true);

  // The new front part, laid out front to back; everything in it points forward.
  const name = new TextEncoder().encode("TFLITE_METADATA");
  const vtableAt = 8;
  const tableAt = vtableAt + 4 + 8 * 2; // 8 Model fields
  const buffersAt = tableAt + 4 + 8 * 4;
  const metaVectorAt = buffersAt + 4 + (bufferCount + 1) * 4;
  const metaVtableAt = metaVectorAt + 8;
  const metaTableAt = metaVtableAt + 8;
  const nameAt = metaTableAt + 12;
  const bufferVtableAt = align(nameAt + 4 + name.length + 1, 4);
  const bufferTableAt = bufferVtableAt + 8;
  const dataAt = align(bufferTableAt + 8 + 4, 16) - 4; // the bytes after the length, 16-aligned
  const shift = align(dataAt + 4 + metadata.length, 16);
  const out = new Uint8Array(shift + model.length);
  const write = new DataView(out.buffer);
  out.set(model, shift);
  const pointTo = (at: number, to: number) => write.setUint32(at, to - at, true);

  write.setUint32(0, tableAt, true);
  out.set(model.subarray(4, 8), 4);
  // Model: version, operator_codes, subgraphs, description, buffers, metadata_buffer, metadata, signature_defs.
  write.setUint16(vtableAt, 4 + 8 * 2, true);
  write.setUint16(vtableAt + 2, 4 + 8 * 4, true);
  write.setInt32(tableAt, tableAt - vtableAt, true);
  for (let slot = 0; slot < 8; slot++) {
    const fieldPos = tableAt + 4 + slot * 4;
    let present = true;
    if (slot === 0) {
      const at = fieldAt(0);
      write.setUint32(fieldPos, at === null ? 0 : view.getUint32(at, true), true);
    } else if (slot === 4) pointTo(fieldPos, buffersAt);
    else if (slot === 6) pointTo(fieldPos, metaVectorAt);
    else {
      const to = target(slot);
      if (to === null) present = false;
      else pointTo(fieldPos, to + shift);
    }
    write.setUint16(vtableAt + 4 + slot * 2, present ? 4 + slot * 4 : 0, true);
  }
  // buffers: the old ones, then the metadata's.
  write.setUint32(buffersAt, bufferCount + 1, true);
  for (let i = 0; i < bufferCount; i++) {
    const element = oldBuffers + 4 + i * 4;
    pointTo(buffersAt + 4 + i * 4, element + view.getUint32(element, true) + shift);
  }
  pointTo(buffersAt + 4 + bufferCount * 4, bufferTableAt);
  // metadata: [{ name: "TFLITE_METADATA", buffer: bufferCount }]
  write.setUint32(metaVectorAt, 1, true);
  pointTo(metaVectorAt + 4, metaTableAt);
  write.setUint16(metaVtableAt, 8, true);
  write.setUint16(metaVtableAt + 2, 12, true);
  write.setUint16(metaVtableAt + 4, 4, true);
  write.setUint16(metaVtableAt + 6, 8, true);
  write.setInt32(metaTableAt, metaTableAt - metaVtableAt, true);
  pointTo(metaTableAt + 4, nameAt);
  write.setUint32(metaTableAt + 8, bufferCount, true);
  write.setUint32(nameAt, name.length, true);
  out.set(name, nameAt + 4);
  // Buffer { data }
  write.setUint16(bufferVtableAt, 8, true);
  write.setUint16(bufferVtableAt + 2, 8, true);
  write.setUint16(bufferVtableAt + 4, 4, true);
  write.setInt32(bufferTableAt, bufferTableAt - bufferVtableAt, true);
  pointTo(bufferTableAt + 4, dataAt);
  write.setUint32(dataAt, metadata.length, true);
  out.set(metadata, dataAt + 4);
  return out;
}

const align = (value: number, to: number) => Math.ceil(value / to) * to;

/** A ModelMetadata flatbuffer ("M001"): one subgraph, its input normalised with mean/std. */
function metadataBytes(mean: number, std: number): Uint8Array {
  const builder = new Builder(256);
  const floats = (value: number) => {
    builder.startVector(4, 1, 4);
    builder.addFloat32(value);
    return builder.endVector();
  };
  const meanVector = floats(mean);
  const stdVector = floats(std);
  builder.startObject(2); // NormalizationOptions { mean, std }
  builder.addFieldOffset(0, meanVector, 0);
  builder.addFieldOffset(1, stdVector, 0);
  const normalization = builder.endObject();
  builder.startObject(2); // ProcessUnit { options_type, options }
  builder.addFieldInt8(0, 1, 0); // ProcessUnitOptions.NormalizationOptions
  builder.addFieldOffset(1, normalization, 0);
  const unit = builder.endObject();
  const units = vectorOf(builder, [unit]);
  const inputName = builder.createString("image");
  builder.startObject(7); // TensorMetadata { name, …, process_units (4) }
  builder.addFieldOffset(0, inputName, 0);
  builder.addFieldOffset(4, units, 0);
  const input = builder.endObject();
  const maskName = builder.createString("segmentation_mask");
  builder.startObject(7);
  builder.addFieldOffset(0, maskName, 0);
  const output = builder.endObject();
  const inputs = vectorOf(builder, [input]);
  const outputs = vectorOf(builder, [output]);
  builder.startObject(9); // SubGraphMetadata { name, description, input_tensor_metadata, output_tensor_metadata }
  builder.addFieldOffset(2, inputs, 0);
  builder.addFieldOffset(3, outputs, 0);
  const subgraph = builder.endObject();
  const subgraphs = vectorOf(builder, [subgraph]);
  const modelName = builder.createString("selfie_segmentation");
  const parser = builder.createString("1.0.0");
  builder.startObject(8); // ModelMetadata { name, …, subgraph_metadata (3), …, min_parser_version (7) }
  builder.addFieldOffset(0, modelName, 0);
  builder.addFieldOffset(3, subgraphs, 0);
  builder.addFieldOffset(7, parser, 0);
  builder.finish(builder.endObject(), "M001");
  return builder.asUint8Array();
}

function vectorOf(builder: Builder, offsets: number[]): number {
  builder.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) builder.addOffset(offsets[i] as number);
  return builder.endVector();
}
