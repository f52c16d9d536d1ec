import type { State } from "../state.js";

export const PRINCIPAL_TYPES = ["User", "Group", "ServicePrincipal"] as const;
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number];

/** An Entra ID object the emulator's directory knows; `knownAt` models Graph replication delay. */
export interface Principal {
  principalId: string;
  type: PrincipalType;
  displayName?: string;
  /** Users: what Microsoft Graph's /users/{upn} finds them by. */
  userPrincipalName?: string;
  /** Service principals: the application (client) ID; a managed identity's is its clientId. */
  appId?: string;
  /** Epoch ms from which ARM's directory lookup finds it. */
  knownAt: number;
}

export type Directory = Record<string, Principal>;

export function addPrincipal(directory: Directory, p: Principal): void {
  directory[p.principalId.toLowerCase()] = p;
}

/** A principal created at run time (a new system identity) reaches ARM's directory only after the delay. */
export function addRuntimePrincipal(
  state: State,
  principalId: string,
  displayName: string,
  appId?: string,
): void {
  addPrincipal(state.directory, {
    principalId,
    type: "ServicePrincipal",
    displayName,
    appId,
    knownAt: Date.now() + state.options.replicationDelayMs,
  });
}

export function removePrincipal(state: State, principalId: string): void {
  delete state.directory[principalId.toLowerCase()];
}

export function findPrincipal(state: State, principalId: string): Principal | undefined {
  return state.directory[principalId.toLowerCase()];
}

export function isReplicated(p: Principal): boolean {
  return Date.now() >= p.knownAt;
}
