/** The one error a WSQ decode (or an encode of an unusable image) throws: the message says what is wrong. */
export class WsqFormatError extends Error {
  override readonly name = "WsqFormatError";
  /** Byte offset in the input where the problem was found, when known. */
  readonly offset: number | undefined;
  constructor(message: string, offset?: number) {
    super(offset === undefined ? message : `${message} (at byte ${offset})`);
    this.offset = offset;
  }
}
