import { randomUUID } from "node:crypto";
import type { AdminUserPatch, SessionResponse, UserDto, UserRole } from "@vtp/protocol";
import { AppError, notFound } from "../errors/index.js";
import { mails, type Mailer } from "../mail/index.js";
import type { DB } from "../db/index.js";
import { checkPasswordRules, type PasswordHasher } from "./passwords.js";
import { type AccessTokens, hashToken, newOpaqueToken } from "./tokens.js";
import { TokensRepo } from "./tokens-repo.js";
import { toUserDto, UsersRepo, type UserRow } from "./users-repo.js";

const DAY = 24 * 3600 * 1000;
export const VERIFY_TTL_MS = DAY;
export const RESET_TTL_MS = 3600 * 1000;
export const REFRESH_TTL_MS = 30 * DAY;

export interface ThrottlePolicy {
  maxPerAccount: number;
  maxPerIp: number;
  windowSeconds: number;
  lockSeconds: number;
}

export const defaultThrottle: ThrottlePolicy = { maxPerAccount: 5, maxPerIp: 30, windowSeconds: 15 * 60, lockSeconds: 15 * 60 };

export interface Session {
  response: SessionResponse & { refreshToken: string };
  user: UserRow;
}

/**
 * The live connections of accounts (implemented by the signalling server): when an account is
 * disabled or its role changes, its open sockets must not keep acting with the old rights.
 */
export interface LiveSessions {
  revokeUser(userId: string, reason: "account-disabled" | "role-changed"): Promise<void>;
}

/** No live connections (a process without the signalling server, e.g. `vtp create-admin` offline). */
export const noLiveSessions: LiveSessions = { revokeUser: async () => {} };

export interface AccountServiceOptions {
  throttle?: ThrottlePolicy;
  live?: LiveSessions;
  /** Seconds after a rotation during which the rotated refresh token still gets a session (see `refresh`); default 30. */
  refreshReuseGraceSeconds?: number;
}

/** Everything an account can do; the HTTP routes are a thin layer over this. */
export class AccountService {
  readonly users: UsersRepo;
  readonly tokens: TokensRepo;

  constructor(
    db: DB,
    private readonly mailer: Mailer,
    readonly access: AccessTokens,
    private readonly hasher: PasswordHasher,
    private readonly publicUrl: string,
    options: AccountServiceOptions = {},
  ) {
    this.users = new UsersRepo(db);
    this.tokens = new TokensRepo(db);
    this.throttle = options.throttle ?? defaultThrottle;
    this.live = options.live ?? noLiveSessions;
    this.refreshGraceSeconds = options.refreshReuseGraceSeconds ?? 30;
  }

  private readonly throttle: ThrottlePolicy;
  private readonly live: LiveSessions;
  private readonly refreshGraceSeconds: number;

  static normalizeEmail(email: string): string {
    return email.trim().toLowerCase();
  }

