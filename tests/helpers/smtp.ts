import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  to: string[];
  raw: string;
}

/** A real SMTP server process-in-test (the smtp-server package) that keeps what it receives. */
export async function startSmtp(): Promise<{
  port: number;
  url: string;
  mails: ReceivedMail[];
  waitFor(to: string, pathPart: string): Promise<string>;
  close(): Promise<void>;
}> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      let raw = "";
      stream.on("data", (chunk) => (raw += chunk));
      stream.on("end", () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    mails,
    /** Waits for a mail to `to` and returns the token of its link containing `pathPart`. */
    async waitFor(to, pathPart) {
      for (let i = 0; i < 200; i++) {
        const mail = [...mails].reverse().find((x) => x.to.includes(to) && decodeMail(x.raw).includes(pathPart));
        if (mail) return tokenFromMail(decodeMail(mail.raw), pathPart);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`no mail for ${to} with ${pathPart}; got ${mails.length} mails`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Undoes quoted-printable soft line breaks and escapes so links can be read from raw mail. */
export function decodeMail(raw: string): string {
  return raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

export function tokenFromMail(text: string, pathPart: string): string {
  const re = new RegExp(`${pathPart.replace(/[/]/g, "\\/")}\\?token=([A-Za-z0-9_-]+)`);
  const match = re.exec(text);
  if (!match) throw new Error(`no ${pathPart} link in mail`);
  return match[1];
}
