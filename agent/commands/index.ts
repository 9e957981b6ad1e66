export {
  CommandHandler,
  type CommandHandlerDeps,
  type HistoryMessage,
  type HistoryRead,
  type IncomingCommand,
} from "./handler.js";
export { MemoryReplayStore, ReplayGuard, type ReplayStore } from "./replay-guard.js";
export { SqliteReplayStore } from "./sqlite-replay-store.js";
export { TokenBucket } from "./rate-limit.js";
export { loadNocPublicKey, verifyCommandSignature } from "./signature.js";
export {
  connectCommands,
  createAgentCommands,
  historyReader,
  missingRanges,
  type AgentCommandParts,
  type CommandSession,
} from "./wiring.js";
