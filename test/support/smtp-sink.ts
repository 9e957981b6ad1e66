/**
 * A real SMTP server (the smtp-server package) in its own process, so a test can kill it like a mail
 * server outage. STARTTLS with the given key and certificate; every accepted message is printed to
 * stdout as one JSON line {to, raw}. Usage: tsx smtp-sink.ts PORT KEY CERT
 */
import { readFileSync } from "node:fs";
import { SMTPServer } from "smtp-server";

const [port, key, cert] = process.argv.slice(2);
const server = new SMTPServer({
  key: readFileSync(key as string),
  cert: readFileSync(cert as string),
  authOptional: true,
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      const to = session.envelope.rcptTo.map((r) => r.address);
      process.stdout.write(
        `${JSON.stringify({ to, tls: session.secure, raw: Buffer.concat(chunks).toString("utf8") })}\n`,
      );
      callback();
    });
  },
});
server.listen(Number(port), "127.0.0.1", () =>
  process.stdout.write(`${JSON.stringify({ listening: Number(port) })}\n`),
);
