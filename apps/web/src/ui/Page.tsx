import { useEffect, type ReactNode } from "react";

/** Sets the document title for a page ("Sign in · VTP"). */
export function useTitle(title: string) {
  useEffect(() => {
    document.title = title ? `${title} · VTP` : "VTP";
  }, [title]);
}

/** A page's heading row: title, a line of description, and actions on the right. */
export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  useTitle(title);
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {description && <p>{description}</p>}
      </div>
      {actions && <div className="row">{actions}</div>}
    </div>
  );
}

export function AuthCard({ title, lead, icon, children, foot }: { title: string; lead?: ReactNode; icon?: ReactNode; children: ReactNode; foot?: ReactNode }) {
  useTitle(title);
  return (
    <div className="auth-wrap">
      <div className="auth-card">
        <div className="card">
          {icon && <div className="auth-icon">{icon}</div>}
          <h1>{title}</h1>
          {lead && <p className="lead">{lead}</p>}
          {children}
        </div>
        {foot && <div className="auth-foot">{foot}</div>}
      </div>
    </div>
  );
}
