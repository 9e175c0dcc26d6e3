import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import nodemailer from "nodemailer";
import type { Logger } from "pino";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The one link a person needs from this mail; the outbox logs it for local use. */
  link?: string;
}

export interface Mailer {
  readonly kind: "smtp" | "outbox";
  send(msg: MailMessage): Promise<void>;
  close(): Promise<void>;
}

/** SMTP through nodemailer when SMTP_URL is set. */
class SmtpMailer implements Mailer {
  readonly kind = "smtp" as const;
  private readonly transport;
  constructor(
    url: string,
    private readonly from: string,
  ) {
    this.transport = nodemailer.createTransport(url);
  }
  async send(msg: MailMessage) {
    await this.transport.sendMail({ from: this.from, to: msg.to, subject: msg.subject, text: msg.text, html: msg.html });
  }
  async close() {
    this.transport.close();
  }
}

/**
 * The embedded default: each mail is written as an .eml file under <dataDir>/outbox and its
 * link is logged, so a person running `npm start` without a mail server can still verify.
 */
class OutboxMailer implements Mailer {
  readonly kind = "outbox" as const;
  private readonly transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
  private seq = 0;
  constructor(
    readonly dir: string,
    private readonly from: string,
    private readonly log: Logger,
  ) {}

  async send(msg: MailMessage) {
    const info = await this.transport.sendMail({ from: this.from, to: msg.to, subject: msg.subject, text: msg.text, html: msg.html });
    mkdirSync(this.dir, { recursive: true });
    const safeTo = msg.to.replace(/[^a-z0-9@._-]/gi, "_");
    const file = path.join(this.dir, `${new Date().toISOString().replace(/[:.]/g, "-")}-${++this.seq}-${safeTo}.eml`);
    writeFileSync(file, info.message as Buffer, { mode: 0o600 });
    const about = `outbox: "${msg.subject}" to ${msg.to} (set SMTP_URL to send real mail)`;
    this.log.info({ outbox: { file, to: msg.to, subject: msg.subject }, link: msg.link }, msg.link ? `${about}; its link:` : about);
  }
  async close() {}
}

export function createMailer(opts: { smtpUrl?: string; mailFrom: string; dataDir: string; log: Logger }): Mailer {
  if (opts.smtpUrl) return new SmtpMailer(opts.smtpUrl, opts.mailFrom);
  return new OutboxMailer(path.join(opts.dataDir, "outbox"), opts.mailFrom, opts.log);
}

const esc = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function layout(title: string, intro: string, action: string, link: string, outro: string): { text: string; html: string } {
  const text = `${title}\n\n${intro}\n\n${action}: ${link}\n\n${outro}\n\n— VTP, the Video Teaching Platform`;
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;max-width:560px;margin:auto;color:#1f2937">
<h2>${esc(title)}</h2><p>${esc(intro)}</p>
<p><a href="${esc(link)}" style="display:inline-block;background:#2563eb;color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none">${esc(action)}</a></p>
<p style="font-size:13px;color:#6b7280">Or paste this link into your browser: ${esc(link)}</p>
<p style="font-size:13px;color:#6b7280">${esc(outro)}</p></body></html>`;
  return { text, html };
}

export const mails = {
  verifyEmail(to: string, name: string, link: string): MailMessage {
    return {
      to,
      subject: "Verify your email for VTP",
      link,
      ...layout(
        `Welcome to VTP, ${name}`,
        "Please confirm your email address to finish creating your account.",
        "Verify my email",
        link,
        "The link works once and expires in 24 hours. If you did not sign up, ignore this mail.",
      ),
    };
  },
  resetPassword(to: string, name: string, link: string): MailMessage {
    return {
      to,
      subject: "Reset your VTP password",
      link,
      ...layout(
        `Hello ${name}`,
        "Someone (hopefully you) asked to reset your VTP password.",
        "Choose a new password",
        link,
        "The link works once and expires in 1 hour. If you did not ask for it, ignore this mail: your password stays the same.",
      ),
    };
  },
};
