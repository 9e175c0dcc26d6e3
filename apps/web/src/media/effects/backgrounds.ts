import garden from "./backgrounds/garden.jpg";
import ocean from "./backgrounds/ocean.jpg";
import sunset from "./backgrounds/sunset.jpg";
import { type BackgroundChoice, uploadedBackground } from "./settings";

/** The built-in background images (made for the project, served from our own origin). */
export const BUILT_IN_BACKGROUNDS: { id: string; label: string; url: string }[] = [
  { id: "ocean", label: "Ocean blue", url: ocean },
  { id: "sunset", label: "Sunset", url: sunset },
  { id: "garden", label: "Garden green", url: garden },
];

/** What the worker draws behind me. */
export type BackgroundSpec = { kind: "blur"; strength: "light" | "strong" } | { kind: "image" };

export function specOf(choice: BackgroundChoice): BackgroundSpec | null {
  if (choice === "blur-light") return { kind: "blur", strength: "light" };
  if (choice === "blur-strong") return { kind: "blur", strength: "strong" };
  if (choice === "off") return null;
  return { kind: "image" };
}

/** The image of an image choice, decoded (null: not an image choice, or the upload is gone). */
export async function backgroundImage(choice: BackgroundChoice): Promise<ImageBitmap | null> {
  let url: string | null = null;
  if (choice === "upload") url = uploadedBackground();
  else if (choice.startsWith("image:")) url = BUILT_IN_BACKGROUNDS.find((image) => `image:${image.id}` === choice)?.url ?? null;
  if (!url) return null;
  const blob = await (await fetch(url)).blob();
  return createImageBitmap(blob);
}

/** The user's own picture, scaled to at most 1280×720 and stored as a JPEG (a data URL). */
export async function prepareUpload(file: Blob): Promise<string> {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, 1280 / bitmap.width, 720 / bitmap.height);
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext("2d")?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return canvas.toDataURL("image/jpeg", 0.85);
}
