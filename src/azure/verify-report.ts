// The verify report: one shape for both modes, stable for `-o json` and CI (documented in the README).
import type { Access, Step } from "./blob-probe.js";
import type { TokenIdentity } from "./token-info.js";
import { type Diagnosis, diagnose } from "./verify-hints.js";

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

/** 0 pass, 6 when --wait ran out on a denial, else the first failure's code (5 denied, 4 no credential, 1 other). */
export function exitCodeOf(report: VerifyReport, first: Diagnosis | null): 0 | 1 | 4 | 5 | 6 {
  if (report.result === "pass") return 0;
  if (report.waitExpired && first?.retryable) return 6;
  return first?.exitCode ?? 1;
}
