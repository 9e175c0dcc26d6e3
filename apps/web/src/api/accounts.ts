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

const A = "/api/v1/auth";

/** The accounts endpoints, typed with the shared protocol. */
export const accounts = {
  register: (body: RegisterBody) => api.post<UserResponse>(`${A}/register`, body, { auth: false }),
  verifyEmail: (token: string) => api.post<UserResponse>(`${A}/verify-email`, { token }, { auth: false }),
  resendVerification: (email: string) => api.post(`${A}/resend-verification`, { email }, { auth: false }),
  forgotPassword: (email: string) => api.post(`${A}/forgot-password`, { email }, { auth: false }),
  resetPassword: (token: string, newPassword: string) => api.post(`${A}/reset-password`, { token, newPassword }, { auth: false }),
  profile: () => api.get<UserResponse>(`${A}/profile`),
  async updateProfile(fullName: string): Promise<UserDto> {
    const { user } = await api.patch<UserResponse>(`${A}/profile`, { fullName });
    api.setUser(user);
    return user;
  },
  changePassword: (currentPassword: string, newPassword: string) => api.post(`${A}/change-password`, { currentPassword, newPassword }),
};

export const admin = {
  users: (q: AdminUsersQuery) => api.get<AdminUsersResponse>("/api/v1/admin/users", { query: { ...q } }),
  updateUser: (id: string, patch: AdminUserPatch) => api.patch<UserResponse>(`/api/v1/admin/users/${encodeURIComponent(id)}`, patch),
};

export const system = {
  health: () => api.get<HealthResponse>("/api/v1/health", { auth: false }),
  /** Admins: health plus the cluster, media and recording queue. */
  status: () => api.get<AdminStatusResponse>("/api/v1/admin/status"),
};
