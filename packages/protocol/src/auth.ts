import { Type, type Static } from "@sinclair/typebox";
import { Text } from "./input.js";

/** Checked after trimming and lowercasing on the server, so no `format` here. */
export const Email = Text({ minLength: 3, maxLength: 254 });
/** Length is checked in characters here; the server also checks bcrypt's 72-byte limit. */
export const Password = Text({ minLength: 1, maxLength: 1024 });
export const UserRole = Type.Union([Type.Literal("admin"), Type.Literal("teacher"), Type.Literal("student")]);
export type UserRole = Static<typeof UserRole>;
export const SelfRole = Type.Union([Type.Literal("teacher"), Type.Literal("student")]);

export const UserDto = Type.Object({
  id: Type.String(),
  email: Type.String(),
  fullName: Type.String(),
  role: UserRole,
  emailVerified: Type.Boolean(),
  disabled: Type.Boolean(),
  createdAt: Type.String({ format: "date-time" }),
});
export type UserDto = Static<typeof UserDto>;

export const RegisterBody = Type.Object(
  {
    email: Email,
    password: Password,
    fullName: Text({ minLength: 1, maxLength: 120 }),
    role: SelfRole,
  },
  { additionalProperties: false },
);
export type RegisterBody = Static<typeof RegisterBody>;

export const UserResponse = Type.Object({ user: UserDto });
export type UserResponse = Static<typeof UserResponse>;

export const TokenBody = Type.Object({ token: Text({ minLength: 1, maxLength: 512 }) }, { additionalProperties: false });
export const EmailBody = Type.Object({ email: Text({ minLength: 1, maxLength: 254 }) }, { additionalProperties: false });

export const LoginBody = Type.Object(
  {
    email: Text({ minLength: 1, maxLength: 254 }),
    password: Password,
    /** Browser clients: put the refresh token in an httpOnly SameSite=Strict cookie instead of the body. */
    useCookie: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const SessionResponse = Type.Object({
  accessToken: Type.String(),
  /** Absent when the refresh token was set as a cookie. */
  refreshToken: Type.Optional(Type.String()),
  tokenType: Type.Literal("Bearer"),
  /** Seconds until the access token expires. */
  expiresIn: Type.Integer(),
  user: UserDto,
});
export type SessionResponse = Static<typeof SessionResponse>;

export const RefreshBody = Type.Object(
  {
    /** Optional when the refresh token travels in the cookie. */
    refreshToken: Type.Optional(Text({ minLength: 1, maxLength: 512 })),
    useCookie: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type RefreshBody = Static<typeof RefreshBody>;

export const ProfilePatch = Type.Object({ fullName: Text({ minLength: 1, maxLength: 120 }) }, { additionalProperties: false });
export const ChangePasswordBody = Type.Object({ currentPassword: Password, newPassword: Password }, { additionalProperties: false });
export const ResetPasswordBody = Type.Object({ token: Text({ minLength: 1, maxLength: 512 }), newPassword: Password }, { additionalProperties: false });

export const AdminUsersQuery = Type.Object(
  {
    query: Type.Optional(Text({ maxLength: 200 })),
    role: Type.Optional(UserRole),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, default: 1 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  },
  { additionalProperties: false },
);
export type AdminUsersQuery = Static<typeof AdminUsersQuery>;

export const AdminUsersResponse = Type.Object({
  users: Type.Array(UserDto),
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
});
export type AdminUsersResponse = Static<typeof AdminUsersResponse>;

export const AdminUserPatch = Type.Object(
  { role: Type.Optional(UserRole), disabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
);
export type AdminUserPatch = Static<typeof AdminUserPatch>;

export const AcceptedResponse = Type.Object({ accepted: Type.Literal(true) });
export const OkResponse = Type.Object({ ok: Type.Literal(true) });

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 128;
export const BCRYPT_MAX_BYTES = 72;
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const REFRESH_COOKIE = "vtp_refresh";
