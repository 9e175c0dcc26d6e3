import type {
  AdminStatusResponse,
  AdminUserPatch,
  AdminUsersQuery,
  AdminUsersResponse,
  HealthResponse,
  RegisterBody,
  UserDto,
  UserResponse,
} from "@vtp/protocol";
import { api } from "./browser";

const AUTH_BASE = "/api/v1/auth";

/** The accounts endpoints, typed with the shared protocol. */
export const accounts = {
  register: (body: RegisterBody) => api.post<UserResponse>(`${AUTH_BASE}/register`, body, { auth: false }),
  verifyEmail: (token: string) => api.post<UserResponse>(`${AUTH_BASE}/verify-email`, { token }, { auth: false }),
  resendVerification: (email: string) => api.post(`${AUTH_BASE}/resend-verification`, { email }, { auth: false }),
  forgotPassword: (email: string) => api.post(`${AUTH_BASE}/forgot-password`, { email }, { auth: false }),
  resetPassword: (token: string, newPassword: string) => api.post(`${AUTH_BASE}/reset-password`, { token, newPassword }, { auth: false }),
  profile: () => api.get<UserResponse>(`${AUTH_BASE}/profile`),
  async updateProfile(fullName: string): Promise<UserDto> {
    const { user } = await api.patch<UserResponse>(`${AUTH_BASE}/profile`, { fullName });
    api.setUser(user);
    return user;
  },
  changePassword: (currentPassword: string, newPassword: string) => api.post(`${AUTH_BASE}/change-password`, { currentPassword, newPassword }),
};

export const admin = {
  users: (query: AdminUsersQuery) => api.get<AdminUsersResponse>("/api/v1/admin/users", { query: { ...query } }),
  updateUser: (id: string, patch: AdminUserPatch) => api.patch<UserResponse>(`/api/v1/admin/users/${encodeURIComponent(id)}`, patch),
};

export const system = {
  health: () => api.get<HealthResponse>("/api/v1/health", { auth: false }),
  /** Admins: health plus the cluster, media and recording queue. */
  status: () => api.get<AdminStatusResponse>("/api/v1/admin/status"),
};
