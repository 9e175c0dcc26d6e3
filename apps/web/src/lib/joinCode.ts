import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH } from "@vtp/protocol";

/** "abcd efgh", "ABCD-EFGH" or a pasted join link → "ABCDEFGH"; null when it cannot be a code. */
export function parseJoinInput(input: string): string | null {
  let text = input.trim();
  const link = /\/join\/([^/?#\s]+)/.exec(text);
  if (link) text = decodeURIComponent(link[1]);
  const code = text.toUpperCase().replace(/[\s-]/g, "");
  if (code.length !== JOIN_CODE_LENGTH) return null;
  for (const ch of code) if (!JOIN_CODE_ALPHABET.includes(ch)) return null;
  return code;
}

/** "ABCDEFGH" → "ABCD-EFGH". */
export function formatJoinCode(code: string): string {
  return code.length === 8 ? `${code.slice(0, 4)}-${code.slice(4)}` : code;
}

/** A room id that came from a pasted /room/<id> link, if any. */
export function parseRoomLink(input: string): string | null {
  const match = /\/room\/([0-9a-f-]{36})(?:[/?#]|$)/i.exec(input.trim());
  return match ? match[1] : null;
}

export function joinLink(origin: string, code: string): string {
  return `${origin}/join/${formatJoinCode(code)}`;
}
