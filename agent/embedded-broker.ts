import { createServer, type Server } from "node:net";
import { Aedes } from "aedes";

/**
 * The broker `npm start` runs when `mqtt.url: embedded`: aedes on loopback, in memory. Aedes speaks
 * MQTT 3.1.1 only, so the session uses protocol 4 against it. If the preferred port is taken (a real
 * Mosquitto on the machine, say), a free port is used and reported.
 */
export class EmbeddedBroker {
  private server?: Server;
  private broker?: Aedes;
  port = 0;

  constructor(private readonly preferredPort: number) {}

  async start(): Promise<number> {
    this.broker = await Aedes.createBroker();
    const broker = this.broker;
    const server = createServer(broker.handle);
    this.server = server;
    this.port = await new Promise<number>((resolve, reject) => {
      const listen = (port: number, fallback: boolean) => {
        server.once("error", (e: NodeJS.ErrnoException) => {
          if (fallback && e.code === "EADDRINUSE") listen(0, false);
          else reject(e);
        });
        server.listen(port, "127.0.0.1", () => {
          const addr = server.address();
          resolve(typeof addr === "object" && addr ? addr.port : port);
        });
      };
      listen(this.preferredPort, true);
    });
    return this.port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.broker ? this.broker.close(() => r()) : r()));
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
