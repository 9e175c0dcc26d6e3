import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import type { UserRole } from "@vtp/protocol";
import { AppError } from "../errors/index.js";
import type { AccessTokens } from "./tokens.js";
import type { UsersRepo } from "./users-repo.js";

export interface AuthUser {
  id: string;
  role: UserRole;
  email: string;
  fullName: string;
}

declare module "fastify" {
  interface FastifyRequest {
    user?: AuthUser;
  }
}

/**
 * Resolves a bearer access token to the current user. The account is read again on every
 * call, so a disabled account or a changed role takes effect at once, not after 15 minutes.
 */
export class Authenticator {
  constructor(
    private readonly access: AccessTokens,
    private readonly users: UsersRepo,
  ) {}

  async fromToken(token: string | undefined): Promise<AuthUser> {
    if (!token) throw new AppError("UNAUTHORIZED", "Sign in first: send an access token");
    const claims = await this.access.verify(token);
    const user = await this.users.byId(claims.sub);
    if (!user) throw new AppError("INVALID_TOKEN", "The account no longer exists");
    if (user.disabled) throw new AppError("ACCOUNT_DISABLED", "This account has been disabled");
    return { id: user.id, role: user.role, email: user.email, fullName: user.full_name };
  }

  fromRequest(request: FastifyRequest): Promise<AuthUser> {
    const header = request.headers.authorization;
    const match = typeof header === "string" ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    return this.fromToken(match?.[1]);
  }

  /** The one route guard: signed in, and (when given) holding one of the roles. */
  guard(...roles: UserRole[]): preHandlerAsyncHookHandler {
    return async (request: FastifyRequest, _reply: FastifyReply) => {
      const user = await this.fromRequest(request);
      if (roles.length && !roles.includes(user.role)) throw new AppError("FORBIDDEN", `This needs the ${roles.join(" or ")} role`);
      request.user = user;
    };
  }
}

/** The signed-in user of a guarded route. */
export function currentUser(request: FastifyRequest): AuthUser {
  if (!request.user) throw new AppError("UNAUTHORIZED", "Sign in first");
  return request.user;
}
