import type { Page } from "playwright-core";
import type { Frame } from "../../helpers/media-content";

/** One frame of a person's camera tile, drawn in the page and returned as RGB (null: nothing decoded yet). */
export async function tileFrame(page: Page, userId: string): Promise<Frame | null> {
  const grabbed = await page.evaluate((id) => {
    const video = document.querySelector<HTMLVideoElement>(`[data-testid="video-tile"][data-user-id="${id}"]:not([data-screen="true"]) video`);
    if (!video || video.videoWidth === 0 || video.readyState < 2) return null;
    const canvas = document.createElement("canvas");
    canvas.width = 160;
    canvas.height = 90;
    const context = canvas.getContext("2d");
    if (!context) return null;
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const rgba = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const rgb: number[] = [];
    for (let i = 0; i < rgba.length; i += 4) rgb.push(rgba[i]!, rgba[i + 1]!, rgba[i + 2]!);
    return { width: canvas.width, height: canvas.height, rgb, time: video.currentTime };
  }, userId);
  return grabbed ? { t: grabbed.time, width: grabbed.width, height: grabbed.height, rgb: Buffer.from(grabbed.rgb) } : null;
}
