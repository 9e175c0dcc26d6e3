import { Link } from "../router/router";
import { Icon } from "../ui/Icon";
import { useTitle } from "../ui/Page";

export function LandingPage() {
  useTitle("");
  return (
    <div className="container">
      <section className="hero">
        <div>
          <h1>Live classes that just work in the browser.</h1>
          <p className="lead">
            Teach with camera, microphone and screen share. Students join with a short code or link — nothing to install, one free account for every class.
          </p>
          <div className="row" style={{ marginTop: 24 }}>
            <Link className="btn btn-primary" to="/sign-up" data-testid="landing-sign-up">
              Create a free account
            </Link>
            <Link className="btn btn-secondary" to="/sign-in" data-testid="landing-sign-in">
              Sign in
            </Link>
          </div>
        </div>
        <div className="hero-art" aria-hidden="true">
          <div className="mock-stage">
            <div className="mock-main">
              <Icon name="screen" size={40} />
            </div>
            <div className="mock-row">
              <span />
              <span />
              <span />
              <span />
            </div>
          </div>
        </div>
      </section>
      <section className="features" aria-label="What you get">
        <div className="card feature">
          <Icon name="video" />
          <h3>Teach face to face</h3>
          <p className="muted">Your camera and screen on every student's screen, with clear sound.</p>
        </div>
        <div className="card feature">
          <Icon name="hand" />
          <h3>Keep the class together</h3>
          <p className="muted">Raised hands in order, chat, and one click to let a student speak.</p>
        </div>
        <div className="card feature">
          <Icon name="users" />
          <h3>Know who was there</h3>
          <p className="muted">Attendance for every class, ready to download as a spreadsheet.</p>
        </div>
      </section>
    </div>
  );
}
