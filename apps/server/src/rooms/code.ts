import { randomInt } from "node:crypto";
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH } from "@vtp/protocol";

/** A random join code: 8 characters without look-alikes (no 0/O, 1/I/L). ~8.5e11 codes. */
export function newJoinCode(): string {
  let code = "";
  for (let i = 0; i < JOIN_CODE_LENGTH; i++) code += JOIN_CODE_ALPHABET[randomInt(JOIN_CODE_ALPHABET.length)];
  return code;
}

/**
 * What a person typed → the stored form, or undefined when it cannot be a code. Accepts lower
 * case, spaces and dashes ("abcd-efgh").
 */
export function normalizeJoinCode(input: string): string | undefined {
  const code = input.toUpperCase().replace(/[\s-]/g, "");
  if (code.length !== JOIN_CODE_LENGTH) return undefined;
  for (const ch of code) if (!JOIN_CODE_ALPHABET.includes(ch)) return undefined;
  return code;
}

/** "ABCDEFGH" → "ABCD-EFGH" for display. */
export function formatJoinCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}
