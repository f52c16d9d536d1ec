// doctor in a workload-identity job (GitHub Actions through azure/login's OIDC step, or the emulator's
// rehearsal of one): which identity WorkloadIdentityCredential signs in as, and the subject the federated
// token carries, read from AZURE_FEDERATED_TOKEN_FILE's claims (the token itself is never printed). When
// Entra refuses the exchange, the subjects the identity accepts, if ARM lets us list its credentials.
import { readFile } from "node:fs/promises";
import { AuthError } from "../../errors.js";
import type { ArmClients } from "../clients.js";
import { federationRefusal } from "../federated-refusal.js";
import { listFederatedCredentials } from "../federation.js";
import { parseResourceId } from "../ids.js";
import { listUserAssignedIdentities } from "../user-assigned.js";
import { decodeClaims } from "../verify/token-identity.js";
import type { Attempt } from "./chain.js";

export interface FederationReport {
  credential: "WorkloadIdentityCredential";
  clientId: string | null;
  tenantId: string | null;
  /** The signed-in identity's principal (object) ID, from the token Entra issued; null when refused. */
  principalId: string | null;
  /** The federated token's claims that decide the exchange. */
  issuer: string | null;
  subject: string | null;
  audience: string | null;
  /** null when the exchange worked, or did not happen. */
  refused: { code: string; message: string } | null;
  /** The subjects the identity's federated credentials accept (only asked when refused); null when unknown. */
  accepts: string[] | null;
  /** Why `accepts` is unknown. */
  acceptsUnknown: string | null;
}

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

/** Issuer, subject and audience of the token file; nulls when it cannot be read (the reason is the attempt's). */
async function tokenClaims(file: string): Promise<Record<string, unknown>> {
  try {
    return decodeClaims((await readFile(file, "utf8")).trim());
  } catch {
    return {};
  }
}

export async function federationReport(o: {
  env: NodeJS.ProcessEnv;
  attempt: Attempt | undefined;
  /** The error WorkloadIdentityCredential raised, if it failed. */
  error: unknown;
  /** Claims of the token the winner got, when WorkloadIdentityCredential won. */
  winnerClaims: Record<string, unknown> | null;
  subscriptionId: () => string | undefined;
  arm: () => Promise<ArmClients>;
  signal: AbortSignal;
}): Promise<FederationReport | null> {
  const file = o.env.AZURE_FEDERATED_TOKEN_FILE?.trim();
  if (!file || !o.attempt || o.attempt.status === "not-tried") return null;
  const claims = await tokenClaims(file);
  const aud = claims.aud;
  const clientId = o.env.AZURE_CLIENT_ID?.trim() || null;
  const refusal = federationRefusal(o.error);
  const report: FederationReport = {
    credential: "WorkloadIdentityCredential",
    clientId,
    tenantId: o.env.AZURE_TENANT_ID?.trim() || null,
    principalId: str(o.winnerClaims?.oid),
    issuer: str(claims.iss),
    subject: str(claims.sub) ?? refusal?.subject ?? null,
    audience: Array.isArray(aud) ? aud.filter((a) => typeof a === "string").join(",") : str(aud),
    refused: refusal ? { code: refusal.code, message: refusal.text } : null,
    accepts: null,
    acceptsUnknown: null,
  };
  if (!refusal) return report;
  const sub = o.subscriptionId();
  if (!clientId || !sub) {
    report.acceptsUnknown = !clientId ? "AZURE_CLIENT_ID is not set" : "no subscription to look in";
    return report;
  }
  try {
    const arm = await o.arm();
    const identity = (await listUserAssignedIdentities(arm, sub, o.signal)).find(
      (u) => u.clientId.toLowerCase() === clientId.toLowerCase(),
    );
    if (!identity) {
      report.acceptsUnknown = `no user-assigned identity with client ID ${clientId} in subscription ${sub}`;
      return report;
    }
    const id = parseResourceId(identity.id, "identity");
    const credentials = await listFederatedCredentials(
      arm,
      { subscriptionId: id.subscriptionId, resourceGroup: id.resourceGroup, name: id.name },
      o.signal,
    );
    report.accepts = credentials
      .filter((c) => c.issuer === report.issuer || report.issuer === null)
      .map((c) => c.subject);
  } catch (err) {
    if (o.signal.aborted) throw err;
    const text = err instanceof Error ? err.message : String(err);
    report.acceptsUnknown =
      err instanceof AuthError
        ? "ARM could not list the identity's federated credentials: no credential signs in here"
        : `ARM could not list the identity's federated credentials: ${text.split("\n")[0]}`;
  }
  return report;
}
