/**
 * A duplex byte stream to a device: a serial port, a TCP socket or a device file.
 * Links (request/response matching) are written against this, never against a concrete transport,
 * so tests can hand a driver any transport and the drivers never know which one they have.
 */
export interface ByteStream {
  /** Resolves once the bytes were handed to the OS (drained), rejects if the stream is closed. */
  write(data: Uint8Array): Promise<void>;
  /** Subscribe to incoming bytes; returns an unsubscribe function. */
  onData(listener: (chunk: Buffer) => void): () => void;
  /** Called once when the stream closes for any reason (unplug, peer closed, close()). */
  onClose(listener: (error?: Error) => void): () => void;
  readonly isOpen: boolean;
  close(): Promise<void>;
}

/** Tiny listener registry so each transport does not re-implement subscribe/unsubscribe. */
export class Listeners<T extends unknown[]> {
  private readonly set = new Set<(...args: T) => void>();
  add(listener: (...args: T) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }
  emit(...args: T): void {
    for (const l of [...this.set]) l(...args);
  }
  clear(): void {
    this.set.clear();
  }
}
