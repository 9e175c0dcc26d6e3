import { createHash, randomBytes, randomUUID } from "node:crypto";
import { SignJWT, jwtVerify, errors as joseErrors } from "jose";
import { ACCESS_TOKEN_TTL_SECONDS, type UserRole } from "@vtp/protocol";
import { AppError } from "../errors/index.js";

export interface AccessClaims {
  sub: string;
  role: UserRole;
  jti: string;
  exp: number;
}

/** Opaque random tokens (refresh, email links) are stored only as their SHA-256. */
export function newOpaqueToken(): string {
  return randomBytes(32).toString("base64url");
}
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Access tokens: JWT HS256, 15 minutes, claims sub/role/jti; the algorithm is pinned on verify. */
export class AccessTokens {
  private readonly key: Uint8Array;
  readonly ttlSeconds = ACCESS_TOKEN_TTL_SECONDS;

  constructor(
    secret: string,
    private readonly issuer = "vtp",
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async sign(user: { id: string; role: UserRole }): Promise<string> {
    return new SignJWT({ role: user.role })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(user.id)
      .setJti(randomUUID())
      .setIssuer(this.issuer)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
  }

  async verify(token: string): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ["HS256"], issuer: this.issuer });
      const role = payload.role;
      if (typeof payload.sub !== "string" || (role !== "admin" && role !== "teacher" && role !== "student") || typeof payload.jti !== "string") {
        throw new AppError("INVALID_TOKEN", "The access token is malformed");
      }
      return { sub: payload.sub, role, jti: payload.jti, exp: payload.exp ?? 0 };
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (err instanceof joseErrors.JWTExpired) throw new AppError("TOKEN_EXPIRED", "The access token has expired");
      throw new AppError("INVALID_TOKEN", "The access token is invalid");
    }
  }
}
