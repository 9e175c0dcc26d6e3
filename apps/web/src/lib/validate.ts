import { PASSWORD_MAX, PASSWORD_MIN, BCRYPT_MAX_BYTES } from "@vtp/protocol";

/** Checks the same rules as the server before sending, so people get the answer at once. */
export function checkEmail(email: string): string | null {
  const trimmed = email.trim();
  if (!trimmed) return "Enter your email address.";
  if (trimmed.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(trimmed)) return "Enter a valid email address, like name@school.org.";
  return null;
}

export function checkPassword(pw: string): string | null {
  if (!pw) return "Enter a password.";
  const chars = [...pw].length;
  if (chars < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters.`;
  if (chars > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
  if (new TextEncoder().encode(pw).length > BCRYPT_MAX_BYTES) return "This password is too long (too many special characters). Please shorten it.";
  return null;
}

export function checkName(name: string): string | null {
  const trimmed = name.trim();
  if (!trimmed) return "Enter your name.";
  if (trimmed.length > 120) return "Use at most 120 characters.";
  return null;
}

export function checkRequired(value: string, what: string): string | null {
  return value.trim() ? null : `Enter ${what}.`;
}

export type Errors<K extends string> = Partial<Record<K, string>>;

/** Runs the checks and returns only the fields that failed. */
export function collect<K extends string>(checks: Record<K, string | null>): Errors<K> {
  const out: Errors<K> = {};
  for (const k of Object.keys(checks) as K[]) {
    const failed = checks[k];
    if (failed) out[k] = failed;
  }
  return out;
}
