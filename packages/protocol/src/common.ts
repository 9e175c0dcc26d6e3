import { Type, type Static } from "@sinclair/typebox";

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { $id: "ErrorResponse" },
);

export const HealthResponse = Type.Object({
  status: Type.Union([Type.Literal("ok"), Type.Literal("degraded")]),
  version: Type.String(),
  uptimeSeconds: Type.Number(),
  database: Type.Union([Type.Literal("ok"), Type.Literal("down")]),
});
export type HealthResponse = Static<typeof HealthResponse>;

export const IdParams = Type.Object({ id: Type.String({ format: "uuid" }) });