  private static checkEmail(email: string) {
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254)
      throw new AppError("VALIDATION_FAILED", "The email address is not valid", [{ field: "email" }]);
  }

  async register(input: { email: string; password: string; fullName: string; role: UserRole }): Promise<UserDto> {
    const email = AccountService.normalizeEmail(input.email);
    AccountService.checkEmail(email);
    const fullName = input.fullName.trim();
    if (!fullName) throw new AppError("VALIDATION_FAILED", "Your name is required", [{ field: "fullName" }]);
    if (input.role !== "student" && input.role !== "teacher") throw AppError.withStatus(400, "ROLE_NOT_ALLOWED", "You can sign up as a student or a teacher");
    checkPasswordRules(input.password);
    if (await this.users.byEmail(email)) throw new AppError("EMAIL_TAKEN", "An account with this email already exists");
    const passwordHash = await this.hasher.hash(input.password);
    const user = await this.users.create({ email, passwordHash, fullName, role: input.role });
    if (!user) throw new AppError("EMAIL_TAKEN", "An account with this email already exists");
    await this.sendVerification(user);
    return toUserDto(user);
  }

  /** Creates (or promotes) an admin; for `vtp create-admin` and first start. Verified at once. */
  async ensureAdmin(input: { email: string; password: string; fullName?: string }): Promise<{ user: UserDto; created: boolean }> {
    const email = AccountService.normalizeEmail(input.email);
    AccountService.checkEmail(email);
    checkPasswordRules(input.password);
    const existing = await this.users.byEmail(email);
    const passwordHash = await this.hasher.hash(input.password);
    if (existing) {
      const user = await this.users.update(existing.id, {
        role: "admin",
        password_hash: passwordHash,
        disabled: false,
        ...(existing.email_verified_at ? {} : { email_verified_at: new Date() }),
      });
      if (!user) throw notFound("The account no longer exists");
      return { user: toUserDto(user), created: false };
    }
    const user = await this.users.create({ email, passwordHash, fullName: input.fullName?.trim() || "Administrator", role: "admin", verified: true });
    if (!user) throw new AppError("EMAIL_TAKEN", "An account with this email already exists");
    return { user: toUserDto(user), created: true };
  }

  private async sendVerification(user: UserRow) {
    await this.tokens.invalidateEmailTokens(user.id, "verify_email");
    const token = newOpaqueToken();
    await this.tokens.createEmailToken(user.id, "verify_email", hashToken(token), new Date(Date.now() + VERIFY_TTL_MS));
    await this.mailer.send(mails.verifyEmail(user.email, user.full_name, `${this.publicUrl}/verify-email?token=${token}`));
  }

  async verifyEmail(token: string): Promise<UserDto> {
    const consumed = await this.tokens.consumeEmailToken("verify_email", hashToken(token));
    if (consumed === "expired") throw AppError.withStatus(400, "TOKEN_EXPIRED", "This verification link has expired; ask for a new one");
    if (consumed === "invalid") throw AppError.withStatus(400, "INVALID_TOKEN", "This verification link is invalid or was already used");
    const user = await this.users.update(consumed.userId, { email_verified_at: new Date() });
    if (!user) throw notFound("The account no longer exists");
    return toUserDto(user);
  }

  /** Always succeeds from the caller's view: no account enumeration. */
  async resendVerification(emailRaw: string): Promise<void> {
    const user = await this.users.byEmail(AccountService.normalizeEmail(emailRaw));
    if (user && !user.email_verified_at && !user.disabled) await this.sendVerification(user);
  }

  async login(emailRaw: string, password: string, ip: string): Promise<Session> {
    const email = AccountService.normalizeEmail(emailRaw);
    const keys = [`email:${email}`, `ip:${ip}`];
    const locked = await this.tokens.lockedUntil(keys);
    if (locked) throw tooMany(locked);
    const user = await this.users.byEmail(email);
    let ok = false;
    // Without an account, hashing anyway takes as long as a real check: no account enumeration by timing.
    if (user) ok = await this.hasher.verify(password, user.password_hash);
    else await this.hasher.burn(password);
    if (!user || !ok) {
      const throttle = this.throttle;
      await this.tokens.recordFailure(keys[0], throttle.maxPerAccount, throttle.windowSeconds, throttle.lockSeconds);
      await this.tokens.recordFailure(keys[1], throttle.maxPerIp, throttle.windowSeconds, throttle.lockSeconds);
      throw new AppError("INVALID_CREDENTIALS", "The email or password is not correct");
    }
    await this.tokens.clearFailures(keys[0]);
    if (user.disabled) throw new AppError("ACCOUNT_DISABLED", "This account has been disabled");
    if (!user.email_verified_at) throw new AppError("EMAIL_NOT_VERIFIED", "Verify your email address before signing in");
    return this.issueSession(user, randomUUID());
  }

  private async issueSession(user: UserRow, familyId: string): Promise<Session> {
    const refreshToken = newOpaqueToken();
    await this.tokens.createRefresh(user.id, familyId, hashToken(refreshToken), new Date(Date.now() + REFRESH_TTL_MS));
    const accessToken = await this.access.sign({ id: user.id, role: user.role });
    return {
      user,
      response: { accessToken, refreshToken, tokenType: "Bearer", expiresIn: this.access.ttlSeconds, user: toUserDto(user) },
    };
  }

  /**
   * Rotates a refresh token. Presenting one that was already rotated means it was stolen or
   * replayed, and the whole family is revoked — except within the grace period right after its
   * rotation, for the family's newest rotated token only: two tabs refreshing at the same moment
   * both present it, and the later one gets a fresh session in the same family.
   */
  async refresh(refreshToken: string): Promise<Session> {
    const hash = hashToken(refreshToken);
    const row = await this.tokens.findRefresh(hash);
    if (!row) throw new AppError("INVALID_TOKEN", "The refresh token is invalid");
    if (row.rotated_at) return this.refreshRotated(row);
    if (row.revoked_at) throw new AppError("INVALID_TOKEN", "The refresh token was revoked");
    if (new Date(row.expires_at) <= new Date()) throw new AppError("TOKEN_EXPIRED", "The refresh token has expired");
    if (!(await this.tokens.markRotated(row.id))) return this.refreshRotated((await this.tokens.findRefresh(hash)) ?? row);
    return this.sessionFor(row);
  }

  /** A rotated token presented again: a fresh session within the grace, else the family is revoked. */
  private async refreshRotated(row: { id: string; family_id: string; user_id: string }): Promise<Session> {
    if (await this.tokens.withinRotationGrace(row.id, this.refreshGraceSeconds)) return this.sessionFor(row);
    await this.tokens.revokeFamily(row.family_id);
    throw new AppError("REFRESH_TOKEN_REUSED", "This refresh token was already used; the session has been ended");
  }

  /** A new refresh token in `row`'s family and an access token, for a user who is still allowed in. */
  private async sessionFor(row: { family_id: string; user_id: string }): Promise<Session> {
    const user = await this.users.byId(row.user_id);
    if (!user) throw new AppError("INVALID_TOKEN", "The account no longer exists");
    if (user.disabled) {
      await this.tokens.revokeFamily(row.family_id);
      throw new AppError("ACCOUNT_DISABLED", "This account has been disabled");
    }
    return this.issueSession(user, row.family_id);
  }

  async logout(refreshToken: string): Promise<void> {
    const row = await this.tokens.findRefresh(hashToken(refreshToken));
    if (row) await this.tokens.revokeFamily(row.family_id);
  }

  async profile(userId: string): Promise<UserDto> {
    const user = await this.users.byId(userId);
    if (!user) throw notFound("The account no longer exists");
    return toUserDto(user);
  }

  async updateProfile(userId: string, fullName: string): Promise<UserDto> {
    const name = fullName.trim();
    if (!name) throw new AppError("VALIDATION_FAILED", "Your name is required", [{ field: "fullName" }]);
    const user = await this.users.update(userId, { full_name: name });
    if (!user) throw notFound("The account no longer exists");
    return toUserDto(user);
  }

  /** Changes the password and ends every other session (keeps the caller's refresh family if given). */
  async changePassword(userId: string, current: string, next: string, keepRefreshToken?: string): Promise<void> {
    const user = await this.users.byId(userId);
    if (!user) throw notFound("The account no longer exists");
    if (!(await this.hasher.verify(current, user.password_hash))) throw new AppError("INVALID_CREDENTIALS", "The current password is not correct");
    checkPasswordRules(next);
    await this.users.update(userId, { password_hash: await this.hasher.hash(next) });
    const keep = keepRefreshToken ? await this.tokens.findRefresh(hashToken(keepRefreshToken)) : undefined;
    await this.tokens.revokeAllForUser(userId, keep?.user_id === userId ? keep.family_id : undefined);
  }

  /** Always succeeds from the caller's view: no account enumeration. */
  async forgotPassword(emailRaw: string): Promise<void> {
    const user = await this.users.byEmail(AccountService.normalizeEmail(emailRaw));
    if (!user || user.disabled) return;
    await this.tokens.invalidateEmailTokens(user.id, "reset_password");
    const token = newOpaqueToken();
    await this.tokens.createEmailToken(user.id, "reset_password", hashToken(token), new Date(Date.now() + RESET_TTL_MS));
    await this.mailer.send(mails.resetPassword(user.email, user.full_name, `${this.publicUrl}/reset-password?token=${token}`));
  }

  async resetPassword(token: string, next: string): Promise<void> {
    checkPasswordRules(next);
    const consumed = await this.tokens.consumeEmailToken("reset_password", hashToken(token));
    if (consumed === "expired") throw AppError.withStatus(400, "TOKEN_EXPIRED", "This reset link has expired; ask for a new one");
    if (consumed === "invalid") throw AppError.withStatus(400, "INVALID_TOKEN", "This reset link is invalid or was already used");
    const user = await this.users.byId(consumed.userId);
    // Following the mailed link proves the address too.
    await this.users.update(consumed.userId, {
      password_hash: await this.hasher.hash(next),
      ...(user && !user.email_verified_at ? { email_verified_at: new Date() } : {}),
    });
    await this.tokens.revokeAllForUser(consumed.userId);
  }

  async adminList(query: { query?: string; role?: UserRole; page?: number; pageSize?: number }) {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 20;
    const { rows, total } = await this.users.list({ query: query.query?.trim() || undefined, role: query.role, page, pageSize });
    return { users: rows.map(toUserDto), total, page, pageSize };
  }

  async adminUpdate(actorId: string, targetId: string, patch: AdminUserPatch): Promise<UserDto> {
    const target = await this.users.byId(targetId);
    if (!target) throw notFound("No such user", "NOT_FOUND");
    if (targetId === actorId && (patch.disabled === true || (patch.role && patch.role !== "admin"))) {
      throw new AppError("CONFLICT", "You cannot disable yourself or remove your own admin role");
    }
    const user = await this.users.update(targetId, {
      ...(patch.role ? { role: patch.role } : {}),
      ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
    });
    if (!user) throw notFound("No such user", "NOT_FOUND");
    if (patch.disabled) {
      await this.tokens.revokeAllForUser(targetId);
      await this.live.revokeUser(targetId, "account-disabled");
    } else if (patch.role && patch.role !== target.role) {
      await this.live.revokeUser(targetId, "role-changed");
    }
    return toUserDto(user);
  }
}

function tooMany(until: Date): AppError {
  const secs = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
  return new AppError("TOO_MANY_ATTEMPTS", `Too many failed sign-in attempts; try again in ${Math.ceil(secs / 60)} minute(s)`, undefined, {
    "retry-after": String(secs),
  });
}
