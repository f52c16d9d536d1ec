// verify: can this identity do what the app needs on this storage account? Data plane (as the running
// app, with its own token) or control plane (for a given identity, from its role assignments), retried
// under --wait while it fails only on denials that RBAC propagation can fix.
import { setTimeout as sleep } from "node:timers/promises";
import type { TokenCredential } from "@azure/core-auth";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import type { ArmClients } from "../clients.js";
import { checkControlPlane } from "./control-plane.js";
import { checkDataPlane } from "./data-plane.js";
import { firstFailure } from "./diagnosis.js";
import type { VerifyInput, VerifyReport } from "./types.js";

/** Start-to-start spacing of attempts under --wait: about one probe a second. */
export const PROBE_INTERVAL_MS = 900;
/** Under --wait, the waiting is announced on the first denial and then every this many attempts. */
const ANNOUNCE_EVERY = 15;

/** What verify reaches Azure with, each built on first use: a data-plane run never builds ARM clients. */
export interface VerifyClients {
  arm: () => Promise<ArmClients>;
  credential: () => Promise<TokenCredential>;
  /** The subscription an account given by name lives in, when the target does not name one. */
  subscriptionId: () => Promise<string>;
  /** Added to the blob client's pipeline, fresh for each attempt. */
  blobPolicies: () => PipelinePolicy[];
}

export interface VerifyOptions {
  /** How long to retry denied steps (0: one attempt). */
  waitMs: number;
  /** The user's Ctrl-C and the command's deadline. */
  signal: AbortSignal;
  /** Before each wait between attempts: why, and for how long. */
  onWait?: (line: string) => void;
  /** What the probe did besides its steps (a stale probe removed). */
  onNotice?: (line: string) => void;
}

/** Runs the check, then again about once a second while it fails only on denials that waiting can fix. */
export async function runVerify(
  clients: VerifyClients,
  input: VerifyInput,
  o: VerifyOptions,
): Promise<VerifyReport> {
  // Each attempt reads the target again: a note about it is said once.
  const noted = new Set<string>();
  const noteOnce = (line: string) => {
    if (!noted.has(line)) o.onNotice?.(line);
    noted.add(line);
  };
  const attempt = async (): Promise<VerifyReport> =>
    input.mode === "data-plane"
      ? checkDataPlane(await clients.credential(), input, {
          signal: o.signal,
          onNotice: o.onNotice,
          policies: clients.blobPolicies(),
        })
      : checkControlPlane(await clients.arm(), input, {
          subscriptionId: clients.subscriptionId,
          signal: o.signal,
          onNote: noteOnce,
        });
  const started = Date.now();
  let attempts = 0;
  for (;;) {
    attempts++;
    const probeStart = Date.now();
    const report = await attempt();
    report.attempts = attempts;
    report.elapsedMs = Date.now() - started;
    const left = o.waitMs - (Date.now() - started);
    if (report.result === "pass" || !firstFailure(report)?.retryable || o.waitMs === 0) return report;
    if (left <= 0) {
      report.waitExpired = true;
      return report;
    }
    // Attempts start PROBE_INTERVAL_MS apart: an assignment that reaches the data plane is seen within
    // that (plus one attempt) of it, whether propagation takes 3 s or 10 minutes.
    const delay = Math.min(left, Math.max(0, probeStart + PROBE_INTERVAL_MS - Date.now()));
    if (attempts === 1 || attempts % ANNOUNCE_EVERY === 0) {
      const failed = report.steps.find((s) => s.status === "fail");
      o.onWait?.(
        `${failed?.name}: ${failed?.code}; role assignments can take minutes to reach the data plane: retrying in ${(delay / 1000).toFixed(1)}s, then every ${PROBE_INTERVAL_MS / 1000}s (${Math.ceil(left / 1000)}s left, attempt ${attempts})`,
      );
    }
    await sleep(delay, undefined, { signal: o.signal });
  }
}
