// Who a credential is: which credential of DefaultAzureCredential's chain answered, and the token's
// identity claims. The token itself never leaves this function.
import type { TokenCredential } from "@azure/core-auth";

export interface TokenIdentity {
  /** e.g. ManagedIdentityCredential, AzureCliCredential; null when the chain did not say. */
  credential: string | null;
  tenantId: string | null;
  objectId: string | null;
  appId: string | null;
  /** The resource the managed identity belongs to (xms_mirid), when it is one. */
  resourceId: string | null;
  identityType: string | null;
  audience: string | null;
  expiresOn: string;
}

export function decodeClaims(token: string): Record<string, unknown> {
  const payload = token.split(".")[1];
  if (!payload) return {};
  try {
    return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return {};
  }
}

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

/** Gets a token for `scope` and describes it; the chain's choice is read from @azure/identity's log. */
export async function identifyCredential(
  credential: TokenCredential,
  scope: string,
  abortSignal?: AbortSignal,
): Promise<TokenIdentity> {
  const { AzureLogger, getLogLevel, setLogLevel } = await import("@azure/logger");
  const previousLevel = getLogLevel();
  const previousLog = AzureLogger.log;
  let chosen: string | null = null;
  // ChainedTokenCredential logs "Result for <CredentialName>: SUCCESS"; nothing else is kept or printed.
  AzureLogger.log = (...args: unknown[]) => {
    const m = /Result for (\w+): SUCCESS/.exec(args.map(String).join(" "));
    if (m?.[1]) chosen = m[1];
  };
  setLogLevel("info");
  try {
    const token = await credential.getToken(scope, { abortSignal });
    if (!token) throw new Error("the credential returned no token");
    const claims = decodeClaims(token.token);
    return {
      credential: chosen,
      tenantId: str(claims.tid),
      objectId: str(claims.oid),
      appId: str(claims.appid) ?? str(claims.azp),
      resourceId: str(claims.xms_mirid),
      identityType: str(claims.idtyp),
      audience: str(claims.aud),
      expiresOn: new Date(token.expiresOnTimestamp).toISOString(),
    };
  } finally {
    AzureLogger.log = previousLog;
    if (previousLevel) setLogLevel(previousLevel);
    else setLogLevel(undefined as never);
  }
}
