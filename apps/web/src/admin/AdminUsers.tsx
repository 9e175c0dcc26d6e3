import { useState } from "react";
import type { UserDto, UserRole } from "@vtp/protocol";
import { admin } from "../api/accounts";
import { errorText } from "../api/errors";
import { useUser } from "../auth/session";
import { useAsync, useDebounced } from "../lib/useAsync";
import { Alert } from "../ui/Alert";
import { Button } from "../ui/Button";
import { PageHeader } from "../ui/Page";
import { Pagination } from "../ui/Pagination";
import { Loading } from "../ui/Spinner";
import { AdminTabs } from "./AdminTabs";

const PAGE_SIZE = 20;

export function AdminUsersPage() {
  const me = useUser();
  const [query, setQuery] = useState("");
  const [role, setRole] = useState<UserRole | "">("");
  const [page, setPage] = useState(1);
  const search = useDebounced(query.trim(), 300);
  const list = useAsync(() => admin.users({ query: search || undefined, role: role || undefined, page, pageSize: PAGE_SIZE }), [search, role, page]);
  const [msg, setMsg] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);

  const update = async (target: UserDto, patch: { role?: UserRole; disabled?: boolean }, done: string) => {
    setBusyId(target.id);
    setMsg(null);
    try {
      const { user } = await admin.updateUser(target.id, patch);
      if (list.data) list.setData({ ...list.data, users: list.data.users.map((x) => (x.id === user.id ? user : x)) });
      setMsg({ kind: "success", text: done });
    } catch (err) {
      setMsg({ kind: "error", text: errorText(err) });
    } finally {
      setBusyId(null);
    }
  };

  const data = list.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE_SIZE)) : 1;

  return (
    <div className="container">
      <PageHeader title="Administration" description="Manage people, classes and the health of this server." />
      <AdminTabs />
      <search className="toolbar">
        <div className="field grow">
          <label htmlFor="user-search">Search people</label>
          <input
            id="user-search"
            className="input"
            type="search"
            placeholder="Name or email"
            value={query}
            onChange={(event) => {
              setQuery(event.target.value);
              setPage(1);
            }}
            data-testid="admin-user-search"
          />
        </div>
        <div className="field">
          <label htmlFor="role-filter">Role</label>
          <select
            id="role-filter"
            className="select"
            value={role}
            onChange={(event) => {
              setRole(event.target.value as UserRole | "");
              setPage(1);
            }}
            data-testid="admin-role-filter"
          >
            <option value="">All roles</option>
            <option value="student">Students</option>
            <option value="teacher">Teachers</option>
            <option value="admin">Admins</option>
          </select>
        </div>
      </search>
      {msg && <Alert kind={msg.kind}>{msg.text}</Alert>}
      {list.status === "error" && <Alert kind="error">{errorText(list.error)}</Alert>}
      {!data && list.status === "loading" && <Loading label="Loading people…" />}
      {data && (
        <>
          <p className="muted small" aria-live="polite" style={{ margin: "16px 0 8px" }}>
            {data.total === 1 ? "1 person" : `${data.total} people`}
            {list.status === "loading" && " · updating…"}
          </p>
          {data.users.length === 0 ? (
            <div className="card empty">
              <h3>Nobody found</h3>
              <p>Try another name, email or role.</p>
            </div>
          ) : (
            <div className="table-wrap">
              <table className="table table-cards" data-testid="admin-users-table">
                <thead>
                  <tr>
                    <th scope="col">Person</th>
                    <th scope="col">Role</th>
                    <th scope="col">Status</th>
                    <th scope="col">Joined</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.users.map((account) => (
                    <tr key={account.id} data-testid="admin-user-row" data-user-id={account.id}>
                      <td data-label="Person">
                        <strong>{account.fullName}</strong>
                        <div className="muted small">{account.email}</div>
                      </td>
                      <td data-label="Role">
                        <select
                          className="select select-sm"
                          aria-label={`Role for ${account.fullName}`}
                          value={account.role}
                          disabled={busyId === account.id || account.id === me.id}
                          onChange={(event) =>
                            update(
                              account,
                              { role: event.target.value as UserRole },
                              `${account.fullName} is now ${event.target.value === "admin" ? "an admin" : `a ${event.target.value}`}.`,
                            )
                          }
                          data-testid="admin-user-role"
                        >
                          <option value="student">Student</option>
                          <option value="teacher">Teacher</option>
                          <option value="admin">Admin</option>
                        </select>
                      </td>
                      <td data-label="Status">
                        <span className="row" style={{ gap: 6 }}>
                          {account.disabled ? <span className="badge badge-danger">Disabled</span> : <span className="badge badge-success">Active</span>}
                          {!account.emailVerified && <span className="badge badge-warning">Unverified</span>}
                        </span>
                      </td>
                      <td data-label="Joined" className="nowrap">
                        {new Date(account.createdAt).toLocaleDateString()}
                      </td>
                      <td className="actions">
                        {account.id !== me.id && (
                          <Button
                            size="sm"
                            variant={account.disabled ? "secondary" : "danger"}
                            busy={busyId === account.id}
                            onClick={() =>
                              update(
                                account,
                                { disabled: !account.disabled },
                                account.disabled ? `${account.fullName} can sign in again.` : `${account.fullName} has been disabled and signed out.`,
                              )
                            }
                            aria-label={`${account.disabled ? "Enable" : "Disable"} ${account.fullName}`}
                            data-testid="admin-user-toggle"
                          >
                            {account.disabled ? "Enable" : "Disable"}
                          </Button>
                        )}
                        {account.id === me.id && <span className="muted small">You</span>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pagination page={page} pages={pages} onPage={setPage} />
        </>
      )}
    </div>
  );
}
