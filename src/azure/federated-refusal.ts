// Entra's refusal of a federated token (workload identity federation): AADSTS70021 "No matching federated
// identity record found for presented assertion. Assertion Issuer: '…'. Assertion Subject: '…'. Assertion
// Audience: '…'." (Azure/azure-workload-identity#616) and its later, narrower codes AADSTS700211 (issuer),
// 700212 (audience) and 700213 (subject) (Azure/azure-workload-identity#1200, Azure/login#482). MSAL's
// ServerError carries Entra's text; DefaultAzureCredential wraps it in its chain's inner errors.

const REFUSALS = new Set(["70021", "700211", "700212", "700213"]);

export interface FederationRefusal {
  /** e.g. AADSTS70021 */
  code: string;
  /** Entra's text without its trace, correlation ID and timestamp. */
  text: string;
  /** The subject the presented token carried, when Entra named it. */
  subject: string | null;
}

function texts(err: unknown, depth = 0): string[] {
  const e = err as { message?: unknown; errors?: unknown[]; cause?: unknown } | undefined;
  if (!e || typeof e !== "object" || depth > 4) return [];
  return [
    ...(typeof e.message === "string" ? [e.message] : []),
    ...(Array.isArray(e.errors) ? e.errors.flatMap((x) => texts(x, depth + 1)) : []),
    ...texts(e.cause, depth + 1),
  ];
}

export function federationRefusal(err: unknown): FederationRefusal | undefined {
  for (const text of texts(err)) {
    const m = /AADSTS(\d+): ([^\r\n]*?)(?:\s*(?:\r?\n|Trace ID:)|$)/.exec(text);
    if (!m?.[1] || !REFUSALS.has(m[1])) continue;
    const body = (m[2] ?? "").trim();
    const subject = /Assertion Subject: '([^']*)'|assertion subject '([^']*)'/i.exec(body);
    return {
      code: `AADSTS${m[1]}`,
      text: `AADSTS${m[1]}: ${body}`,
      subject: subject?.[1] ?? subject?.[2] ?? null,
    };
  }
  return undefined;
}
