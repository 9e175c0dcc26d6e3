import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import {
  AcceptedResponse,
  AdminUserPatch,
  AdminUsersQuery,
  AdminUsersResponse,
  ChangePasswordBody,
  EmailBody,
  ErrorSchema,
  IdParams,
  LoginBody,
  OkResponse,
  ProfilePatch,
  REFRESH_COOKIE,
  RefreshBody,
  RegisterBody,
  ResetPasswordBody,
  SessionResponse,
  TokenBody,
  UserResponse,
} from "@vtp/protocol";
import { AppError } from "../errors/index.js";
import type { AppContext } from "../context.js";
import { currentUser } from "./guard.js";
import { REFRESH_TTL_MS, type Session } from "./service.js";

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 429: ErrorSchema };

/** The /api/v1/auth endpoints of the public contract, and the admin user endpoints. */
export async function authRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { accounts, auth } = ctx;
  const limited = { rateLimit: { max: ctx.config.authRateLimitPerMinute, timeWindow: "1 minute" } };
  const secureCookie = ctx.config.publicUrl.startsWith("https:");
  const tags = ["auth"];

  const sendSession = (reply: FastifyReply, session: Session, useCookie: boolean | undefined) => {
    if (!useCookie) return session.response;
    reply.setCookie(REFRESH_COOKIE, session.response.refreshToken, {
      httpOnly: true,
      sameSite: "strict",
      secure: secureCookie,
      path: "/api/v1/auth",
      maxAge: Math.floor(REFRESH_TTL_MS / 1000),
    });
    const { refreshToken: _omit, ...rest } = session.response;
    return rest;
  };
  const clearCookie = (reply: FastifyReply) => reply.clearCookie(REFRESH_COOKIE, { path: "/api/v1/auth" });
  const refreshFrom = (req: FastifyRequest, body: { refreshToken?: string } | undefined) => {
    const token = body?.refreshToken ?? req.cookies?.[REFRESH_COOKIE];
    if (!token) throw new AppError("UNAUTHORIZED", "No refresh token: send it in the body or the cookie");
    return token;
  };

  app.post(
    "/register",
    { config: limited, schema: { tags, summary: "Create an account (student or teacher)", body: RegisterBody, response: { 201: UserResponse, ...errors } } },
    async (req, reply) => {
      const user = await accounts.register(req.body);
      return reply.status(201).send({ user });
    },
  );

  app.post(
    "/verify-email",
    {
      config: limited,
      schema: { tags, summary: "Confirm an email address with the mailed token", body: TokenBody, response: { 200: UserResponse, ...errors } },
    },
    async (req) => ({
      user: await accounts.verifyEmail(req.body.token),
    }),
  );

  app.post(
    "/resend-verification",
    {
      config: limited,
      schema: { tags, summary: "Mail a new verification link (always 202)", body: EmailBody, response: { 202: AcceptedResponse, ...errors } },
    },
    async (req, reply) => {
      await accounts.resendVerification(req.body.email);
      return reply.status(202).send({ accepted: true });
    },
  );

  app.post(
    "/login",
    { config: limited, schema: { tags, summary: "Sign in", body: LoginBody, response: { 200: SessionResponse, ...errors } } },
    async (req, reply) => {
      const session = await accounts.login(req.body.email, req.body.password, req.ip);
      return sendSession(reply, session, req.body.useCookie);
    },
  );

  // A browser refreshing from its cookie may send no body at all.
  const emptyBodyOk = async (req: FastifyRequest) => {
    if (req.body === undefined) (req as { body: unknown }).body = {};
  };

  app.post(
    "/refresh",
    {
      config: limited,
      preValidation: emptyBodyOk,
      schema: { tags, summary: "Rotate the refresh token, get a new access token", body: RefreshBody, response: { 200: SessionResponse, ...errors } },
    },
    async (req, reply) => {
      const fromCookie = !req.body?.refreshToken && Boolean(req.cookies?.[REFRESH_COOKIE]);
      try {
        const session = await accounts.refresh(refreshFrom(req, req.body));
        return sendSession(reply, session, req.body?.useCookie ?? fromCookie);
      } catch (err) {
        if (fromCookie) clearCookie(reply);
        throw err;
      }
    },
  );

  app.post(
    "/logout",
    {
      preValidation: emptyBodyOk,
      schema: { tags, summary: "End this session (revokes the refresh token's family)", body: RefreshBody, response: { 200: OkResponse, ...errors } },
    },
    async (req, reply) => {
      const token = req.body?.refreshToken ?? req.cookies?.[REFRESH_COOKIE];
      if (token) await accounts.logout(token);
      clearCookie(reply);
      return { ok: true as const };
    },
  );

  const signedIn = { preHandler: auth.guard(), schema: { security: [{ bearerAuth: [] }] } };

  app.get(
    "/profile",
    {
      preHandler: signedIn.preHandler,
      schema: { tags, summary: "My account", security: signedIn.schema.security, response: { 200: UserResponse, ...errors } },
    },
    async (req) => ({
      user: await accounts.profile(currentUser(req).id),
    }),
  );

  app.patch(
    "/profile",
    {
      preHandler: signedIn.preHandler,
      schema: { tags, summary: "Change my name", security: signedIn.schema.security, body: ProfilePatch, response: { 200: UserResponse, ...errors } },
    },
    async (req) => ({
      user: await accounts.updateProfile(currentUser(req).id, req.body.fullName),
    }),
  );

  app.post(
    "/change-password",
    {
      config: limited,
      preHandler: signedIn.preHandler,
      schema: {
        tags,
        summary: "Change my password (ends my other sessions)",
        security: signedIn.schema.security,
        body: ChangePasswordBody,
        response: { 200: OkResponse, ...errors },
      },
    },
    async (req) => {
      await accounts.changePassword(currentUser(req).id, req.body.currentPassword, req.body.newPassword, req.cookies?.[REFRESH_COOKIE]);
      return { ok: true as const };
    },
  );

  app.post(
    "/forgot-password",
    { config: limited, schema: { tags, summary: "Mail a password reset link (always 202)", body: EmailBody, response: { 202: AcceptedResponse, ...errors } } },
    async (req, reply) => {
      await accounts.forgotPassword(req.body.email);
      return reply.status(202).send({ accepted: true });
    },
  );

  app.post(
    "/reset-password",
    {
      config: limited,
      schema: { tags, summary: "Set a new password with the mailed token", body: ResetPasswordBody, response: { 200: OkResponse, ...errors } },
    },
    async (req) => {
      await accounts.resetPassword(req.body.token, req.body.newPassword);
      return { ok: true as const };
    },
  );
}

export async function adminUserRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const guard = ctx.auth.guard("admin");
  const tags = ["admin"];
  const security = [{ bearerAuth: [] }];

  app.get(
    "/users",
    { preHandler: guard, schema: { tags, summary: "Search users", security, querystring: AdminUsersQuery, response: { 200: AdminUsersResponse, ...errors } } },
    async (req) => ctx.accounts.adminList(req.query),
  );

  app.patch(
    "/users/:id",
    {
      preHandler: guard,
      schema: {
        tags,
        summary: "Change a user's role or disable them",
        security,
        params: IdParams,
        body: AdminUserPatch,
        response: { 200: UserResponse, ...errors },
      },
    },
    async (req) => ({
      user: await ctx.accounts.adminUpdate(currentUser(req).id, req.params.id, req.body),
    }),
  );
}
