/** Errors of the agent-to-agent data plane. `retryable` tells whether the same request may work later. */
export class TransferError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  /** HTTP status, when the error came from a response. */
  readonly status?: number;
  /** Attempts made when the error was finally thrown (set by downloadVerified). */
  attempts?: number;

  constructor(code: string, message: string, opts: { retryable?: boolean; status?: number; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = "TransferError";
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.status = opts.status;
  }
}

/** 401/403: token unknown, expired, forged, or for another transfer. Not retryable with this token. */
export class TransferAuthError extends TransferError {
  constructor(status: number, serverMessage: string) {
    super(
      status === 401 ? "unauthorized" : "forbidden",
      `transfer refused (${status}): ${serverMessage || (status === 401 ? "token not accepted" : "token not valid for this transfer")}`,
      { status },
    );
    this.name = "TransferAuthError";
  }
}

/** 404: the serving agent has no such transfer or its file is gone. */
export class TransferNotFoundError extends TransferError {
  constructor(serverMessage: string) {
    super("not_found", `transfer source not found (404): ${serverMessage || "no such file"}`, { status: 404 });
    this.name = "TransferNotFoundError";
  }
}

/** Another HTTP status; 5xx/429/503 are retryable. */
export class TransferHttpError extends TransferError {
  constructor(status: number, serverMessage: string) {
    super("http_error", `data plane answered ${status}: ${serverMessage || "(no message)"}`, {
      status,
      retryable: status >= 500 || status === 429 || status === 408,
    });
    this.name = "TransferHttpError";
  }
}

/** The connection failed or dropped mid-stream (retryable; the download resumes with Range). */
export class TransferInterruptedError extends TransferError {
  constructor(message: string, cause?: unknown) {
    super("interrupted", message, { retryable: true, cause });
    this.name = "TransferInterruptedError";
  }
}

/** No bytes for `idleTimeoutMs` (retryable). */
export class TransferTimeoutError extends TransferError {
  constructor(ms: number) {
    super("timeout", `no data received for ${ms} ms`, { retryable: true });
    this.name = "TransferTimeoutError";
  }
}

/** The caller's AbortSignal fired. The .part file is kept so a later call can resume. */
export class TransferAbortedError extends TransferError {
  constructor() {
    super("aborted", "transfer aborted");
    this.name = "TransferAbortedError";
  }
}

/** The server's answer does not fit the request (bad Content-Range etc.). */
export class TransferProtocolError extends TransferError {
  constructor(message: string) {
    super("protocol", message);
    this.name = "TransferProtocolError";
  }
}

/**
 * The bytes received do not have the expected sha256 / size. The partial file was deleted; the
 * caller should retry the transfer from zero.
 */
export class ChecksumMismatchError extends TransferError {
  constructor(
    readonly expectedSha256: string,
    readonly actualSha256: string | null,
    readonly expectedBytes: number,
    readonly actualBytes: number,
  ) {
    super(
      "checksum_mismatch",
      actualSha256 === null
        ? `size mismatch: expected ${expectedBytes} bytes, got at least ${actualBytes}`
        : `checksum mismatch: expected sha256 ${expectedSha256} (${expectedBytes} bytes), got ${actualSha256} (${actualBytes} bytes)`,
    );
    this.name = "ChecksumMismatchError";
  }
}
