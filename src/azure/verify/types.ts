// What verify is asked and what it answers: one report shape for both modes, stable for `-o json` and CI
// (documented in the README).
import type { IdentityRef } from "../identity-pick.js";
import type { Target } from "../target.js";
import type { TokenIdentity } from "./token-identity.js";

export type Access = "read" | "write" | "readwrite";
export type StepStatus = "pass" | "fail" | "skip" | "warn";

export interface Step {
  /**
   * One vocabulary in both planes (README, verify's "Steps"): credential (data), identity and network
   * (control), list-containers, list-blobs, write-probe, read-probe, delete-probe (both: the data plane
   * does it, the control plane checks the permission it needs), container (data), required-steps.
   */
  name: string;
  status: StepStatus;
  ms: number;
  /** Azure's error code (x-ms-error-code), or a network/credential code. */
  code: string | null;
  message: string | null;
}

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

/** As the running app: get a token and try each blob operation the access level needs. */
export interface DataPlaneInput {
  mode: "data-plane";
  access: Access;
  account: string;
  endpoint: string;
  container?: string;
}

/** For a given identity: read its role assignments and evaluate them on the storage account. */
export interface ControlPlaneInput {
  mode: "control-plane";
  access: Access;
  target?: Target;
  /** With a target: which of its user-assigned identities (else its system-assigned one). */
  identity?: IdentityRef;
  principalId?: string;
  /** Known storage account ID, or the parts to build it once the subscription is known. */
  storage: { id: string } | { account: string; resourceGroup: string };
  container?: string;
}

export type VerifyInput = DataPlaneInput | ControlPlaneInput;
