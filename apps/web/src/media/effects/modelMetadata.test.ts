// biome-ignore-all lint/correctness/noNodejsModules: a unit test run by vitest in Node (reads the model file npm installed).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { withNormalization } from "./modelMetadata";

const require = createRequire(import.meta.url);
const model = new Uint8Array(readFileSync(require.resolve("@mediapipe/selfie_segmentation/selfie_segmentation.tflite")));

/** Reads the root Model table's offset field `slot` (absolute position of what it points to). */
function field(bytes: Uint8Array, slot: number): number | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const root = view.getUint32(0, true);
  const vtable = root - view.getInt32(root, true);
  if (4 + slot * 2 >= view.getUint16(vtable, true)) return null;
  const offset = view.getUint16(vtable + 4 + slot * 2, true);
  if (!offset) return null;
  return root + offset + view.getUint32(root + offset, true);
}

describe("the selfie model with TFLite metadata added (media/effects/modelMetadata)", () => {
  it("keeps the model's own tables and adds a TFLITE_METADATA buffer holding the input normalisation", () => {
    const out = withNormalization(model);
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    expect(String.fromCharCode(...out.subarray(4, 8))).toBe("TFL3");
    // The original bytes follow the new front part unchanged, 16-byte aligned.
    const shift = out.length - model.length;
    expect(shift % 16).toBe(0);
    expect(out.subarray(shift)).toEqual(model);
    // Subgraphs and operator codes are the model's own; buffers have one more.
    expect(field(out, 2)).toBe((field(model, 2) as number) + shift);
    expect(field(out, 1)).toBe((field(model, 1) as number) + shift);
    const buffers = field(out, 4) as number;
    const oldBuffers = field(model, 4) as number;
    const count = view.getUint32(buffers, true);
    expect(count).toBe(new DataView(model.buffer, model.byteOffset).getUint32(oldBuffers, true) + 1);
    // metadata[0] = { name: "TFLITE_METADATA", buffer: count - 1 }
    const metadata = field(out, 6) as number;
    expect(view.getUint32(metadata, true)).toBe(1);
    const entry = metadata + 4 + view.getUint32(metadata + 4, true);
    const entryVtable = entry - view.getInt32(entry, true);
    const nameAt = entry + view.getUint16(entryVtable + 4, true);
    const name = nameAt + view.getUint32(nameAt, true);
    expect(new TextDecoder().decode(out.subarray(name + 4, name + 4 + view.getUint32(name, true)))).toBe("TFLITE_METADATA");
    expect(view.getUint32(entry + view.getUint16(entryVtable + 6, true), true)).toBe(count - 1);
    // That buffer's data is a ModelMetadata flatbuffer ("M001") with the normalisation's 255.
    const bufferElement = buffers + 4 + (count - 1) * 4;
    const buffer = bufferElement + view.getUint32(bufferElement, true);
    const bufferVtable = buffer - view.getInt32(buffer, true);
    const dataField = buffer + view.getUint16(bufferVtable + 4, true);
    const data = dataField + view.getUint32(dataField, true);
    expect((data + 4) % 16).toBe(0);
    const metadataBytes = out.subarray(data + 4, data + 4 + view.getUint32(data, true));
    expect(String.fromCharCode(...metadataBytes.subarray(4, 8))).toBe("M001");
    const floats = new Float32Array(metadataBytes.slice().buffer.slice(0, metadataBytes.length - (metadataBytes.length % 4)));
    expect([...floats]).toContain(255);
  });

  it("refuses what is not a TFLite model", () => {
    expect(() => withNormalization(new Uint8Array(64))).toThrow(/not a TFLite model/);
  });
});
