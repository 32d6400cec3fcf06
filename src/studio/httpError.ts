// An error that is an HTTP answer: the status, the reason the client reads, extra headers.

/** Thrown by request handlers; the server answers `status` with `{ error: message }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
