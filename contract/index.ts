/** The MQTT contract: the only module both the agent and the NOC import. */
export * from "./topics.js";
export * from "./envelope.js";
export * from "./messages.js";
export * from "./events.js";
export * from "./link.js";
export * from "./device.js";
export * from "./power.js";
export * from "./commands.js";
