// The verify report: one shape for both modes, stable for `-o json` and CI (documented in the README).
import type { Access, Step } from "./data-plane.js";
import { type Diagnosis, diagnose } from "./diagnosis.js";
import type { TokenIdentity } from "./token-identity.js";

export interface ReportStep extends Step {
  cause: string | null;
  fix: string | null;
}

export interface VerifyReport {
  mode: "data-plane" | "control-plane";
  result: "pass" | "fail";
  access: Access;
  account: string;
  /** Data plane: the blob endpoint used. */
  endpoint: string | null;
  /** Control plane: the storage account's resource ID. */
  storageId: string | null;
  container: string | null;
  identity: (Partial<TokenIdentity> & { principalId?: string | null }) | null;
  steps: ReportStep[];
  /** The one command that fixes the first failure, when there is one. */
  fix: string | null;
  attempts: number;
  elapsedMs: number;
  waitExpired: boolean;
}

/**
 * The report's result, from the steps the access level needs: it passes only when each of them ran
 * and passed and nothing failed. A skipped or missing required step is a failure, never a pass.
 */
export function resultOf(steps: Step[], required: string[]): "pass" | "fail" {
  if (steps.some((s) => s.status === "fail")) return "fail";
  return required.every((n) => steps.some((s) => s.name === n && s.status === "pass")) ? "pass" : "fail";
}

/**
 * The steps as reported: when required steps did not pass yet none failed, a failed step says which
 * did not run, so the JSON, the summary, JUnit and annotations all show why the result is a failure.
 */
export function withRequired(steps: Step[], required: string[]): Step[] {
  const missing = required.filter((n) => !steps.some((s) => s.name === n && s.status === "pass"));
  if (missing.length === 0 || steps.some((s) => s.status === "fail")) return steps;
  return [
    ...steps,
    {
      name: "required-steps",
      status: "fail",
      ms: 0,
      code: "NotTested",
      message: `the access level needs steps that did not run: ${missing.join(", ")}`,
    },
  ];
}

export interface Diagnosed {
  steps: ReportStep[];
  first: Diagnosis | null;
}

export function diagnoseSteps(
  steps: Step[],
  ctx: { account: string; access: Access; assignCommand?: string },
): Diagnosed {
  let first: Diagnosis | null = null;
  const out = steps.map((s) => {
    if (s.status !== "fail" && s.status !== "warn") return { ...s, cause: null, fix: null };
    const d = diagnose(s.code ?? undefined, s.message ?? "", ctx);
    if (s.status === "fail") first ??= d;
    return { ...s, cause: d.cause, fix: d.fix };
  });
  return { steps: out, first };
}

/** 0 pass, 6 when --wait ran out on a denial, else the first failure's code (5 denied, 4 no credential, 3 no identity enabled, 1 other). */
export function exitCodeOf(report: VerifyReport, first: Diagnosis | null): 0 | 1 | 3 | 4 | 5 | 6 {
  if (report.result === "pass") return 0;
  if (report.waitExpired && first?.retryable) return 6;
  return first?.exitCode ?? 1;
}
