/**
 * How a message of the contract goes out: the same four settings on both sides, the agent's MQTT
 * session and the NOC's bus (MQTT 5 request/response: a command names its reply topic and carries
 * correlation data the reply echoes).
 */
export interface PublishOptions {
  qos: 0 | 1;
  retain?: boolean;
  responseTopic?: string;
  correlationData?: Buffer;
}
