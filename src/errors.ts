// Typed errors. Each carries the exit code the CLI returns for it; src/cli.ts is the one place that
// turns an error into a message and an exit code.

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  auth: 4,
  permission: 5,
  timeout: 6,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface ErrorDetails {
  hint?: string;
  cause?: unknown;
  /** Azure's own error code, e.g. AuthorizationFailed, when there is one. */
  azureCode?: string;
}

export class MiauthError extends Error {
  readonly exitCode: ExitCodeValue = ExitCode.failure;
  readonly hint?: string;
  readonly azureCode?: string;
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, { cause: details.cause });
    this.name = new.target.name;
    this.hint = details.hint;
    this.azureCode = details.azureCode;
  }
}

/** Bad flags or input. Raised before any network call. */
export class UsageError extends MiauthError {
  override readonly exitCode = ExitCode.usage;
}
export class NotFoundError extends MiauthError {
  override readonly exitCode = ExitCode.notFound;
}
export class AuthError extends MiauthError {
  override readonly exitCode = ExitCode.auth;
}
export class PermissionError extends MiauthError {
  override readonly exitCode = ExitCode.permission;
}
export class TimeoutError extends MiauthError {
  override readonly exitCode = ExitCode.timeout;
}
/** A 2xx reply that is not what it claims (HTML, empty, cut off, another resource): exit 1. */
export class UnexpectedReplyError extends MiauthError {}
export class InterruptedError extends MiauthError {
  override readonly exitCode = ExitCode.interrupted;
}

/** A failure whose details were already printed as the result (batch items, a verify report). */
export class ReportedFailure extends MiauthError {
  override readonly exitCode: ExitCodeValue;
  constructor(message: string, exitCode: ExitCodeValue, details: ErrorDetails = {}) {
    super(message, details);
    this.exitCode = exitCode;
  }
}
