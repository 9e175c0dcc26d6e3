import { Link } from "../router/router";
import { useTitle } from "../ui/Page";

export function NotFoundPage() {
  useTitle("Page not found");
  return (
    <div className="container container-narrow">
      <div className="card empty" style={{ marginTop: 32 }}>
        <h1>Page not found</h1>
        <p>The address may be mistyped, or the page has moved.</p>
        <Link className="btn btn-primary" to="/">
          Go to the start page
        </Link>
      </div>
    </div>
  );
}
