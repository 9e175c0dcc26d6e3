import bcrypt from "bcrypt";
import { BCRYPT_MAX_BYTES, PASSWORD_MAX, PASSWORD_MIN } from "@vtp/protocol";
import { AppError } from "../errors/index.js";

/**
 * Password rules: 10–128 characters, and at most 72 bytes in UTF-8 — bcrypt reads only the
 * first 72 bytes, so a longer one is refused rather than silently truncated.
 */
export function checkPasswordRules(password: string): void {
  const chars = [...password].length;
  if (chars < PASSWORD_MIN || chars > PASSWORD_MAX) {
    throw new AppError("WEAK_PASSWORD", `The password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters long`);
  }
  if (Buffer.byteLength(password, "utf8") > BCRYPT_MAX_BYTES) {
    throw new AppError("PASSWORD_TOO_LONG", `The password must be at most ${BCRYPT_MAX_BYTES} bytes in UTF-8 (fewer characters when using accents or emoji)`);
  }
}

/** bcrypt through the native addon: hashing runs on libuv's thread pool, off the event loop. */
export class PasswordHasher {
  private dummy?: Promise<string>;
  constructor(private readonly cost: number) {}

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.cost);
  }

  verify(password: string, hash: string): Promise<boolean> {
    if (Buffer.byteLength(password, "utf8") > BCRYPT_MAX_BYTES) return this.burn(password).then(() => false);
    return bcrypt.compare(password, hash);
  }

  /** Spends the same time as a real check, for unknown accounts (no timing oracle). */
  async burn(password: string): Promise<void> {
    this.dummy ??= bcrypt.hash("not-a-real-password-0000", this.cost);
    await bcrypt.compare(password.slice(0, 72), await this.dummy);
  }
}
