import pino, { type Logger } from "pino";

/** JSON to stdout (journald). Secrets are redacted by path so a config dump can never leak them. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: "station-agent" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          "password",
          "*.password",
          "mqtt.password",
          "token",
          "*.token",
          "authorization",
          "*.authorization",
          "key",
        ],
        censor: "[redacted]",
      },
    },
    destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
